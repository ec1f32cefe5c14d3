// Misuse and failures surface as RtcwireError with the core's codes, never as hangs or crashes.
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
  await page.evaluate(() => connectApp());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const local = (code) => ({ name: 'RtcwireError', code, origin: 'local', isRtcwireError: true });

// What `call` (run in the page, with the connected client) throws synchronously, minus the message.
async function thrown(call) {
  const error = await page.evaluate(`thrownBy(() => (${call})(app.client))`);
  assert.ok(error, `${call} did not throw`);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  delete error.message;
  return error;
}

test('commands that need a room throw not_in_room before joining', async () => {
  assert.deepEqual(await thrown('(c) => c.publish({ text: "early" })'), local('not_in_room'));
  assert.deepEqual(await thrown('(c) => c.send("somebody", 1)'), local('not_in_room'));
  assert.deepEqual(await thrown('(c) => c.leave()'), local('not_in_room'));
});

test('bad room names throw invalid_room, wrong argument types invalid_argument', async () => {
  assert.deepEqual(await thrown('(c) => c.join("")'), local('invalid_room'));
  assert.deepEqual(await thrown('(c) => c.join("x".repeat(129))'), local('invalid_room'));
  assert.deepEqual(await thrown('(c) => c.join("tab\\there")'), local('invalid_room'));
  assert.deepEqual(await thrown('(c) => c.join(42)'), local('invalid_argument'));
  assert.deepEqual(await thrown('(c) => c.on("no-such-event", () => {})'), local('invalid_argument'));
  assert.deepEqual(await thrown('(c) => c.on("message", "not a function")'), local('invalid_argument'));
});

test('data that is not JSON or is too large is refused in the room', async () => {
  await page.evaluate(() => app.client.join('errors-room'));
  assert.deepEqual(await thrown('(c) => c.publish(undefined)'), local('invalid_argument'));
  assert.deepEqual(await thrown('(c) => c.publish(() => 1)'), local('invalid_argument'));
  assert.deepEqual(await thrown('(c) => c.publish({ big: 1n })'), local('invalid_argument'));
  assert.deepEqual(
    await thrown('(c) => { const a = []; a.push(a); return c.publish(a); }'),
    local('invalid_argument'),
  );
  // A lone surrogate has no UTF-8 form.
  assert.deepEqual(await thrown('(c) => c.publish("\\ud800")'), local('invalid_argument'));
  assert.deepEqual(
    await thrown('(c) => c.publish(JSON.parse("[".repeat(40) + "]".repeat(40)))'),
    local('invalid_argument'),
  );
  const limit = await page.evaluate(() => app.client.maxMessageBytes);
  assert.ok(limit > 0);
  assert.deepEqual(
    await thrown(`(c) => c.publish("x".repeat(${limit}))`),
    local('message_too_large'),
  );
  assert.deepEqual(await thrown('(c) => c.send("nobody-here", 1)'), local('peer_not_found'));
  assert.deepEqual(await thrown('(c) => c.send("../bad id", 1)'), local('peer_not_found'));
  assert.deepEqual(await thrown('(c) => c.reconnect()'), local('invalid_state'));
  // None of that changed the client.
  assert.deepEqual(await page.evaluate(() => [app.client.state, app.client.room]), [
    'connected',
    'errors-room',
  ]);
});

test('listeners: a throwing one does not stop the others; once, off and unsubscribe work', async () => {
  const other = await openPage(browser, `${server.url}/app/`);
  await other.evaluate(() => connectApp());
  await page.evaluate(() => {
    window.calls = { once: 0, offAfterFirst: 0, unsubscribed: 0, afterThrow: 0 };
    app.client.on('message', () => {
      throw new Error('app bug');
    });
    app.client.on('message', () => calls.afterThrow++);
    app.client.once('message', () => calls.once++);
    const offAfterFirst = () => {
      calls.offAfterFirst++;
      app.client.off('message', offAfterFirst);
    };
    app.client.on('message', offAfterFirst);
    const unsubscribe = app.client.on('message', () => calls.unsubscribed++);
    unsubscribe();
  });
  await other.evaluate(() => app.client.join('errors-room'));
  await other.evaluate(() => app.client.publish({ n: 1 }));
  await other.evaluate(() => app.client.publish({ n: 2 }));
  const received = await page.evaluate(() =>
    app.until('two messages', (recorded) => recorded.messages().length >= 2 && recorded.messages()),
  );
  assert.deepEqual(received.map((message) => message.data), [{ n: 1 }, { n: 2 }]);
  assert.deepEqual(await page.evaluate(() => calls), {
    once: 1,
    offAfterFirst: 1,
    unsubscribed: 0,
    afterThrow: 2,
  });
  const errors = await page.untilErrors(2);
  assert.deepEqual(errors.map((error) => error.message), ['app bug', 'app bug']);
  page.errors.length = 0;
  await other.close();
});

test('after close() the client is closed and refuses commands with not_connected', async () => {
  const states = await page.evaluate(async () => {
    const pending = app.client.join('never-confirmed');
    app.client.close();
    app.client.close();
    const outcome = await pending.then(() => null, plain);
    return { state: app.client.state, peerId: app.client.peerId, outcome, events: app.events('state') };
  });
  assert.equal(states.state, 'closed');
  assert.equal(states.peerId, null);
  assert.equal(states.outcome.code, 'not_connected');
  assert.deepEqual(states.events, [['closed', null, {}]]);
  assert.deepEqual(await thrown('(c) => c.join("again")'), local('not_connected'));
  assert.deepEqual(await thrown('(c) => c.publish(1)'), local('not_connected'));
  assert.deepEqual(page.errors, []);
});

test('connect() rejects with a typed error for bad URLs, bad options and an unreachable server', async () => {
  const failures = await page.evaluate(async (closedPort) => {
    const attempt = (url, options) => rtcwire.connect(url, options).then(() => null, plain);
    return {
      scheme: await attempt('ftp://127.0.0.1/'),
      timeout: await attempt(undefined, { handshakeTimeout: -5 }),
      transports: [
        await attempt(undefined, { transports: 'websocket' }),
        await attempt(undefined, { transports: [] }),
        await attempt(undefined, { transports: ['websocket', 'websocket'] }),
        await attempt(undefined, { transports: ['carrier-pigeon'] }),
        await attempt(undefined, { transports: ['websocket', 'sse', 'polling', 'sse'] }),
      ],
      // One rung only: the WebSocket's own failure is the answer.
      unreachable: await attempt(`http://127.0.0.1:${closedPort}/`, { transports: ['websocket'] }),
    };
  }, await closedPort());
  assert.equal(failures.scheme.code, 'invalid_argument');
  assert.equal(failures.scheme.origin, 'local');
  assert.equal(failures.timeout.code, 'invalid_argument');
  for (const failure of failures.transports) {
    assert.deepEqual([failure.code, failure.origin], ['invalid_argument', 'local']);
  }
  assert.equal(failures.unreachable.origin, 'transport');
  assert.match(failures.unreachable.code, /^transport_(closed|error)$/);
  assert.match(failures.unreachable.message, /^websocket /);
});

test('when every rung of the ladder fails, connect() rejects with the last rung\'s error', async () => {
  const failures = await page.evaluate(async (closedPort) => {
    const attempt = (options) =>
      rtcwire.connect(`http://127.0.0.1:${closedPort}/`, options).then(() => null, plain);
    return {
      // The default ladder: websocket, sse, then polling, whose GET fails without a response.
      all: await attempt(),
      // Ending with sse: its EventSource fails.
      endingWithSse: await attempt({ transports: ['polling', 'websocket', 'sse'] }),
      endingWithWebsocket: await attempt({ transports: ['sse', 'polling', 'websocket'] }),
    };
  }, await closedPort());
  assert.deepEqual([failures.all.code, failures.all.origin], ['transport_closed', 'transport']);
  assert.match(failures.all.message, /^polling GET failed: network error/);
  assert.deepEqual(
    [failures.endingWithSse.code, failures.endingWithSse.origin],
    ['transport_error', 'transport'],
  );
  assert.match(failures.endingWithSse.message, /^sse transport error/);
  assert.equal(failures.endingWithWebsocket.origin, 'transport');
  assert.match(failures.endingWithWebsocket.code, /^transport_(closed|error)$/);
  assert.match(failures.endingWithWebsocket.message, /^websocket /);
  assert.deepEqual(page.errors, []);
});

// A port that was just free: a server started and stopped on it.
async function closedPort() {
  const probe = await startAppServer();
  await probe.stop();
  return probe.port;
}
