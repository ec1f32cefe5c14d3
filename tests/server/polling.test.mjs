// HTTP long-polling with the stock engine.io-client: handshake, rtcwire envelopes both ways through
// a room shared with a websocket peer, the heartbeat over polling, and the upgrade to websocket
// with every message delivered once, in order, across it.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS, UNLIMITED_RATE_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';
import { engineioUrl, openPolling, request } from './support/engineio_http.mjs';

const PING_INTERVAL = 250;

let server;
const peers = [];
before(async () => {
  server = await startServer({ args: [...QUICK_SESSION_ARGS, '--ping-interval', String(PING_INTERVAL), '--ping-timeout', '1000'] });
});
after(async () => {
  for (const peer of peers) peer.socket.close();
  await server.stop();
});

async function welcomed(transports) {
  const peer = await EnvelopePeer.welcomed(server.url, { transports });
  peers.push(peer);
  return peer;
}

test('a polling handshake offers the websocket upgrade and the configured heartbeat', async () => {
  const peer = new EnvelopePeer(server.url, { transports: ['polling'] });
  peers.push(peer);
  const handshake = await within(peer.handshake, 'the open packet');
  assert.match(handshake.sid, /^[0-9A-Za-z]{22}$/);
  assert.deepEqual(handshake.upgrades, ['websocket']);
  assert.equal(handshake.pingInterval, PING_INTERVAL);
  assert.equal(handshake.pingTimeout, 1000);
  assert.equal(handshake.maxPayload, 1000000);
  await server.waitForLog(new RegExp(`connect sid=${handshake.sid} .*transport=polling`));
});

test('a polling peer says hello and talks through a room with a websocket peer', async () => {
  const polling = await welcomed(['polling']);
  assert.equal(polling.socket.transport.name, 'polling');
  assert.match(polling.welcome.peer, /^[0-9A-Za-z]{16}$/);
  const ws = await welcomed(['websocket']);
  await polling.join('mixed');
  assert.deepEqual((await ws.join('mixed')).peers, [polling.id]);
  await polling.expect('peer-joined', (e) => e.peer === ws.id);

  polling.send({ v: 1, t: 'publish', data: { n: 1, text: 'über polling \u2603' } });
  assert.deepEqual((await ws.expect('publish')).data, { n: 1, text: 'über polling \u2603' });
  ws.send({ v: 1, t: 'direct', to: polling.id, data: 'down the long poll' });
  // After joined (1) and peer-joined (2).
  assert.deepEqual(await polling.expect('direct'), {
    seq: 3,
    v: 1,
    t: 'direct',
    from: ws.id,
    data: 'down the long poll',
  });
  // Several envelopes at once travel in one payload and stay in order.
  for (let n = 0; n < 20; n++) ws.send({ v: 1, t: 'publish', data: n });
  for (let n = 0; n < 20; n++) assert.equal((await polling.expect('publish')).data, n);
  assert.equal(polling.socket.transport.name, 'polling');
});

test('pings reach a polling peer and its pongs keep the session up', async () => {
  const peer = await welcomed(['polling']);
  let pings = 0;
  const fourPings = new Promise((resolve) => {
    peer.socket.on('ping', () => {
      if (++pings === 4) resolve();
    });
  });
  await within(fourPings, 'four pings over polling', PING_INTERVAL * 4 + 3000);
  assert.equal(peer.socket.readyState, 'open');
  await peer.join('after-pings');
});

test('a polling peer that stops polling is reaped by the heartbeat', async () => {
  const peer = await welcomed(['polling']);
  const watcher = await welcomed(['websocket']);
  await peer.join('reaped');
  await watcher.join('reaped');
  // Freeze the client: no more GETs or POSTs, as if the network had gone.
  peer.socket.transport.pause(() => {});
  await watcher.expect('peer-left', (e) => e.peer === peer.id, PING_INTERVAL + 1000 + 3000);
  await server.waitForLog(new RegExp(`disconnect .*peer=${peer.id}.*reason="ping timeout"`));
});

/** An HTTP agent whose connections wait until `open()`: it holds back a websocket upgrade. */
class GatedAgent extends http.Agent {
  #opened = new Promise((resolve) => {
    this.open = resolve;
  });

  createConnection(options, callback) {
    this.#opened.then(() => callback(null, net.createConnection(options)));
  }
}

test('polling then websocket: the upgrade event, and messages in order before, across and after it', async () => {
  const sender = await welcomed(['websocket']);
  const gate = new GatedAgent();
  const upgrader = new EnvelopePeer(server.url, {
    transports: ['polling', 'websocket'],
    transportOptions: { websocket: { agent: gate } },
  });
  peers.push(upgrader);
  const upgraded = new Promise((resolve) => upgrader.socket.once('upgrade', (t) => resolve(t.name)));
  const transportAtPublish = [];
  let onPublish = () => {};
  upgrader.socket.on('message', (data) => {
    if (JSON.parse(data).t !== 'publish') return;
    transportAtPublish.push(upgrader.socket.transport.name);
    onPublish();
  });
  const receivedAtLeast = (count, what) =>
    within(
      new Promise((resolve) => {
        onPublish = () => transportAtPublish.length >= count && resolve();
        onPublish();
      }),
      what,
    );
  await within(new Promise((resolve) => upgrader.socket.once('open', resolve)), 'the socket to open');
  upgrader.send({ v: 1, t: 'hello', sdk: 'upgrader' });
  upgrader.id = (await upgrader.expect('welcome')).peer;
  await upgrader.join('upgrade');
  await sender.join('upgrade');
  await upgrader.expect('peer-joined');

  // A steady stream in both directions, before, while and after the client probes and switches.
  let sent = 0;
  let sentUp = 0;
  const stream = setInterval(() => {
    sender.send({ v: 1, t: 'publish', data: ++sent });
    upgrader.send({ v: 1, t: 'publish', data: ++sentUp });
  }, 5);
  try {
    await receivedAtLeast(5, 'messages over polling');
    assert.equal(upgrader.socket.transport.name, 'polling');
    gate.open();
    assert.equal(await within(upgraded, 'the upgrade event'), 'websocket');
    await receivedAtLeast(sent + 5, 'messages sent after the upgrade');
  } finally {
    clearInterval(stream);
  }
  for (let n = 1; n <= sent; n++) assert.equal((await upgrader.expect('publish')).data, n);
  for (let n = 1; n <= sentUp; n++) assert.equal((await sender.expect('publish')).data, n);
  assert.deepEqual(upgrader.inbox.pending(), []);
  // Polling first, websocket after, never back.
  const switchedAt = transportAtPublish.indexOf('websocket');
  assert.ok(switchedAt >= 5, `first websocket message at ${switchedAt}`);
  assert.ok(transportAtPublish.slice(switchedAt).every((name) => name === 'websocket'));
  await server.waitForLog(new RegExp(`upgrade sid=${upgrader.socket.id} .*transport=websocket`));
});

test('a polling session that stops polling (yet acks) while its room is busy is cut off at the send queue cap', async () => {
  // A heartbeat slow enough that only the queue cap can end the session.
  const firehose = await startServer({
    args: [...QUICK_SESSION_ARGS, '--ping-interval', '60000', ...UNLIMITED_RATE_ARGS],
  });
  try {
    const { sid } = await openPolling(firehose.url);
    const post = (envelope) =>
      request(engineioUrl(firehose.url, 'polling', `&sid=${sid}`), { method: 'POST', body: '4' + JSON.stringify(envelope) });
    assert.equal((await post({ v: 1, t: 'hello', sdk: 'never-polls' })).text, 'ok');
    assert.equal((await post({ v: 1, t: 'join', room: 'firehose' })).text, 'ok');
    const publisher = await EnvelopePeer.welcomed(firehose.url);
    await publisher.join('firehose');
    // Relayed envelopes wait for a GET that never comes. The client acks them blindly (joined and
    // peer-joined were seq 1 and 2), so its resume buffer never overflows and the send queue cap
    // (4 MiB + the 1 MiB resume buffer) is what ends the session.
    const big = { v: 1, t: 'publish', data: 'z'.repeat(60000) };
    for (let sent = 0; !/client not reading/.test(firehose.stderr()); ) {
      assert.ok(sent < 200, 'the session was never cut off');
      // Five at a time: under the publisher's share of the receiver's resume buffer.
      for (let i = 0; i < 5; i++, sent++) publisher.send(big);
      publisher.send({ v: 1, t: 'direct', to: 'nobody', data: 0 });
      await publisher.expectError('peer_not_found', 10000);
      if (!/client not reading/.test(firehose.stderr())) await post({ v: 1, t: 'ack', ack: 2 + sent });
    }
    await firehose.waitForLog(new RegExp(`disconnect sid=${sid} .*client not reading`));
    await publisher.close();
  } finally {
    await firehose.stop();
  }
});
