// Rooms, presence and relay between stock engine.io-client peers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer } from './support/peers.mjs';

let server;
const peers = [];
before(async () => {
  server = await startServer({ args: QUICK_SESSION_ARGS });
});
after(async () => {
  await Promise.all(peers.map((p) => p.socket.close()));
  await server.stop();
});

async function welcomedPeer() {
  const peer = await EnvelopePeer.welcomed(server.url);
  peers.push(peer);
  return peer;
}

test('two peers join one room, see each other, and exchange messages through it', async () => {
  const alice = await welcomedPeer();
  const bob = await welcomedPeer();

  const aliceJoined = await alice.join('lobby');
  assert.deepEqual(aliceJoined.peers, []);
  const bobJoined = await bob.join('lobby');
  assert.deepEqual(bobJoined.peers, [alice.id]);
  assert.equal((await alice.expect('peer-joined')).peer, bob.id);

  alice.send({ v: 1, t: 'publish', data: { text: 'hi room', n: [1, 2] } });
  const published = await bob.expect('publish');
  assert.equal(published.from, alice.id);
  assert.deepEqual(published.data, { text: 'hi room', n: [1, 2] });

  bob.send({ v: 1, t: 'signal', to: alice.id, data: { type: 'offer', sdp: 'v=0' } });
  // alice's third envelope, after joined and peer-joined.
  assert.deepEqual(await alice.expect('signal'), {
    seq: 3,
    v: 1,
    t: 'signal',
    from: bob.id,
    data: { type: 'offer', sdp: 'v=0' },
  });

  alice.send({ v: 1, t: 'direct', to: bob.id, data: 'psst' });
  const direct = await bob.expect('direct');
  assert.equal(direct.from, alice.id);
  assert.equal(direct.data, 'psst');

  // The publisher does not hear its own publish: the next envelope alice gets is bob's reply.
  bob.send({ v: 1, t: 'publish', data: 'echo' });
  const echo = await alice.expect('publish');
  assert.equal(echo.from, bob.id);
  assert.deepEqual(alice.inbox.pending(), []);
});

test('presence: leave and disconnect tell the rest of the room', async () => {
  const [a, b, c] = [await welcomedPeer(), await welcomedPeer(), await welcomedPeer()];
  await a.join('presence');
  await b.join('presence');
  await a.expect('peer-joined', (e) => e.peer === b.id);
  const joined = await c.join('presence');
  assert.deepEqual(joined.peers, [a.id, b.id]);
  await a.expect('peer-joined', (e) => e.peer === c.id);
  await b.expect('peer-joined', (e) => e.peer === c.id);

  b.send({ v: 1, t: 'leave' });
  // b's third envelope, after joined and peer-joined c.
  assert.deepEqual(await b.expect('left'), { seq: 3, v: 1, t: 'left', room: 'presence' });
  await a.expect('peer-left', (e) => e.peer === b.id);
  await c.expect('peer-left', (e) => e.peer === b.id);

  await c.close();
  await a.expect('peer-left', (e) => e.peer === c.id);
  assert.deepEqual(b.inbox.pending(), []);
});

test('joining another room leaves the current one first', async () => {
  const stay = await welcomedPeer();
  const move = await welcomedPeer();
  await stay.join('first');
  await move.join('first');
  await stay.expect('peer-joined', (e) => e.peer === move.id);

  const joined = await move.join('second');
  assert.deepEqual(joined.peers, []);
  await stay.expect('peer-left', (e) => e.peer === move.id);

  stay.send({ v: 1, t: 'signal', to: move.id, data: 1 });
  await stay.expectError('peer_not_found');
});

test('relay stays inside the room: no signal or direct to a peer of another room', async () => {
  const red = await welcomedPeer();
  const blue = await welcomedPeer();
  await red.join('red');
  await blue.join('blue');

  red.send({ v: 1, t: 'signal', to: blue.id, data: {} });
  await red.expectError('peer_not_found');
  red.send({ v: 1, t: 'direct', to: blue.id, data: {} });
  await red.expectError('peer_not_found');
  red.send({ v: 1, t: 'publish', data: 'only red' });
  // A round trip proves the publish was handled before checking blue got nothing.
  red.send({ v: 1, t: 'direct', to: 'nobody', data: 0 });
  await red.expectError('peer_not_found');
  assert.deepEqual(blue.inbox.pending(), []);
});

test('room actions outside a room are refused with not_in_room', async () => {
  const loner = await welcomedPeer();
  loner.send({ v: 1, t: 'leave' });
  await loner.expectError('not_in_room');
  loner.send({ v: 1, t: 'publish', data: 1 });
  await loner.expectError('not_in_room');
  loner.send({ v: 1, t: 'signal', to: loner.id, data: 1 });
  await loner.expectError('peer_not_found');
});

test('a peer cannot signal itself', async () => {
  const self = await welcomedPeer();
  await self.join('mirror');
  self.send({ v: 1, t: 'signal', to: self.id, data: 1 });
  await self.expectError('peer_not_found');
});
