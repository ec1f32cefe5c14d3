// Session resume, takeover, expiry, the resume buffer cap and graceful shutdown (docs/protocol.md
// §2.1 and §2.2), over real sockets with the stock engine.io-client and raw websockets as peers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { EnvelopePeer, RawEngineioSocket, within } from './support/peers.mjs';

const hello = (resume) => ({ v: 1, t: 'hello', sdk: 'server-tests/1', ...(resume && { resume }) });
const resumeOf = (welcome, ack) => ({ session: welcome.session, token: welcome.token, ack });

/** A raw websocket peer that said hello (maybe resuming); `welcome` is the answer. */
async function rawPeer(url, resume) {
  const raw = await RawEngineioSocket.open(url);
  raw.send('4' + JSON.stringify(hello(resume)));
  raw.welcome = await raw.nextEnvelope();
  assert.equal(raw.welcome.t, 'welcome');
  return raw;
}

/** A stock engine.io-client peer that resumes `welcome`'s session. */
async function resumedPeer(url, welcome, ack) {
  const peer = await EnvelopePeer.connect(url);
  peer.send(hello(resumeOf(welcome, ack)));
  peer.welcome = await peer.expect('welcome');
  peer.id = peer.welcome.peer;
  return peer;
}

/** Resolves once `peer` has seen everything sent to it before this call (a round trip). */
async function settle(peer) {
  peer.send({ v: 1, t: 'direct', to: 'nobody', data: 'settle' });
  await peer.expectError('peer_not_found');
}

test('a session resumes over a new websocket and gets what was sent while it was away', async () => {
  const server = await startServer();
  try {
    const alice = await rawPeer(server.url);
    alice.send('4' + JSON.stringify({ seq: 1, v: 1, t: 'join', room: 'resume' }));
    assert.deepEqual(await alice.nextEnvelope(), { seq: 1, v: 1, t: 'joined', room: 'resume', peers: [] });
    const bob = await EnvelopePeer.welcomed(server.url);
    await bob.join('resume');
    assert.equal((await alice.nextEnvelope()).seq, 2);  // peer-joined bob
    alice.terminate();
    await server.waitForLog(new RegExp(`disconnect .*peer=${alice.welcome.peer}`));

    bob.send({ v: 1, t: 'publish', data: 'while away 1' });
    bob.send({ v: 1, t: 'publish', data: 'while away 2' });
    await settle(bob);

    // alice pretends she never got peer-joined: everything from seq 2 is replayed, in order.
    const again = await rawPeer(server.url, resumeOf(alice.welcome, 1));
    const { welcome } = again;
    assert.equal(welcome.resumed, true);
    assert.equal(welcome.peer, alice.welcome.peer);
    assert.equal(welcome.session, alice.welcome.session);
    assert.equal(welcome.ack, 1, 'the last client seq the server processed');
    assert.equal(welcome.resumeError, undefined);
    assert.deepEqual(await again.nextEnvelope(), { seq: 2, v: 1, t: 'peer-joined', peer: bob.id });
    assert.deepEqual(await again.nextEnvelope(), { seq: 3, v: 1, t: 'publish', from: bob.id, data: 'while away 1' });
    assert.deepEqual(await again.nextEnvelope(), { seq: 4, v: 1, t: 'publish', from: bob.id, data: 'while away 2' });
    await server.waitForLog(new RegExp(`hello .*peer=${welcome.peer}.* resumed`));

    // The client resends from welcome.ack; the server acks within 100 ms.
    again.send('4' + JSON.stringify({ seq: 2, v: 1, t: 'publish', data: 'back' }));
    assert.deepEqual(await again.nextEnvelope(), { v: 1, t: 'ack', ack: 2 });
    const back = await bob.expect('publish');
    assert.equal(back.data, 'back');
    // The room saw neither the drop nor the resume.
    await settle(bob);
    assert.deepEqual(bob.inbox.pending(), []);
    again.terminate();
    await bob.close();
  } finally {
    await server.stop('SIGTERM', 20000);
  }
});

test('a resume takes over a session whose old connection is still open, quietly', async () => {
  const server = await startServer({ args: ['--drain-timeout', '500'] });
  try {
    const alice = await EnvelopePeer.welcomed(server.url);
    await alice.join('takeover');
    const bob = await EnvelopePeer.welcomed(server.url);
    await bob.join('takeover');
    await alice.expect('peer-joined');

    const oldSid = alice.socket.id;
    const again = await resumedPeer(server.url, alice.welcome, 2);
    assert.equal(again.welcome.resumed, true);
    assert.equal(again.id, alice.id);
    await within(alice.closed, 'the old connection to be closed');
    await server.waitForLog(new RegExp(`disconnect sid=${oldSid} .*reason="taken over"`));

    bob.send({ v: 1, t: 'direct', to: alice.id, data: 'to the new socket' });
    assert.equal((await again.expect('direct')).data, 'to the new socket');
    await settle(bob);
    assert.deepEqual(bob.inbox.pending(), []);
    await Promise.all([again.close(), bob.close()]);
  } finally {
    await server.stop();
  }
});

test('a session not resumed within --resume-window ends: the room hears peer-left', async () => {
  const server = await startServer({ args: ['--resume-window', '300ms'] });
  try {
    const alice = await EnvelopePeer.welcomed(server.url);
    await alice.join('expiry');
    const bob = await EnvelopePeer.welcomed(server.url);
    await bob.join('expiry');
    await alice.close();
    const started = Date.now();
    await bob.expect('peer-left', (e) => e.peer === alice.id);
    assert.ok(Date.now() - started >= 250, 'peer-left came before the window passed');
    await server.waitForLog(new RegExp(`session ended peer=${alice.id} code=session_expired`));

    const late = await resumedPeer(server.url, alice.welcome, 1);
    assert.equal(late.welcome.resumed, false);
    assert.equal(late.welcome.resumeError, 'session_expired');
    assert.notEqual(late.id, alice.id);
    await Promise.all([late.close(), bob.close()]);
  } finally {
    await server.stop();
  }
});

test('a full --resume-buffer unacknowledged for --ack-timeout ends the session: buffer_overflow, close, peer-left', async () => {
  const server = await startServer({
    args: ['--max-message-bytes', '1000', '--resume-buffer', '4000', '--ack-timeout', '200'],
  });
  try {
    // The stock client never acks, so everything sent to it stays buffered.
    const alice = await EnvelopePeer.welcomed(server.url);
    await alice.join('overflow');
    const bob = await EnvelopePeer.welcomed(server.url);
    await bob.join('overflow');
    // bob is refused once alice's buffer is full; once she has acknowledged nothing for the ack
    // timeout, the next publish ends her session.
    for (let i = 0; i < 6; i++) bob.send({ v: 1, t: 'publish', data: 'x'.repeat(900) });
    await bob.expectError('rate_limited');
    await server.waitForLog(/error .*code=rate_limited/);
    await new Promise((resolve) => setTimeout(resolve, 250));  // the ack timeout is the subject
    bob.send({ v: 1, t: 'publish', data: 'x'.repeat(900) });

    const error = await alice.expectError('buffer_overflow');
    assert.equal(error.seq, undefined);
    await within(alice.closed, 'the overflowing connection to close');
    await bob.expect('peer-left', (e) => e.peer === alice.id);
    await server.waitForLog(new RegExp(`session ended peer=${alice.id} code=buffer_overflow`));
    await server.waitForLog(/disconnect .*reason="buffer overflow"/);
    await bob.close();
  } finally {
    await server.stop();
  }
});

test('SIGTERM: goaway after what was queued, no new connections, relay goes on, exit 0 once clients close', async () => {
  const server = await startServer({ args: ['--goaway-spread', '2500'] });
  const receiver = await EnvelopePeer.welcomed(server.url);
  const arrivals = [];
  receiver.socket.on('message', (data) => arrivals.push(JSON.parse(data).t));
  receiver.send({ seq: 1, v: 1, t: 'join', room: 'drain' });
  await receiver.expect('joined');
  const publisher = await EnvelopePeer.welcomed(server.url);
  await publisher.join('drain');
  const unwelcomed = await RawEngineioSocket.open(server.url);

  const count = 200;
  for (let i = 0; i < count; i++) publisher.send({ v: 1, t: 'publish', data: 'p'.repeat(2000) });
  await settle(publisher);  // every publish is queued for the receiver now
  const stopped = server.stop('SIGTERM', 10000);

  const goaway = await receiver.expect('goaway');
  assert.deepEqual(goaway, { v: 1, t: 'goaway', reconnectInMs: 2500, ack: 1 });
  assert.equal(arrivals.filter((t) => t === 'publish').length, count);
  assert.equal(arrivals.indexOf('goaway'), arrivals.length - 1);
  await server.waitForLog(/SIGTERM: draining 3 session\(s\)/);
  await unwelcomed.waitClosed('the unwelcomed connection to be closed');
  await assert.rejects(EnvelopePeer.connect(server.url), 'a new connection was accepted');

  // The sessions are still served while they drain.
  publisher.send({ v: 1, t: 'publish', data: 'after goaway' });
  assert.equal((await receiver.expect('publish', (e) => e.data === 'after goaway')).data, 'after goaway');
  await Promise.all([receiver.close(), publisher.close()]);
  assert.equal((await stopped).code, 0);
  assert.doesNotMatch(server.stderr(), /drain timeout/);
});

test('SIGTERM: a client that never closes is closed after --drain-timeout, and the exit code is 0', async () => {
  const server = await startServer({ args: ['--drain-timeout', '300'] });
  const stubborn = await EnvelopePeer.welcomed(server.url);
  const stopped = server.stop('SIGTERM', 10000);
  await stubborn.expect('goaway');
  await within(stubborn.closed, 'the server to close the session after the drain timeout');
  assert.equal((await stopped).code, 0);
  assert.match(server.stderr(), /drain timeout: closing 1 session\(s\)/);
  assert.match(server.stderr(), new RegExp(`disconnect .*peer=${stubborn.id}.*server shutting down`));
});

test('every sequenced envelope carries the last client seq the server received (piggybacked ack)', async () => {
  const server = await startServer();
  try {
    const alice = await RawEngineioSocket.open(server.url);
    alice.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'raw' }));
    await alice.nextEnvelope();
    alice.send('4' + JSON.stringify({ seq: 1, v: 1, t: 'join', room: 'piggyback' }));
    const frame = await alice.frames.next((f) => typeof f === 'string' && f.includes('"joined"'), 'joined');
    const joined = JSON.parse(frame.slice(1));
    assert.equal(joined.seq, 1);
    assert.equal(joined.ack, 1, 'the join itself is acknowledged on its answer');
    alice.ws.close();
    await alice.waitClosed('the raw websocket to close');
  } finally {
    await server.stop();
  }
});
