// Reconnection after a server restart, in headless Chromium against rtcwire-server:
// - resume_after_restart_ms: one client, the server killed (SIGKILL) and started again on the
//   same port after RESTART_DOWNTIME_MS; the time from the new server listening to the client's
//   'connected', median over RUNS, against the goal of 1 s with the default reconnect policy.
// - reconnect_first_second_fraction: CLIENTS clients, the server restarted gracefully (SIGTERM:
//   goaway, then a new process on the same port); the fraction of clients connected again within
//   the first second after the new server listens, against the goal of at most 0.20 (a restart
//   must not bring every client back at once). The same fraction after a SIGKILL restart (no
//   goaway, so only the backoff jitter spreads the clients) is printed for comparison.
//
//   node bench/resume.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';
import { APP_MOUNTS } from '../tests/e2e/support/app_server.mjs';
import { launchChromium } from '../tests/e2e/support/browser.mjs';
import { median, round3 } from './signal_rtt.mjs';

const RUNS = 9;
const RESTART_DOWNTIME_MS = 1000;
const CLIENTS = 100;
const GOAL_RESUME_MS = 1000;
const GOAL_FIRST_SECOND_FRACTION = 0.2;
const SERVER_ARGS = [...APP_MOUNTS, '--max-sessions-per-ip', String(CLIENTS * 2)];

// In the page: `count` clients that record the wall-clock time of each 'connected' after the
// first (so after a reconnect).
async function connectClients(count) {
  const { connect } = await import('/dist/rtcwire.js');
  window.reconnectedAt = [];
  let reconnected = 0;
  let everyone;
  window.everyoneReconnected = new Promise((resolve) => {
    everyone = resolve;
  });
  window.clients = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const client = await connect();
      client.on('state', (state) => {
        if (state !== 'connected' || window.reconnectedAt[index] !== undefined) return;
        window.reconnectedAt[index] = Date.now();
        if (++reconnected === count) everyone([...window.reconnectedAt]);
      });
      return client;
    }),
  );
}

// In the page: every client's reconnect time, once all are back; rejects after `timeoutMs`.
function allReconnected(timeoutMs) {
  return Promise.race([
    window.everyoneReconnected,
    new Promise((_, reject) =>
      setTimeout(() => {
        const done = window.reconnectedAt.filter((at) => at !== undefined).length;
        reject(new Error(`${done}/${window.clients.length} reconnected in ${timeoutMs} ms`));
      }, timeoutMs),
    ),
  ]);
}

async function restart(server, signal, downtimeMs) {
  const port = server.port;
  if (signal === 'SIGKILL') {
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
  } else {
    await server.stop(signal, 30000);
  }
  if (downtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, downtimeMs));
  const next = await startServer({ args: [...SERVER_ARGS, '--port', String(port)], cwd: repoRoot });
  return { server: next, listeningAt: Date.now() };
}

async function withPage(browser, server, count, body) {
  const page = await browser.newPage();
  try {
    const response = await page.goto(`${server.url}/app/`);
    if (!response?.ok()) throw new Error(`loading /app/ failed: HTTP ${response?.status()}`);
    await page.evaluate(connectClients, count);
    return await body(page);
  } finally {
    await page.close();
  }
}

async function resumeAfterRestart(browser) {
  let server = await startServer({ args: SERVER_ARGS, cwd: repoRoot });
  const times = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const elapsed = await withPage(browser, server, 1, async (page) => {
        const restarted = await restart(server, 'SIGKILL', RESTART_DOWNTIME_MS);
        server = restarted.server;
        const [at] = await page.evaluate(allReconnected, 30000);
        return at - restarted.listeningAt;
      });
      times.push(elapsed);
    }
  } finally {
    await server.stop();
  }
  return median(times);
}

async function firstSecondFraction(browser, signal) {
  let server = await startServer({ args: SERVER_ARGS, cwd: repoRoot });
  try {
    return await withPage(browser, server, CLIENTS, async (page) => {
      const restarted = await restart(server, signal, 0);
      server = restarted.server;
      const times = await page.evaluate(allReconnected, 60000);
      const early = times.filter((at) => at - restarted.listeningAt <= 1000).length;
      return early / times.length;
    });
  } finally {
    await server.stop();
  }
}

export async function run() {
  const browser = await launchChromium();
  try {
    const resumeMs = await resumeAfterRestart(browser);
    const graceful = await firstSecondFraction(browser, 'SIGTERM');
    const killed = await firstSecondFraction(browser, 'SIGKILL');
    return [
      {
        name: 'resume_after_restart_ms',
        value: round3(resumeMs),
        unit: 'ms',
        baseline: `goal_ms=${GOAL_RESUME_MS} (downtime ${RESTART_DOWNTIME_MS} ms)`,
        ratio: round3(resumeMs / GOAL_RESUME_MS),
      },
      {
        name: 'reconnect_first_second_fraction',
        value: round3(graceful),
        unit: 'fraction',
        baseline: `goal=${GOAL_FIRST_SECOND_FRACTION} (${CLIENTS} clients, SIGTERM)`,
        ratio: round3(graceful / GOAL_FIRST_SECOND_FRACTION),
      },
      {
        name: 'reconnect_first_second_fraction_sigkill',
        value: round3(killed),
        unit: 'fraction',
        baseline: `goal=${GOAL_FIRST_SECOND_FRACTION} (${CLIENTS} clients, SIGKILL, no goaway)`,
        ratio: round3(killed / GOAL_FIRST_SECOND_FRACTION),
      },
    ];
  } finally {
    await browser.close();
  }
}

if (import.meta.url === pathToFileURL(path.resolve(process.argv[1] ?? '')).href) {
  for (const figure of await run()) console.log(figure);
}
