// The resilience promise, through the real SDK in Chromium and a real rtcwire-server: once
// connected, every message is delivered exactly once and in order across dropped connections
// (resets, dead paths), and when a resume is impossible (server restarted) the app is told.
// The fault-injecting proxy (tests/lib/fault_proxy.mjs) sits between the pages and the server.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startFaultProxy } from '../lib/fault_proxy.mjs';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium } from './support/browser.mjs';
import { assertExactlyOnceInOrder, connectStreamPair, send, untilReceived } from './support/stream_pages.mjs';

const MESSAGES = 10000;
// Server liveness short enough that a dead path is noticed within seconds, by both sides.
// Each page streams 2,000 envelopes a second, over the default rate limit of 1,000.
const SERVER_ARGS = [
  '--ping-interval', '1000', '--ping-timeout', '1000',
  '--rate-messages', '10000', '--rate-message-burst', '20000',
];

let browser;
let server;
let proxy;
let pages = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await bounded(browser?.close(), 'closing the browser');
});

// Clean-up that does not finish says which step hung, instead of the whole file timing out.
function bounded(promise, what, ms = 15000) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

afterEach(async () => {
  await bounded(Promise.all(pages.map((page) => page.close())), 'closing the pages');
  pages = [];
  await bounded(proxy?.close(), 'closing the proxy');
  proxy = null;
  await bounded(server?.stop(), 'stopping the server');
  server = null;
});

async function startBehindProxy(extraArgs = []) {
  server = await startAppServer([...SERVER_ARGS, ...extraArgs]);
  proxy = await startFaultProxy({ targetPort: server.port });
}

const connectPair = async (room, options) => {
  pages = await connectStreamPair(browser, proxy.url, room, options);
  return pages;
};

const resumedConnects = (summary) =>
  summary.states.filter(([state, , details]) => state === 'connected' && details.resumed).length;

for (const transport of ['websocket', 'polling']) {
  // Polling carries fewer messages: each one costs HTTP round trips, and the point is the resets.
  const count = transport === 'websocket' ? MESSAGES : 2000;
  test(`${count} messages each way over ${transport}, connections reset every 1-3 s: none lost, none twice, in order`, async (t) => {
    await startBehindProxy();
    const [alice, bob] = await connectPair(`resets-${transport}`, { transports: [transport] });
    const stopResets = proxy.resetRandomly({ minMs: 1000, maxMs: 3000 });
    try {
      // Polling goes slower, so that resets land on requests in flight.
      const batch = transport === 'websocket' ? 50 : 10;
      await Promise.all([send(alice, count, batch, 25), send(bob, count, batch, 25)]);
      const summaries = await Promise.all([alice, bob].map((page) => untilReceived(page, count, 90000)));
      for (const summary of summaries) assertExactlyOnceInOrder(summary, count);
    } finally {
      stopResets();
    }
    assert.ok(proxy.resets >= 2, `the proxy reset ${proxy.resets} connections`);
    const resumed = (await Promise.all([alice, bob].map((p) => p.evaluate(() => stream.summary()))))
      .map(resumedConnects)
      .reduce((sum, n) => sum + n, 0);
    t.diagnostic(`${proxy.resets} connections reset, ${resumed} sessions resumed`);
    // A polling session lives in its sid, not in a TCP connection: a reset costs it one request,
    // which the browser retries (the seq makes a retried POST harmless). A websocket dies with
    // its connection, so there the session must have been resumed.
    if (transport === 'websocket') assert.ok(resumed >= 1, 'at least one session was resumed');
    for (const page of pages) assert.deepEqual(page.errors, []);
  });
}

test('a dead path (no FIN, no RST) is noticed by the ping deadline and the session resumes', async () => {
  await startBehindProxy();
  const [alice, bob] = await connectPair('blackhole', { transports: ['websocket'] });
  const sending = Promise.all([send(alice, MESSAGES, 50, 25), send(bob, MESSAGES, 50, 25)]);
  // Mid-stream, the open connections go silent; new ones pass.
  await Promise.all([alice, bob].map((page) => untilReceived(page, 1000, 30000)));
  proxy.stallAll();
  await sending;
  const summaries = await Promise.all([alice, bob].map((page) => untilReceived(page, MESSAGES, 90000)));
  for (const summary of summaries) {
    assertExactlyOnceInOrder(summary, MESSAGES);
    // Behind a stalled path nothing arrives, not even the server's close: only the ping deadline
    // can tell. (On a loaded machine other losses may come first; they resume too.)
    const noticed = summary.states.filter(([state]) => state === 'reconnecting').map(([, code]) => code);
    assert.ok(noticed.includes('ping_timeout'), `the dead connection was noticed: ${noticed}`);
    assert.ok(resumedConnects(summary) >= 1, 'and resumed its session');
  }
  assert.ok(proxy.stalls >= 2, `the proxy stalled ${proxy.stalls} connections`);
});

test('a server killed and restarted mid-stream: resumed false, resync, connected again by itself', async () => {
  await startBehindProxy();
  const [alice, bob] = await connectPair('restart', { transports: ['websocket'] });
  const sending = Promise.all([send(alice, 3000, 50, 25), send(bob, 3000, 50, 25)]);
  await Promise.all([alice, bob].map((page) => untilReceived(page, 500, 30000)));
  const port = server.port;
  process.kill(server.pid, 'SIGKILL');
  await server.exited;
  server = await startAppServer([...SERVER_ARGS, '--port', String(port)]);
  await sending;
  for (const page of [alice, bob]) {
    const summary = await page.evaluate(() =>
      stream.until('the resync', (s) => s.resyncs.length === 1 && s.client.state === 'connected', 30000),
    );
    const [reconnecting, , connected] = [
      summary.states.find(([state]) => state === 'reconnecting'),
      null,
      summary.states.findLast(([state]) => state === 'connected'),
    ];
    // Through the proxy the loss shows as a close, or, when the FIN is lost in the teardown, as
    // the ping deadline passing: either way a transport failure, noticed by itself.
    assert.match(reconnecting[1], /^(transport_(closed|error)|ping_timeout)$/);
    assert.deepEqual(connected[2], { resumed: false });
    const [resync] = summary.resyncs;
    assert.equal(resync[0].reason.code, 'session_expired');
    assert.ok(Array.isArray(resync[0].undelivered), JSON.stringify(resync));
    for (const item of resync[0].undelivered) assert.equal(item.type, 'direct');
    // What did arrive before the loss arrived in order and once.
    assert.equal(summary.duplicates, 0);
    assert.equal(summary.gaps, 0);
    // The new session is usable without the app doing anything but join.
    assert.match(summary.peerId, /^[A-Za-z0-9_-]+$/);
  }
  const rejoined = await alice.evaluate(() => stream.client.join('after-restart'));
  assert.deepEqual(rejoined, { room: 'after-restart', peers: [] });
});
