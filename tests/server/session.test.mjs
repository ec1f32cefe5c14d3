// Engine.IO handshake and the rtcwire hello/welcome exchange, with the stock engine.io-client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, RawEngineioSocket, within } from './support/peers.mjs';

let server;
before(async () => {
  server = await startServer({
    args: [...QUICK_SESSION_ARGS, '--ping-interval', '1500', '--ping-timeout', '1200', '--max-payload', '200000'],
  });
});
after(() => server.stop());

test('the open packet carries sid, no upgrades, and the configured heartbeat and maxPayload', async () => {
  const peer = new EnvelopePeer(server.url);
  const handshake = await within(peer.handshake, 'the open packet');
  assert.match(handshake.sid, /^[0-9A-Za-z]{22}$/);
  assert.deepEqual(handshake.upgrades, []);
  assert.equal(handshake.pingInterval, 1500);
  assert.equal(handshake.pingTimeout, 1200);
  assert.equal(handshake.maxPayload, 200000);
  await peer.close();
});

test('hello is answered with welcome: a base62 peer id, a session, a token and the envelope limit', async () => {
  const peer = await EnvelopePeer.welcomed(server.url);
  assert.match(peer.welcome.peer, /^[0-9A-Za-z]{16}$/);
  assert.ok(peer.welcome.session.length >= 22, peer.welcome.session);
  assert.match(peer.welcome.token, /^[0-9A-Za-z]{22}$/);
  assert.notEqual(peer.welcome.token, peer.welcome.session);
  assert.equal(peer.welcome.maxMessageBytes, 65536);
  assert.equal(peer.welcome.v, 1);
  // A fresh session: nothing resumed, nothing received yet, and the welcome itself unnumbered.
  assert.equal(peer.welcome.resumed, false);
  assert.equal(peer.welcome.ack, 0);
  assert.equal(peer.welcome.resumeError, undefined);
  assert.equal(peer.welcome.seq, undefined);
  await peer.close();
});

test('every connection gets its own peer and session ids', async () => {
  const peers = await Promise.all([1, 2, 3].map(() => EnvelopePeer.welcomed(server.url)));
  assert.equal(new Set(peers.map((p) => p.welcome.peer)).size, 3);
  assert.equal(new Set(peers.map((p) => p.welcome.session)).size, 3);
  await Promise.all(peers.map((p) => p.close()));
});

test('a second hello is refused with invalid_state and the session stays usable', async () => {
  const peer = await EnvelopePeer.welcomed(server.url);
  peer.send({ v: 1, t: 'hello', sdk: 'again' });
  await peer.expectError('invalid_state');
  await peer.join('after-second-hello');
  await peer.close();
});

test('/healthz counts live Engine.IO sessions', async () => {
  const count = async () => {
    const text = await (await fetch(`${server.url}/healthz`)).text();
    assert.match(text, /^\{"status":"ok","sessions":\d+\}$/);
    return JSON.parse(text).sessions;
  };
  const before = await count();
  const peer = await EnvelopePeer.welcomed(server.url);
  assert.equal(await count(), before + 1);
  await peer.close();
  await server.waitForLog(new RegExp(`disconnect .*peer=${peer.id}`));
  assert.equal(await count(), before);
});

test('a client close packet closes the session and is logged with the peer id', async () => {
  const raw = await RawEngineioSocket.open(server.url);
  raw.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'raw' }));
  const welcome = await raw.nextEnvelope();
  assert.equal(welcome.t, 'welcome');
  raw.send('1');
  await raw.waitClosed();
  await server.waitForLog(new RegExp(`disconnect .*peer=${welcome.peer}.*reason="client close"`));
});

test('connects and hellos are logged with the remote address', async () => {
  const peer = await EnvelopePeer.welcomed(server.url);
  const line = await server.waitForLog(new RegExp(`hello sid=${peer.socket.id} remote=127\\.0\\.0\\.1:\\d+ peer=${peer.id}`));
  assert.ok(line);
  await server.waitForLog(new RegExp(`connect sid=${peer.socket.id} remote=127\\.0\\.0\\.1:\\d+`));
  await peer.close();
});
