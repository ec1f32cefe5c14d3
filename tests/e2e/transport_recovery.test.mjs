// Transport recovery in Chromium through the fault proxy (tests/lib/fault_proxy.mjs), against a
// real rtcwire-server: a long-poll response lost in flight, dead paths on SSE and polling, a
// graceful shutdown with polling clients, a websocket that hangs, and the in-session upgrade back
// to websocket. Timings are benchmarks (bench/transport_recovery.mjs); these tests check outcomes.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startFaultProxy } from '../lib/fault_proxy.mjs';
import { startServer } from '../lib/server_process.mjs';
import { APP_MOUNTS } from './support/app_server.mjs';
import { launchChromium } from './support/browser.mjs';
import { assertExactlyOnceInOrder, connectStreamPair, send, untilReceived } from './support/stream_pages.mjs';

// The liveness of the runs: a dead path is noticed within 3 s.
const SERVER_ARGS = [...APP_MOUNTS, '--ping-interval', '2000', '--ping-timeout', '1000'];

let browser;
let server;
let proxy;
let pages = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

afterEach(async () => {
  await Promise.all(pages.map((page) => page.close()));
  pages = [];
  await proxy?.close();
  proxy = null;
  await server?.stop();
  server = null;
});

async function startBehindProxy(extraArgs = ['--drain-timeout', '2000']) {
  server = await startServer({ args: [...SERVER_ARGS, ...extraArgs] });
  proxy = await startFaultProxy({ targetPort: server.port });
}

const connectPair = async (room, options) => {
  pages = await connectStreamPair(browser, proxy.url, room, options);
  return pages;
};

// Exactly once and in order, and the app saw no error (no invalid_sequence storm).
function assertSessionContinued(summary, count) {
  assertExactlyOnceInOrder(summary, count);
  assert.deepEqual(summary.errors, [], 'the app saw no error (no invalid_sequence storm)');
}

for (const midBody of [false, true]) {
  test(`a long-poll response lost ${midBody ? 'mid-body' : 'whole'}: nothing lost, nothing twice, no error`, async (t) => {
    await startBehindProxy();
    const [alice, bob] = await connectPair(`lost-response-${midBody}`, { transports: ['polling'] });
    const sending = send(alice, 900, 10, 20);
    await untilReceived(bob, 200);
    // The next response carrying one of alice's messages to bob dies on the way.
    proxy.dropNextResponse({ match: /"t":"direct"/, midBody });
    await sending;
    const summary = await untilReceived(bob, 900);
    assertSessionContinued(summary, 900);
    assert.equal(proxy.dropped, 1, 'one response was swallowed');
    const reconnects = summary.states.filter(([state]) => state === 'reconnecting').length;
    t.diagnostic(`bob reconnected ${reconnects} time(s)`);
    for (const page of pages) assert.deepEqual(page.errors, []);
  });
}

for (const transport of ['sse', 'polling']) {
  test(`a dead path on ${transport} is noticed by the ping deadline and the session resumes intact`, async () => {
    await startBehindProxy();
    const [alice, bob] = await connectPair(`blackhole-${transport}`, { transports: [transport] });
    const sending = Promise.all([send(alice, 1500, 10, 20), send(bob, 1500, 10, 20)]);
    await Promise.all([alice, bob].map((page) => untilReceived(page, 200)));
    proxy.stallAll();
    await sending;
    for (const page of [alice, bob]) {
      const summary = await untilReceived(page, 1500);
      assertSessionContinued(summary, 1500);
      const noticed = summary.states.filter(([state]) => state === 'reconnecting').map(([, code]) => code);
      assert.ok(noticed.length >= 1, 'the dead path was noticed');
      const resumed = summary.states.filter(([state, , details]) => state === 'connected' && details.resumed);
      assert.ok(resumed.length >= 1, 'and the session resumed');
    }
    assert.ok(proxy.stalls >= 2, `the proxy stalled ${proxy.stalls} connections`);
  });
}

test('SIGTERM with polling clients: they get their goaway and the server does not wait for them', async () => {
  // A drain timeout far beyond the test's own: a server that waited for it would time the test out.
  await startBehindProxy(['--drain-timeout', '600000', '--goaway-spread', '100']);
  const [alice, bob] = await connectPair('sigterm-polling', { transports: ['polling'] });
  process.kill(server.pid, 'SIGTERM');
  const exit = await server.exited;
  assert.equal(exit.code, 0);
  assert.doesNotMatch(server.stderr(), /drain timeout/);
  for (const page of [alice, bob]) {
    const summary = await page.evaluate(() =>
      stream.until('the goaway', (s) => s.states.some(([, code]) => code === 'going_away'), 10000),
    );
    assert.ok(summary.states.some(([state, code]) => state === 'reconnecting' && code === 'going_away'));
  }
  server = null;
});

test('a websocket that hangs: the session starts on sse, then moves to websocket in-session once it works', async () => {
  await startBehindProxy();
  proxy.hangWebSockets(true);
  const [alice, bob] = await connectPair('hanging-websocket', {});
  for (const page of [alice, bob]) assert.equal(await page.evaluate(() => stream.client.transport), 'sse');
  assert.ok(proxy.hungWebSockets >= 2, `${proxy.hungWebSockets} websocket handshakes hung`);
  // The network stops eating websockets: the next probe (about 5 s after the failed one, which
  // gives up after the 10 s upgrade timeout) moves the running session, messages flowing.
  proxy.hangWebSockets(false);
  const sending = Promise.all([send(alice, 3000, 10, 100), send(bob, 3000, 10, 100)]);
  await Promise.all(
    [alice, bob].map((page) =>
      page.waitForFunction(() => stream.client.transport === 'websocket', null, { timeout: 60000 }),
    ),
  );
  await sending;
  for (const page of [alice, bob]) {
    const summary = await untilReceived(page, 3000);
    assertSessionContinued(summary, 3000);
    assert.deepEqual(summary.states, [], 'one session, never interrupted');
  }
});
