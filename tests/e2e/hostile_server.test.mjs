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
async function scriptedPage(options = {}) {
  const page = await openPage(browser, `${server.url}/app/`);
  const script = await routeToScript(page);
  const connecting = page.evaluate(
    (opts) => connectApp(undefined, opts).then(() => null, plain),
    options,
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
  ];
  for (const [frame] of hostile) connection.send(frame);
  connection.send(envelope({ t: 'direct', from: 'still-fine', data: { after: 'all that' } }));
  const message = await page.evaluate(() =>
    app.until('the valid message', (recorded) => recorded.messages()[0]),
  );
  assert.deepEqual(message, { from: 'still-fine', kind: 'direct', data: { after: 'all that' } });
  const errors = await page.evaluate(() => app.events('error').map(([error]) => error));
  assert.deepEqual(
    errors.map(({ code, origin }) => [code, origin]),
    hostile.map(([, code]) => [code, 'remote']),
  );
  assert.match(errors.at(-1).message, /^from_the_future: new/);
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

test('connect() rejects when the server breaks the handshake or never finishes it', async () => {
  const garbage = await scriptedPage();
  garbage.connection.send(envelope({ t: 'welcome' }));
  const refused = await garbage.connecting;
  assert.deepEqual([refused.code, refused.origin], ['malformed_packet', 'remote']);
  await garbage.page.close();

  const silent = await scriptedPage({ handshakeTimeout: 300 });
  silent.connection.send(openPacket());
  const timedOut = await silent.connecting;
  assert.deepEqual([timedOut.code, timedOut.origin], ['handshake_timeout', 'transport']);
  await silent.page.close();

  const dropped = await scriptedPage();
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
