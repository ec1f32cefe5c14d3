// The peer layer end to end in Node: two SDK clients (the real Wasm core) with werift's
// RTCPeerConnection injected through the platform, a real rtcwire-server, peer-to-peer on 127.0.0.1.
// werift is a WebRTC stack no one here wrote: this is the interop test of issue 10.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { RTCDataChannel } from 'werift';
import { WebSocket } from 'ws';
import { connect, RtcwireError } from '../../js/index.js';
import { startServer } from '../lib/server_process.mjs';
import { loadRealCore } from './lib/real_core.mjs';
import { recordingPeerConnection } from './lib/werift_platform.mjs';

const WAIT_MS = 15000;
const HIGH_WATER = 1024 * 1024;

let server;
before(async () => {
  await loadRealCore();
  server = await startServer();
});
after(() => server?.stop());

// Resolves when `on(name)` delivers arguments that `wanted` accepts; rejects after WAIT_MS.
function eventOf(target, name, wanted = () => true, what = name) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${what} within ${WAIT_MS} ms`));
    }, WAIT_MS);
    const stop = target.on(name, (...args) => {
      if (!wanted(...args)) return;
      clearTimeout(timer);
      stop();
      resolve(args[0]);
    });
  });
}

const stateOf = (peer, state) =>
  peer.state === state ? Promise.resolve() : eventOf(peer, 'state', (next) => next === state, `${peer.id} ${state}`);

// Collects the next `count` messages of a peer or channel.
function messages(target, count) {
  const received = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${received.length} of ${count} messages within ${WAIT_MS} ms`));
    }, WAIT_MS);
    const stop = target.on('message', (data) => {
      received.push(data);
      if (received.length < count) return;
      clearTimeout(timer);
      stop();
      resolve(received);
    });
  });
}

// Two clients in one room, each with the RtcwirePeer of the other, both connected.
async function connectedPair(room) {
  const werift = recordingPeerConnection();
  const options = { transports: ['websocket'], platform: { WebSocket, RTCPeerConnection: werift.RTCPeerConnection } };
  const a = await connect(server.url, options);
  const b = await connect(server.url, options);
  const errors = [];
  for (const client of [a, b]) client.on('error', (error) => errors.push(error));
  await a.join(room);
  const bOnA = eventOf(a, 'peer', (peer) => peer.id === b.peerId, 'peer b on a');
  const aOnB = eventOf(b, 'peer', (peer) => peer.id === a.peerId, 'peer a on b');
  await b.join(room);
  const [peerB, peerA] = await Promise.all([bOnA, aOnB]);
  await Promise.all([stateOf(peerB, 'connected'), stateOf(peerA, 'connected')]);
  return {
    a,
    b,
    peerA,
    peerB,
    werift,
    errors,
    close() {
      a.close();
      b.close();
    },
  };
}

const bytesOf = (data) => (typeof data === 'string' ? data : [...new Uint8Array(data)]);

test('two SDK clients over werift connect peer to peer on 127.0.0.1 and exchange ordered messages both ways', async () => {
  const pair = await connectedPair('werift-messages');
  const { a, b, peerA, peerB } = pair;
  try {
    assert.equal(a.peer(b.peerId), peerB);
    assert.deepEqual(b.remotePeers, [peerA]);
    assert.notEqual(peerA.polite, peerB.polite, 'exactly one side is polite');

    const toB = messages(peerA, 60);
    const toA = messages(peerB, 60);
    for (let i = 0; i < 30; i++) {
      peerB.send(`a->b ${i}`);
      peerB.send(new Uint8Array([i, 255 - i]));
      peerA.send(`b->a ${i}`);
      peerA.send(new Uint8Array([255 - i, i]).buffer);
    }
    const expected = (prefix, first, second) =>
      Array.from({ length: 30 }, (_, i) => [`${prefix} ${i}`, [first(i), second(i)]]).flat();
    assert.deepEqual((await toB).map(bytesOf), expected('a->b', (i) => i, (i) => 255 - i));
    assert.deepEqual((await toA).map(bytesOf), expected('b->a', (i) => 255 - i, (i) => i));

    const stats = await peerB.getStats();
    assert.deepEqual(
      [stats.candidatePair?.local, stats.candidatePair?.remote, stats.candidatePair?.protocol],
      ['host', 'host', 'udp'],
    );
    // werift counts received bytes on its nominated pair only when they came in on that pair's own
    // socket; the remote's nominated pair may use another (ICE allows it, and under load it
    // happens), so only the sending side's count is werift's to give. Received: the messages.
    assert.ok(stats.bytesSent > 0, `${stats.bytesSent} bytes sent on the selected pair`);
    assert.ok(stats.dataChannels.messagesReceived >= 60, `${stats.dataChannels.messagesReceived} messages counted`);
    const pairs = pair.werift.created.map((connection) => connection.iceTransports[0]?.connection.nominated);
    for (const nominated of pairs) {
      assert.equal(nominated?.remoteCandidate.host, '127.0.0.1', 'the selected pair is on loopback');
    }
    assert.deepEqual(pair.errors, []);
  } finally {
    pair.close();
  }
});

test('an app channel opened on one side arrives as a channel event and carries messages both ways', async () => {
  const pair = await connectedPair('werift-channel');
  const { peerA, peerB } = pair;
  try {
    const chat = peerB.channel('chat', { ordered: true });
    assert.equal(chat.state, 'connecting');
    const remoteChannel = eventOf(peerA, 'channel', (channel) => channel.label === 'chat');
    const opened = eventOf(chat, 'open');
    chat.send('queued before open');
    const [incoming] = await Promise.all([remoteChannel, opened]);
    assert.equal(chat.state, 'open');
    assert.equal(incoming.state, 'open');
    assert.equal(incoming.ordered, true);

    const atA = messages(incoming, 11);
    for (let i = 0; i < 10; i++) chat.send(`chat ${i}`);
    assert.deepEqual(await atA, ['queued before open', ...Array.from({ length: 10 }, (_, i) => `chat ${i}`)]);
    const atB = messages(chat, 1);
    incoming.send(new Uint8Array([7, 7]));
    assert.deepEqual((await atB).map(bytesOf), [[7, 7]]);

    const closedHere = eventOf(chat, 'close');
    const closedThere = eventOf(incoming, 'close');
    chat.close();
    await Promise.all([closedHere, closedThere]);
    assert.equal(chat.state, 'closed');
    assert.throws(() => chat.send('too late'), (error) => error instanceof RtcwireError && typeof error.code === 'string');
  } finally {
    pair.close();
  }
});

test('backpressure: 4 MiB sent at once never puts more than the high water in the browser buffer, and all of it arrives in order', async () => {
  const pair = await connectedPair('werift-backpressure');
  const { peerA, peerB } = pair;
  try {
    // The largest bufferedAmount any of werift's channels ever had right after a send.
    let highest = 0;
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (data) {
      send.call(this, data);
      highest = Math.max(highest, this.bufferedAmount);
    };
    try {
      // A round trip first: the default channel is open on both sides.
      const ready = messages(peerA, 1);
      peerB.send('ready?');
      await ready;
      const chunk = 60000;
      const count = 70;
      const arrived = messages(peerA, count);
      for (let i = 0; i < count; i++) {
        const payload = new Uint8Array(chunk);
        payload.fill(i);
        peerB.send(payload);
      }
      const received = await arrived;
      assert.deepEqual(
        received.map((data) => [data.byteLength, new Uint8Array(data)[0], new Uint8Array(data)[chunk - 1]]),
        Array.from({ length: count }, (_, i) => [chunk, i, i]),
      );
      assert.ok(highest > 0, 'the spy saw the sends');
      assert.ok(highest <= HIGH_WATER, `bufferedAmount reached ${highest}`);
    } finally {
      RTCDataChannel.prototype.send = send;
    }
  } finally {
    pair.close();
  }
});

test('a message over maxMessageSize is refused with message_too_large; one at the limit goes', async () => {
  const pair = await connectedPair('werift-too-large');
  const { peerA, peerB } = pair;
  try {
    const ready = messages(peerA, 1);
    peerB.send('ready?');
    await ready;
    assert.throws(
      () => peerB.send(new ArrayBuffer(65537)),
      (error) => error instanceof RtcwireError && error.code === 'message_too_large' && error.origin === 'local',
    );
    const arrived = messages(peerA, 1);
    peerB.send(new ArrayBuffer(65536));
    assert.equal((await arrived)[0].byteLength, 65536);
  } finally {
    pair.close();
  }
});

test('bad app input throws an RtcwireError with a code and sends nothing', async () => {
  const pair = await connectedPair('werift-misuse');
  const { peerA, peerB } = pair;
  try {
    const invalid = (error) => error instanceof RtcwireError && error.code === 'invalid_argument';
    assert.throws(() => peerB.send(42), invalid);
    assert.throws(() => peerB.send({ text: 'objects are not data' }), invalid);
    assert.throws(() => peerB.send(undefined), invalid);
    assert.throws(() => peerB.channel(42), invalid);
    assert.throws(() => peerB.channel({ label: 'x' }), invalid);
    assert.throws(() => peerB.channel('chat', 'ordered'), invalid);
    assert.throws(() => peerB.on('nope', () => {}), invalid);
    assert.throws(() => pair.a.replaceTrack({ kind: 'video' }, null), invalid);
    assert.throws(() => pair.a.setLocalStream('camera'), invalid);
    const first = messages(peerA, 1);
    peerB.send('the first message that went');
    assert.deepEqual(await first, ['the first message that went']);
  } finally {
    pair.close();
  }
});

test('peer.sendFile: a 3 MiB Blob arrives whole, with the SHA-256 of its bytes on both sides; a rejected one fails the sender', async () => {
  const pair = await connectedPair('werift-files');
  const { peerA, peerB } = pair;
  try {
    const bytes = randomBytes(3 * 1024 * 1024);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const offered = eventOf(peerA, 'transfer', () => true, 'the offer on b');
    const outgoing = peerB.sendFile(new Blob([bytes], { type: 'application/octet-stream' }), { name: 'payload.bin' });
    const progress = [];
    outgoing.on('progress', ({ bytes: sent }) => progress.push(sent));
    const incoming = await offered;
    assert.deepEqual([incoming.name, incoming.size, incoming.type], ['payload.bin', bytes.length, 'application/octet-stream']);
    const received = await incoming.accept();
    assert.deepEqual(await outgoing.done, { bytes: bytes.length, sha256 });
    assert.equal(received.sha256, sha256);
    assert.equal(received.bytes, bytes.length);
    assert.ok(Buffer.from(await received.blob.arrayBuffer()).equals(bytes), 'the Blob holds the bytes sent');
    assert.ok(progress.length > 0 && progress.every((value, i) => i === 0 || value >= progress[i - 1]));
    assert.equal(progress.at(-1), bytes.length);

    const refused = eventOf(peerA, 'transfer', () => true, 'the second offer on b');
    const unwanted = peerB.sendFile(new Blob([bytes.subarray(0, 1000)]), { name: 'unwanted.bin' });
    (await refused).reject();
    await assert.rejects(unwanted.done, (error) => error instanceof RtcwireError && error.code === 'transfer_rejected');
    assert.deepEqual(pair.errors, []);
  } finally {
    pair.close();
  }
});

test('hanging up one peer: it is closed here, the other side drops the connection; late events of closed connections are ignored', async () => {
  const pair = await connectedPair('werift-hangup');
  const { a, b, peerA, peerB } = pair;
  try {
    const ready = messages(peerA, 1);
    peerB.send('before the hang-up');
    await ready;
    // The other side hears the bye and waits for a new connection from this one.
    const droppedOnB = stateOf(peerA, 'connecting');
    peerB.close();
    assert.equal(peerB.state, 'closed');
    assert.equal(a.peer(b.peerId), null);
    await droppedOnB;
    assert.throws(() => peerB.send('after close'), (error) => error instanceof RtcwireError && error.code === 'peer_closed');
    assert.throws(() => peerB.restartIce(), (error) => error instanceof RtcwireError && error.code === 'peer_closed');
    // werift fires events while it closes its connections (state changes, candidates): none of
    // them reaches the app as an error or a state change.
    const states = [];
    peerA.on('state', (state) => states.push(`a:${state}`));
    peerB.on('state', (state) => states.push(`b:${state}`));
    await Promise.all(pair.werift.created.map((connection) => connection.close()));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(states, []);
    assert.deepEqual(pair.errors, []);
  } finally {
    pair.close();
  }
});
