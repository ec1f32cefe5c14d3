// Whatever a server sends, the client answers with typed errors: never a crash, never a hang.
// The server here is a script (see support/scripted_server.mjs); the page is a real app page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';
import { routeToScript, WELCOME } from './support/scripted_server.mjs';

let server;
let browser;

before(async () => {
  server = await startAppServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A fresh app page whose WebSockets reach the script; connect() is started, not awaited.
// Reconnection is off, so a connection the script breaks ends in 'disconnected' with its error.
async function scriptedPage(options = {}) {
  const page = await openPage(browser, `${server.url}/app/`);
  const script = await routeToScript(page);
  const connecting = page.evaluate(
    (opts) => connectApp(undefined, opts).then(() => null, plain),
    { reconnect: { maxAttempts: 0 }, ...options },
  );
  const connection = await script.nextConnection();
  return { page, connection, connecting };
}

const envelope = (fields) => '4' + JSON.stringify({ v: 1, ...fields });
const openPacket = (timing = { pingInterval: 25000, pingTimeout: 20000 }) =>
  '0' + JSON.stringify({ sid: 's', upgrades: [], maxPayload: 1000000, ...timing });
const untilDisconnected = (page) =>
  page.evaluate(() =>
    app.until('disconnected', (recorded) =>
      recorded.events('state').find(([state]) => state === 'disconnected'),
    ),
  );

test('the handshake: hello goes out, the welcome names the client, pings are answered', async () => {
  const { page, connection, connecting } = await scriptedPage();
  const hello = await connection.handshake();
  assert.match(hello, /^4\{/);
  assert.deepEqual(JSON.parse(hello.slice(1)), { v: 1, t: 'hello', sdk: 'rtcwire-js/0.1.0' });
  assert.equal(await connecting, null);
  const client = await page.evaluate(() => [
    app.client.state,
    app.client.peerId,
    app.client.maxMessageBytes,
  ]);
  assert.deepEqual(client, ['connected', WELCOME.peer, WELCOME.maxMessageBytes]);
  connection.send('2');
  assert.equal(await connection.nextFrame('the pong'), '3');
  await page.close();
});

test('invalid envelopes are reported as remote errors and the client stays connected', async () => {
  const { page, connection, connecting } = await scriptedPage();
  await connection.handshake();
  assert.equal(await connecting, null);
  const hostile = [
    ['4this is not json', 'malformed_json'],
    [envelope({ v: 2, t: 'direct', from: 'p', data: 1 }), 'unsupported_version'],
    [envelope({ t: 'teleport' }), 'unknown_type'],
    [envelope({ t: 'peer-joined', peer: '../../etc' }), 'invalid_peer'],
    [envelope({ t: 'direct', from: 'somebody' }), 'invalid_envelope'],
    ['4' + '['.repeat(5000) + ']'.repeat(5000), 'invalid_envelope'],
    [Buffer.from([0, 1, 2, 255]), 'invalid_envelope'],
    [envelope(WELCOME), 'invalid_state'],
    [envelope({ t: 'error', code: 'peer_not_found', message: 'nobody' }), 'peer_not_found'],
    [envelope({ t: 'error', code: 'from_the_future', message: 'new' }), 'internal'],
    [envelope({ t: 'direct', from: 'p', data: 'no seq' }), 'invalid_envelope'],
    [envelope({ t: 'ack', ack: 99 }), 'invalid_sequence'],
  ];
  for (const [frame] of hostile) connection.send(frame);
  // A gap is no error for the app: the envelope is dropped and a replay asked for from the last
  // envelope in order (docs/protocol.md §2.1).
  connection.send(envelope({ seq: 7, t: 'direct', from: 'p', data: 'a gap' }));
  let replayRequest;
  while (!replayRequest) {
    const frame = await connection.nextFrame('the replay request');
    if (typeof frame === 'string' && frame.includes('"replay":true')) replayRequest = JSON.parse(frame.slice(1));
  }
  assert.deepEqual(replayRequest, { v: 1, t: 'ack', ack: 0, replay: true });
  connection.send(envelope({ seq: 1, t: 'direct', from: 'still-fine', data: { after: 'all that' } }));
  // A duplicate is dropped without an error; the next in order arrives.
  connection.send(envelope({ seq: 1, t: 'direct', from: 'still-fine', data: 'duplicate' }));
  connection.send(envelope({ seq: 2, t: 'direct', from: 'still-fine', data: 'second' }));
  const messages = await page.evaluate(() =>
    app.until('the valid messages', (recorded) => recorded.messages().length >= 2 && recorded.messages()),
  );
  assert.deepEqual(messages, [
    { from: 'still-fine', kind: 'direct', data: { after: 'all that' } },
    { from: 'still-fine', kind: 'direct', data: 'second' },
  ]);
  const errors = await page.evaluate(() => app.events('error').map(([error]) => error));
  assert.deepEqual(
    errors.map(({ code, origin }) => [code, origin]),
    hostile.map(([, code]) => [code, 'remote']),
  );
  assert.match(errors.find(({ code }) => code === 'internal').message, /^from_the_future: new/);
  assert.equal(await page.evaluate(() => app.client.state), 'connected');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a broken Engine.IO packet or a close packet ends the connection with a remote error', async () => {
  for (const [frame, code] of [
    ['9garbage', 'malformed_packet'],
    ['0{"sid":"again"}', 'malformed_packet'],
    ['1', 'server_closed'],
  ]) {
    const { page, connection, connecting } = await scriptedPage();
    await connection.handshake();
    assert.equal(await connecting, null);
    connection.send(frame);
    const [, error] = await untilDisconnected(page);
    assert.deepEqual([error.code, error.origin], [code, 'remote'], `after ${frame}`);
    await page.close();
  }
});

// With only the websocket rung, a broken handshake is the answer (with more rungs, the client
// would go on to the next transport: see transports.test.mjs).
test('connect() over websocket alone rejects when the server breaks the handshake or never finishes it', async () => {
  const websocketOnly = { transports: ['websocket'] };
  const garbage = await scriptedPage(websocketOnly);
  garbage.connection.send(envelope({ t: 'welcome' }));
  const refused = await garbage.connecting;
  assert.deepEqual([refused.code, refused.origin], ['malformed_packet', 'remote']);
  await garbage.page.close();

  const silent = await scriptedPage({ ...websocketOnly, handshakeTimeout: 300 });
  silent.connection.send(openPacket());
  const timedOut = await silent.connecting;
  assert.deepEqual([timedOut.code, timedOut.origin], ['handshake_timeout', 'transport']);
  await silent.page.close();

  const dropped = await scriptedPage(websocketOnly);
  dropped.connection.socket.close({ code: 1011, reason: 'going away' });
  const closed = await dropped.connecting;
  assert.equal(closed.origin, 'transport');
  assert.match(closed.code, /^transport_(closed|error)$/);
  await dropped.page.close();
});

test('a server whose pings stop is detected by the ping deadline', async () => {
  const { page, connection, connecting } = await scriptedPage();
  connection.send(openPacket({ pingInterval: 200, pingTimeout: 100 }));
  await connection.nextFrame('the hello envelope');
  connection.send(envelope(WELCOME));
  assert.equal(await connecting, null);
  const [, error] = await untilDisconnected(page);
  assert.deepEqual([error.code, error.origin], ['ping_timeout', 'transport']);
  await page.close();
});

// The HTTP transports meet the same hostility: each answer below is the server's (page.route
// plays it), and connect() over that transport alone rejects with a typed error.
test('hostile polling and SSE answers end the attempt with typed errors', async () => {
  const cases = [
    ['polling', { status: 200, contentType: 'text/plain', body: 'garbage' }, ['malformed_packet', 'remote']],
    ['polling', { status: 200, contentType: 'text/plain', body: '4{"v":1}' }, ['malformed_packet', 'remote']],
    ['polling', { status: 200, contentType: 'text/plain', body: '0{"sid":' }, ['malformed_packet', 'remote']],
    ['polling', { status: 500, contentType: 'text/plain', body: 'boom' }, ['transport_error', 'transport']],
    // Endless bodies are not read to the end of memory (js/platform/http_requests.js).
    ['polling', { status: 200, contentType: 'text/plain', body: '4'.repeat(16 * 1024 * 1024 + 1) }, ['transport_closed', 'transport']],
    ['sse', { status: 200, contentType: 'text/event-stream', body: 'data: not a JSON string\n\n' }, ['malformed_packet', 'remote']],
    ['sse', { status: 200, contentType: 'text/event-stream', body: 'data: "9nonsense"\n\n' }, ['malformed_packet', 'remote']],
    ['sse', { status: 404, contentType: 'text/plain', body: 'no' }, ['transport_error', 'transport']],
  ];
  for (const [transport, answer, expected] of cases) {
    const page = await openPage(browser, `${server.url}/app/`);
    await page.route(new RegExp(`/engine\\.io/\\?.*transport=${transport}`), (route) => route.fulfill(answer));
    // A long handshake timeout: each answer must fail on its own merits, never on the clock
    // (Chromium can take seconds to hand a loaded page the 16 MiB body).
    const error = await page.evaluate(
      (transports) => connectApp(undefined, { transports, handshakeTimeout: 120000 }).then(() => null, plain),
      [transport],
    );
    const what = `${transport} ${JSON.stringify(answer).slice(0, 100)}`;
    assert.ok(error, `${what} connected`);
    assert.deepEqual([error.code, error.origin], expected, what);
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});
