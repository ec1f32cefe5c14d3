// Bad input is answered with an error envelope or, for Engine.IO framing violations, a closed
// websocket; other clients in the same room carry on unaffected.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, RawEngineioSocket } from './support/peers.mjs';

const MAX_MESSAGE_BYTES = 1024;
const MAX_PAYLOAD = 4096;

let server;
let witness;  // a well-behaved peer in the room of every offender
let room = 0;
before(async () => {
  server = await startServer({
    args: [...QUICK_SESSION_ARGS, '--max-message-bytes', String(MAX_MESSAGE_BYTES), '--max-payload', String(MAX_PAYLOAD)],
  });
});
after(async () => {
  witness?.socket.close();
  await server.stop();
});

beforeEach(async () => {
  witness?.socket.close();
  witness = await EnvelopePeer.welcomed(server.url);
  await witness.join(`room-${++room}`);
});

async function offenderInRoom() {
  const raw = await RawEngineioSocket.open(server.url);
  raw.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'offender' }));
  const welcome = await raw.nextEnvelope();
  raw.peer = welcome.peer;
  raw.send('4' + JSON.stringify({ v: 1, t: 'join', room: `room-${room}` }));
  assert.equal((await raw.nextEnvelope()).t, 'joined');
  await witness.expect('peer-joined', (e) => e.peer === raw.peer);
  return raw;
}

// The witness still relays through the room and answers its own requests.
async function witnessStillWorks(raw) {
  witness.send({ v: 1, t: 'publish', data: 'still alive' });
  if (raw) {
    const { seq, ...relayed } = await raw.nextEnvelope();
    assert.deepEqual(relayed, { v: 1, t: 'publish', from: witness.id, data: 'still alive' });
    // After `joined` (1) and the numbered errors the raw peer got so far.
    assert.ok(Number.isInteger(seq) && seq >= 2, `seq ${seq}`);
  }
  witness.send({ v: 1, t: 'direct', to: 'nobody', data: 0 });
  await witness.expectError('peer_not_found');
}

test('envelope errors keep the connection up and do not disturb the room', async () => {
  const raw = await offenderInRoom();
  const cases = [
    ['{not json', 'malformed_json'],
    ['[1,2,3]', 'invalid_envelope'],
    [JSON.stringify({ v: 1, t: 'teleport' }), 'unknown_type'],
    [JSON.stringify({ v: 2, t: 'publish', data: 1 }), 'unsupported_version'],
    [JSON.stringify({ v: 1, t: 'join', room: '' }), 'invalid_room'],
    [JSON.stringify({ v: 1, t: 'signal', to: 'bad id!', data: 1 }), 'invalid_peer'],
    [JSON.stringify({ v: 1, t: 'publish' }), 'invalid_envelope'],
    [JSON.stringify({ v: 1, t: 'publish', data: 'x'.repeat(MAX_MESSAGE_BYTES) }), 'message_too_large'],
    ['[' .repeat(100) + ']'.repeat(100), 'invalid_envelope'],
    ['', 'malformed_json'],
  ];
  for (const [text, code] of cases) {
    raw.send('4' + text);
    const reply = await raw.nextEnvelope();
    assert.equal(reply.t, 'error', text.slice(0, 40));
    assert.equal(reply.code, code, text.slice(0, 40));
    assert.equal(typeof reply.message, 'string');
  }
  await witnessStillWorks(raw);
  await server.waitForLog(new RegExp(`error .*peer=${raw.peer}.*code=message_too_large`));
  assert.deepEqual(witness.inbox.pending(), []);
});

test('an envelope before hello is refused with invalid_state', async () => {
  const raw = await RawEngineioSocket.open(server.url);
  raw.send('4' + JSON.stringify({ v: 1, t: 'join', room: 'early' }));
  assert.equal((await raw.nextEnvelope()).code, 'invalid_state');
  raw.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'late' }));
  assert.equal((await raw.nextEnvelope()).t, 'welcome');
  raw.terminate();
});

test('a binary message is answered with invalid_envelope', async () => {
  const raw = await offenderInRoom();
  raw.send(Buffer.from([1, 2, 3]), { binary: true });
  assert.equal((await raw.nextEnvelope()).code, 'invalid_envelope');
  await witnessStillWorks(raw);
});

for (const [name, frame] of [
  ['an undecodable packet type', 'x garbage'],
  ['an empty frame', ''],
  ['a ping from the client (v4 pings go server to client)', '2'],
  ['an open packet from the client', '0{}'],
]) {
  test(`${name} closes the websocket; the room carries on`, async () => {
    const raw = await offenderInRoom();
    raw.send(frame);
    await raw.waitClosed();
    await witness.expect('peer-left', (e) => e.peer === raw.peer);
    await witnessStillWorks();
  });
}

test('a websocket message over maxPayload closes the websocket with 1009', async () => {
  const raw = await offenderInRoom();
  raw.send('4' + 'y'.repeat(MAX_PAYLOAD + 1));
  const { code } = await raw.waitClosed();
  assert.equal(code, 1009);
  await witness.expect('peer-left', (e) => e.peer === raw.peer);
  await server.waitForLog(new RegExp(`disconnect .*peer=${raw.peer}.*maxPayload`));
  await witnessStillWorks();
});

test('engine.io-client peers keep working after an offender was thrown out', async () => {
  const raw = await offenderInRoom();
  const friend = await EnvelopePeer.welcomed(server.url);
  await friend.join(`room-${room}`);
  raw.send('\u0000\u0001\u0002');
  await raw.waitClosed();
  friend.send({ v: 1, t: 'signal', to: witness.id, data: { candidate: 'x' } });
  assert.equal((await witness.expect('signal')).from, friend.id);
  await friend.close();
});
