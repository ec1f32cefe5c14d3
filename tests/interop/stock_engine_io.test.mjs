// The rtcwire client in Chromium against a stock Node `engine.io` server (support/stock_server.mjs):
// websocket, polling, the upgrade between them, heartbeats and a server-side close all follow
// Engine.IO v4 as others implement it; the SSE extension is refused and the client falls through.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, openPage } from '../e2e/support/browser.mjs';
import { startStockServer } from './support/stock_server.mjs';

let browser;
const servers = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
});

async function stockServer(options) {
  const server = await startStockServer(options);
  servers.push(server);
  return server;
}

async function connectedPage(server, options) {
  const page = await openPage(browser, `${server.url}/app/`);
  const connected = await page.evaluate((opts) => connectApp(undefined, opts), options);
  return { page, ...connected };
}

// Two pages join `room`, publish `count` messages each and receive the other's, once and in order.
async function chat(first, second, room, count) {
  await first.page.evaluate((name) => app.client.join(name), room);
  const joined = await second.page.evaluate((name) => app.client.join(name), room);
  assert.deepEqual(joined, { room, peers: [first.peerId] });
  await first.page.evaluate(
    (peer) => app.until(`peer ${peer}`, ({ client }) => client.peers.includes(peer)),
    second.peerId,
  );
  const publish = (n) => {
    for (let seq = 0; seq < n; seq++) app.client.publish({ seq });
  };
  await Promise.all([first.page.evaluate(publish, count), second.page.evaluate(publish, count)]);
  const receive = (n) =>
    app.until(`${n} messages`, (recorded) => recorded.messages().length >= n && recorded.messages());
  const expected = (from) => Array.from({ length: count }, (_, seq) => ({ from, kind: 'room', data: { seq } }));
  assert.deepEqual(await first.page.evaluate(receive, count), expected(second.peerId));
  assert.deepEqual(await second.page.evaluate(receive, count), expected(first.peerId));
}

async function closeAll(...connected) {
  for (const { page } of connected) {
    assert.deepEqual(page.errors, []);
    await page.close();
  }
}

test('over websocket: the handshake, rooms and messages work with the stock server', async () => {
  const server = await stockServer();
  const first = await connectedPage(server, { transports: ['websocket'] });
  const second = await connectedPage(server);
  assert.deepEqual([first.state, first.transport], ['connected', 'websocket']);
  assert.deepEqual([second.state, second.transport], ['connected', 'websocket']);
  await chat(first, second, 'interop-ws', 50);
  await closeAll(first, second);
});

test('over polling: the handshake, rooms and messages work with the stock server', async () => {
  const server = await stockServer({ transports: ['polling'] });
  const first = await connectedPage(server, { transports: ['polling'] });
  const second = await connectedPage(server, { transports: ['polling'] });
  assert.deepEqual([first.state, first.transport], ['connected', 'polling']);
  assert.equal(server.sessions.at(-1).socket.transport.name, 'polling');
  await chat(first, second, 'interop-polling', 50);
  await closeAll(first, second);
});

test('the stock server refuses SSE (400 Transport unknown) and the client falls through to polling', async () => {
  const server = await stockServer();
  const client = await connectedPage(server, { transports: ['sse', 'polling'] });
  assert.deepEqual([client.state, client.transport], ['connected', 'polling']);
  assert.equal(server.refusals.length, 1);
  assert.match(server.refusals[0].url, /[?&]transport=sse(&|$)/);
  assert.equal(server.refusals[0].message, 'Transport unknown');
  const other = await connectedPage(server, { transports: ['polling'] });
  await chat(client, other, 'interop-fallback', 10);
  await closeAll(client, other);
});

test('a polling session upgrades to websocket on the stock server and messages keep their order', async () => {
  const server = await stockServer();
  // The probe's WebSocket waits at a gate until the session is surely on polling.
  const page = await openPage(browser, `${server.url}/app/`);
  let openGate;
  const gate = new Promise((resolve) => (openGate = resolve));
  await page.routeWebSocket(/\/engine\.io\//, async (socket) => {
    await gate;
    socket.connectToServer();
  });
  const upgrader = {
    page,
    ...(await page.evaluate(() => connectApp(undefined, { transports: ['polling', 'websocket'] }))),
  };
  assert.equal(upgrader.transport, 'polling');
  openGate();
  const transport = await upgrader.page.evaluate(() =>
    app.until('the upgrade', ({ client }) => client.transport === 'websocket' && client.transport),
  );
  assert.equal(transport, 'websocket');
  assert.deepEqual(await upgrader.page.evaluate(() => app.events('transport')), [['websocket']]);
  await new Promise((resolve) => {
    const socket = server.sessions.at(-1).socket;
    if (socket.transport.name === 'websocket') resolve();
    else socket.once('upgrade', resolve);
  });
  const other = await connectedPage(server, { transports: ['polling'] });
  await chat(upgrader, other, 'interop-upgrade', 30);
  await closeAll(upgrader, other);
});

test('over polling the client answers the stock server\'s pings and stays connected', async () => {
  const server = await stockServer({ transports: ['polling'], pingInterval: 200, pingTimeout: 400 });
  const client = await connectedPage(server, { transports: ['polling'] });
  const socket = server.sessions.at(-1).socket;
  // Three pongs are three ping rounds: well past one pingInterval + pingTimeout.
  await new Promise((resolve, reject) => {
    let pongs = 0;
    const timer = setTimeout(() => reject(new Error('fewer than 3 pongs within 5 s')), 5000);
    socket.on('packet', ({ type }) => {
      if (type === 'pong' && ++pongs === 3) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  assert.equal(await client.page.evaluate(() => app.client.state), 'connected');
  assert.equal(socket.readyState, 'open');
  await closeAll(client);
});

// Over polling the stock server answers the pending GET with a close packet; over websocket it
// closes the socket without one.
test('a stock server closing the session leaves the client disconnected with a typed error', async () => {
  for (const [transports, expected] of [
    [['polling'], ['server_closed', 'remote']],
    [['websocket'], ['transport_closed', 'transport']],
  ]) {
    const server = await stockServer();
    // Reconnection off: the loss itself ends in 'disconnected' with its error.
    const client = await connectedPage(server, { transports, reconnect: { maxAttempts: 0 } });
    server.sessions.at(-1).socket.close();
    const [, error] = await client.page.evaluate(() =>
      app.until('disconnected', (recorded) => recorded.events('state').find(([state]) => state === 'disconnected')),
    );
    assert.deepEqual([error.code, error.origin], expected, transports[0]);
    await closeAll(client);
  }
});
