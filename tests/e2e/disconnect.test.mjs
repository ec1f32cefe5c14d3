// Losing the server: clients show 'disconnected' with a transport error, and reconnect() works
// once a server is back on the same address.
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

const untilState = (state) =>
  page.evaluate(
    (wanted) =>
      app.until(`state ${wanted}`, (recorded) =>
        recorded.events('state').find(([state]) => state === wanted),
      ),
    state,
  );

test('a killed server leaves the client disconnected with a transport error', async () => {
  await page.evaluate(async () => {
    await connectApp();
    await app.client.join('doomed-room');
  });
  // Frozen, the server cannot answer the next join: its promise must settle by the disconnection.
  process.kill(server.pid, 'SIGSTOP');
  await page.evaluate(() => {
    window.pendingJoin = app.client.join('never-answered').then(() => null, plain);
  });
  process.kill(server.pid, 'SIGKILL');
  assert.equal((await server.exited).signal, 'SIGKILL');

  const [, error] = await untilState('disconnected');
  assert.equal(error.name, 'RtcwireError');
  assert.equal(error.origin, 'transport');
  assert.match(error.code, /^transport_(closed|error)$/);
  const client = await page.evaluate(() => ({
    state: app.client.state,
    peerId: app.client.peerId,
    room: app.client.room,
    peers: app.client.peers,
  }));
  assert.deepEqual(client, { state: 'disconnected', peerId: null, room: null, peers: [] });
  assert.deepEqual(await page.evaluate(() => pendingJoin), error);
  const refused = await page.evaluate(() => thrownBy(() => app.client.publish('into the void')));
  assert.equal(refused.code, 'not_connected');
});

test('reconnect() reaches a restarted server and the client works again', async () => {
  const port = server.port;
  server = await startAppServer(['--port', String(port)]);
  assert.equal(server.port, port);
  const result = await page.evaluate(async () => {
    await app.client.reconnect();
    const joined = await app.client.join('second-life');
    return { state: app.client.state, peerId: app.client.peerId, joined };
  });
  assert.equal(result.state, 'connected');
  assert.match(result.peerId, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(result.joined, { room: 'second-life', peers: [] });
  const states = await page.evaluate(() => app.events('state').map(([state]) => state));
  assert.deepEqual(states, ['disconnected', 'connecting', 'connected']);
  assert.deepEqual(page.errors, []);
});

test('a graceful server shutdown also ends in disconnected', async () => {
  await server.stop('SIGTERM');
  const [, error] = await untilState('disconnected');
  assert.ok(['transport', 'remote'].includes(error.origin), JSON.stringify(error));
  assert.match(error.code, /^(transport_closed|transport_error|server_closed)$/);
});
