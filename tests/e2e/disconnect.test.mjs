// Losing the server: clients go 'reconnecting' with a transport error, keep their session (and
// queue what the app sends) while retrying with backoff, and come back by themselves once a server
// is back on the same address; a restarted server knows nothing of the session, so they get a new
// one and a 'resync' that lists what was never acknowledged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await startAppServer();
  browser = await launchChromium();
  page = await openPage(browser, `${server.url}/app/`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Resolves with the `nth` (1-based) recorded `state` event equal to `wanted`.
const untilState = (wanted, nth = 1, timeoutMs = 5000) =>
  page.evaluate(
    ({ wanted, nth, timeoutMs }) =>
      app.until(
        `state ${wanted} #${nth}`,
        (recorded) => recorded.events('state').filter(([state]) => state === wanted)[nth - 1],
        timeoutMs,
      ),
    { wanted, nth, timeoutMs },
  );

test('a killed server leaves the client reconnecting with a transport error', async () => {
  await page.evaluate(async () => {
    await connectApp();
    await app.client.join('doomed-room');
  });
  // Frozen, the server cannot answer the next join: its promise must settle by the loss.
  process.kill(server.pid, 'SIGSTOP');
  await page.evaluate(() => {
    window.pendingJoin = app.client.join('never-answered').then(() => null, plain);
  });
  process.kill(server.pid, 'SIGKILL');
  assert.equal((await server.exited).signal, 'SIGKILL');

  const [, error, details] = await untilState('reconnecting');
  assert.equal(error.name, 'RtcwireError');
  assert.equal(error.origin, 'transport');
  assert.match(error.code, /^transport_(closed|error)$/);
  assert.equal(details.attempt, 1);
  assert.ok(details.retryIn >= 0 && details.retryIn <= 500, JSON.stringify(details));
  // The session is kept for a resume: same peer id, same room.
  const client = await page.evaluate(() => ({
    peerId: app.client.peerId,
    room: app.client.room,
    peers: app.client.peers,
  }));
  assert.match(client.peerId, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual({ ...client, peerId: null }, { peerId: null, room: 'doomed-room', peers: [] });
  // Sending while reconnecting queues the message until the session is resumed.
  const queued = await page.evaluate(() => {
    const before = app.client.bufferedAmount;
    const thrown = thrownBy(() => app.client.publish('into the void'));
    return { thrown, grew: app.client.bufferedAmount > before };
  });
  assert.deepEqual(queued, { thrown: null, grew: true });
  // With no server it keeps trying, with growing attempt numbers.
  const [, , later] = await untilState('reconnecting', 3);
  assert.equal(later.attempt, 3);
});

test('a restarted server on the same address: the client reconnects by itself and resyncs', async () => {
  const port = server.port;
  server = await startAppServer(['--port', String(port)]);
  assert.equal(server.port, port);
  // The record starts after connect() resolved, so this is the first 'connected' it holds.
  // Attempt delays are capped at 10 s by default; the attempts so far wait far less.
  const [, error, details] = await untilState('connected', 1, 15000);
  assert.equal(error, null);
  assert.deepEqual(details, { resumed: false });
  const result = await page.evaluate(async () => {
    await app.until('resync', (recorded) => recorded.events('resync').length === 1);
    const [[resync]] = app.events('resync');
    const joined = await app.client.join('second-life');
    return { state: app.client.state, peerId: app.client.peerId, joined, resync, pendingJoin: await pendingJoin };
  });
  // The new server could not resume the session: the app hears why, and what never arrived.
  assert.equal(result.resync.reason.code, 'session_expired');
  // The first join was answered, but its ack (sent within 100 ms) may not have left the server
  // before it froze: then it is listed too, as "maybe processed".
  const { undelivered } = result.resync;
  const answeredButUnacked = undelivered.length === 3 ? [{ type: 'join', room: 'doomed-room' }] : [];
  assert.deepEqual(undelivered, [
    ...answeredButUnacked,
    { type: 'join', room: 'never-answered' },
    { type: 'publish', data: 'into the void' },
  ]);
  assert.equal(result.pendingJoin.code, 'session_expired');
  assert.equal(result.state, 'connected');
  assert.match(result.peerId, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(result.joined, { room: 'second-life', peers: [] });
  const states = await page.evaluate(() => app.events('state').map(([state]) => state));
  assert.equal(states[0], 'reconnecting');
  assert.equal(states.at(-1), 'connected');
  assert.ok(states.every((state) => ['reconnecting', 'connecting', 'connected'].includes(state)));
  assert.deepEqual(page.errors, []);
});

test('a graceful server shutdown sends a goaway: the client reconnects within the spread it names', async () => {
  const before = await reconnectingCount();
  await server.stop('SIGTERM');
  const [, error, details] = await untilState('reconnecting', before + 1);
  assert.deepEqual([error.code, error.origin], ['going_away', 'remote']);
  assert.ok(details.retryIn >= 0 && details.retryIn <= 10000, JSON.stringify(details));
});

test('maxAttempts bounds the retries: then the client is disconnected and reconnect() works', async () => {
  // The page stays on the first server's origin, which is not this server's own.
  server = await startAppServer(['--allowed-origins', new URL(page.url()).origin]);
  const outcome = await page.evaluate(async (url) => {
    app.client.close();
    await connectApp(url, { reconnect: { initialDelay: 20, maxDelay: 40, maxAttempts: 2 } });
    return url;
  }, server.url);
  assert.equal(outcome, server.url);
  const port = server.port;
  process.kill(server.pid, 'SIGKILL');
  await server.exited;
  const [, error] = await untilState('disconnected');
  assert.equal(error.origin, 'transport');
  const attempts = await page.evaluate(() =>
    app.events('state').filter(([state]) => state === 'reconnecting').map(([, , d]) => d.attempt),
  );
  assert.deepEqual(attempts, [1, 2]);
  server = await startAppServer(['--port', String(port), '--allowed-origins', new URL(page.url()).origin]);
  const state = await page.evaluate(async () => {
    await app.client.reconnect();
    return app.client.state;
  });
  assert.equal(state, 'connected');
});

async function reconnectingCount() {
  return page.evaluate(
    () => app.events('state').filter(([state]) => state === 'reconnecting').length,
  );
}
