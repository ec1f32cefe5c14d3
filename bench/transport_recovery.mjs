// Transport recovery in headless Chromium, through the fault proxy, against rtcwire-server:
// - connect_ws_hanging_sse_ms: connect() to 'connected' when every WebSocket handshake is accepted
//   and never answered (as by a proxy that does not speak WebSocket): the client must not wait
//   its handshake timeout before SSE. Median over fresh pages; goal 1500 ms.
// - recover_blackhole_polling_ms, recover_blackhole_sse_ms: a polling (SSE) session whose
//   connections all go silent (no FIN, no RST; new connections pass), from the moment of the
//   blackhole to 'connected' again. Median; goal ping interval + ping timeout + 1 s.
//
//   node bench/transport_recovery.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFaultProxy } from '../tests/lib/fault_proxy.mjs';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';
import { APP_MOUNTS } from '../tests/e2e/support/app_server.mjs';
import { launchChromium } from '../tests/e2e/support/browser.mjs';
import { median, round3 } from './signal_rtt.mjs';

const CONNECT_RUNS = 5;
const RECOVERY_RUNS = 3;
const PING_INTERVAL_MS = 2000;
const PING_TIMEOUT_MS = 1000;
const GOALS_MS = {
  connect_ws_hanging_sse_ms: 1500,
  recover_blackhole_polling_ms: PING_INTERVAL_MS + PING_TIMEOUT_MS + 1000,
  recover_blackhole_sse_ms: PING_INTERVAL_MS + PING_TIMEOUT_MS + 1000,
};

async function freshPage(browser, url) {
  const page = await browser.newPage();
  const response = await page.goto(`${url}/app/`);
  if (!response?.ok()) throw new Error(`loading /app/ failed: HTTP ${response?.status()}`);
  return page;
}

// In the page: connect() timed to 'connected', the Wasm core loaded beforehand.
async function timedConnect(url) {
  const { connect } = await import('/dist/rtcwire.js');
  await connect('ftp://127.0.0.1/').catch(() => {});
  const start = performance.now();
  const client = await connect(url);
  const elapsed = performance.now() - start;
  const { transport } = client;
  client.close();
  return { elapsed, transport };
}

async function connectWithHangingWebsocket(browser, proxy) {
  const times = [];
  proxy.hangWebSockets(true);
  for (let run = 0; run < CONNECT_RUNS; run++) {
    const page = await freshPage(browser, proxy.url);
    try {
      const { elapsed, transport } = await page.evaluate(timedConnect, proxy.url);
      if (transport !== 'sse') throw new Error(`connected over ${transport}, not sse`);
      times.push(elapsed);
    } finally {
      await page.close();
    }
  }
  proxy.hangWebSockets(false);
  return median(times);
}

async function recoverFromBlackhole(browser, proxy, transport) {
  const page = await freshPage(browser, proxy.url);
  try {
    await page.evaluate(async ({ url, transport }) => {
      const { connect } = await import('/dist/rtcwire.js');
      window.client = await connect(url, { transports: [transport] });
      window.connectedAt = [];
      client.on('state', (state) => {
        if (state === 'connected') connectedAt.push(performance.now());
      });
    }, { url: proxy.url, transport });
    const stalledAt = await page.evaluate(() => performance.now());
    proxy.stallAll();
    const reconnectedAt = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('not connected again within 60 s')), 60000);
          const check = () => {
            if (connectedAt.length === 0) return;
            clearTimeout(timer);
            resolve(connectedAt[0]);
          };
          client.on('state', check);
          check();
        }),
    );
    return reconnectedAt - stalledAt;
  } finally {
    await page.close();
  }
}

export async function run() {
  const server = await startServer({
    args: [
      ...APP_MOUNTS,
      '--ping-interval', String(PING_INTERVAL_MS),
      '--ping-timeout', String(PING_TIMEOUT_MS),
      '--drain-timeout', '2000',
    ],
    cwd: repoRoot,
  });
  const proxy = await startFaultProxy({ targetPort: server.port });
  const browser = await launchChromium();
  try {
    const values = {
      connect_ws_hanging_sse_ms: await connectWithHangingWebsocket(browser, proxy),
    };
    for (const transport of ['polling', 'sse']) {
      const recoveries = [];
      for (let run = 0; run < RECOVERY_RUNS; run++) {
        recoveries.push(await recoverFromBlackhole(browser, proxy, transport));
      }
      values[`recover_blackhole_${transport}_ms`] = median(recoveries);
    }
    return Object.entries(values).map(([name, value]) => ({
      name,
      value: round3(value),
      unit: 'ms',
      baseline: `goal_ms=${GOALS_MS[name]}`,
      ratio: round3(value / GOALS_MS[name]),
    }));
  } finally {
    await browser.close();
    await proxy.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
