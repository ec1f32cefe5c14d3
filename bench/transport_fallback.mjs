// The transport ladder's costs, in headless Chromium against rtcwire-server:
// - how long connect() takes to reach 'connected' when WebSocket is blocked (removed from the
//   page) and the client falls back to SSE, or to polling when EventSource is blocked too; each a
//   median over fresh pages, against the product's goal;
// - the one-message round trip through the SDK over SSE and over polling, against a raw browser
//   WebSocket round trip measured in the same run (bench/signal_rtt.mjs).
//
//   node bench/transport_fallback.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';
import { APP_MOUNTS } from '../tests/e2e/support/app_server.mjs';
import { launchChromium } from '../tests/e2e/support/browser.mjs';
import { measureRoundTrips, median, openPair, rawPeer, round3, sdkPeer } from './signal_rtt.mjs';

const CONNECT_RUNS = 7;
const GOALS_MS = { sse: 1500, polling: 3000 };
const PAGE_PATH = '/app/';

// Init scripts: what each figure blocks.
const BLOCKED = {
  sse: () => {
    delete window.WebSocket;
  },
  polling: () => {
    delete window.WebSocket;
    delete window.EventSource;
  },
};

// In the page: connect() to the page's server, timed to 'connected'. The Wasm core is loaded
// first (by a connect() that fails on its URL, before any network), so only the ladder is timed.
async function timedConnect() {
  const { connect } = await import('/dist/rtcwire.js');
  await connect('ftp://127.0.0.1/').catch(() => {});
  const start = performance.now();
  const client = await connect();
  const elapsed = performance.now() - start;
  const { transport } = client;
  client.close();
  return { elapsed, transport };
}

async function connectTimes(browser, serverUrl, expected) {
  const times = [];
  for (let run = 0; run < CONNECT_RUNS; run++) {
    // A fresh page each time: nothing remembered from the run before.
    const page = await browser.newPage();
    try {
      await page.addInitScript(BLOCKED[expected]);
      const response = await page.goto(`${serverUrl}${PAGE_PATH}`);
      if (!response?.ok()) throw new Error(`loading ${PAGE_PATH} failed: HTTP ${response?.status()}`);
      const { elapsed, transport } = await page.evaluate(timedConnect);
      if (transport !== expected) throw new Error(`connected over ${transport}, not ${expected}`);
      times.push(elapsed);
    } finally {
      await page.close();
    }
  }
  return median(times);
}

export async function run() {
  const server = await startServer({ args: APP_MOUNTS, cwd: repoRoot });
  const browser = await launchChromium();
  try {
    const figures = [];
    for (const transport of ['sse', 'polling']) {
      const value = await connectTimes(browser, server.url, transport);
      figures.push({
        name: `connect_ws_blocked_${transport}_ms`,
        value: round3(value),
        unit: 'ms',
        baseline: `goal_ms=${GOALS_MS[transport]}`,
        ratio: round3(value / GOALS_MS[transport]),
      });
    }
    const rtt = await measureRoundTrips({
      sse: await openPair(browser, server.url, sdkPeer, { room: 'rtt-sse', options: { transports: ['sse'] } }),
      polling: await openPair(browser, server.url, sdkPeer, {
        room: 'rtt-polling',
        options: { transports: ['polling'] },
      }),
      raw: await openPair(browser, server.url, rawPeer, { room: 'rtt-raw' }),
    });
    for (const transport of ['sse', 'polling']) {
      figures.push({
        name: `rtt_${transport}_ms`,
        value: round3(rtt[transport]),
        unit: 'ms',
        baseline: `raw_websocket_rtt_ms=${round3(rtt.raw)}`,
        ratio: round3(rtt[transport] / rtt.raw),
      });
    }
    return figures;
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
