// platform/peer_connections.js on werift's RTCPeerConnection, with the test in the core's seat: it
// issues the actions of contract section 2 by hand and checks the events of section 3 and what
// reaches the other side. No Wasm here: this is the adapter alone.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MediaHandles } from '../../js/platform/media_handles.js';
import { PeerConnections } from '../../js/platform/peer_connections.js';
import { recordingPeerConnection } from './lib/werift_platform.mjs';

// One side: the adapter, the events it reports and the messages it delivers, awaitable.
function side(name, RTCPeerConnection) {
  const events = [];
  const messages = [];
  const waiters = new Set();
  const watchers = new Set();
  const settle = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const sink = {
    event: (event) => {
      events.push(event);
      for (const watcher of watchers) watcher(event);
      settle();
    },
    message: (info, data) => {
      messages.push({ ...info, data });
      settle();
    },
  };
  const adapter = new PeerConnections({ RTCPeerConnection }, sink, new MediaHandles());
  // Resolves with the first event (from `from` on) that `wanted` accepts.
  const until = (list, wanted, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${name}: no ${what} within 10 s; events: ${JSON.stringify(events.map((e) => e.type))}`));
      }, 10000);
      const check = () => {
        const found = list.find(wanted);
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return {
    name,
    adapter,
    watchers,
    events,
    messages,
    event: (wanted, what) => until(events, wanted, what),
    messageCount: (count) => until(messages, (_, index) => index === count - 1, `${count} messages`),
  };
}

// Plays the core's negotiation for one pc each side (no glare: only `offerer` answers
// negotiation-needed) and forwards candidates. Actions run on the next turn, as the core's would
// (after the event's input call returns).
function negotiate(offerer, answerer) {
  let op = 100;
  const forward = (from, to) =>
    from.watchers.add((event) =>
      queueMicrotask(() => {
        if (event.type === 'negotiation-needed' && from === offerer) {
          from.adapter.execute({ type: 'set-local', pc: 1, op: ++op });
        } else if (event.type === 'op-done' && event.description?.type === 'offer') {
          to.adapter.execute({ type: 'set-remote', pc: 1, op: ++op, description: event.description });
        } else if (event.type === 'op-done' && event.signalingState === 'have-remote-offer') {
          from.adapter.execute({ type: 'set-local', pc: 1, op: ++op });
        } else if (event.type === 'op-done' && event.description?.type === 'answer') {
          to.adapter.execute({ type: 'set-remote', pc: 1, op: ++op, description: event.description });
        } else if (event.type === 'ice-candidate') {
          to.adapter.execute({ type: 'add-candidate', pc: 1, op: ++op, candidate: event.candidate });
        }
      }),
    );
  forward(offerer, answerer);
  forward(answerer, offerer);
  return () => {
    offerer.watchers.clear();
    answerer.watchers.clear();
  };
}

async function connectedPair() {
  const werift = recordingPeerConnection();
  const a = side('a', werift.RTCPeerConnection);
  const b = side('b', werift.RTCPeerConnection);
  a.adapter.execute({ type: 'pc-create', peer: 'b', pc: 1, config: { iceServers: [] } });
  b.adapter.execute({ type: 'pc-create', peer: 'a', pc: 1, config: { iceServers: [] } });
  const stop = negotiate(a, b);
  const options = { ordered: true, negotiated: true, id: 0 };
  a.adapter.execute({ type: 'channel-create', pc: 1, channel: 1, label: 'rtcwire', options });
  b.adapter.execute({ type: 'channel-create', pc: 1, channel: 1, label: 'rtcwire', options });
  const opened = (s) => s.event((e) => e.type === 'channel-open' && e.channel === 1, 'channel-open');
  const [openA, openB] = await Promise.all([opened(a), opened(b)]);
  return { a, b, werift, openA, openB, close: () => {
    stop();
    a.adapter.closeAll();
    b.adapter.closeAll();
  } };
}

test('two werift connections negotiate through the adapter, open the default channel and report its size limit', async () => {
  const { a, b, openA, openB, close } = await connectedPair();
  try {
    assert.equal(openA.maxMessageSize, 65536);
    assert.equal(openB.maxMessageSize, 65536);
    await a.event((e) => e.type === 'connection-state' && e.state === 'connected', 'connected');
    const localOffer = a.events.find((e) => e.type === 'op-done' && e.description);
    assert.equal(localOffer.description.type, 'offer');
    assert.match(localOffer.description.sdp, /^v=0/);
    const candidate = a.events.find((e) => e.type === 'ice-candidate' && e.candidate);
    assert.equal(typeof candidate.candidate.candidate, 'string');
    assert.equal(candidate.candidate.sdpMid, '0');
    assert.ok(a.events.some((e) => e.type === 'ice-candidate' && e.candidate === null), 'end of candidates');
    assert.ok(b.events.some((e) => e.type === 'signaling-state' && e.state === 'have-remote-offer'));
  } finally {
    close();
  }
});

test('queued payloads go only when the core flushes them, in order, strings and bytes alike', async () => {
  const { a, b, close } = await connectedPair();
  try {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    a.adapter.enqueue(1, 'first', 5);
    a.adapter.enqueue(1, bytes.buffer.slice(0), 4);
    a.adapter.enqueue(1, new Blob(['from a blob']), 11);
    a.adapter.enqueue(1, 'last', 4);
    assert.equal(a.adapter.bufferedAmount(1), 24, 'queued bytes count until sent');
    a.adapter.execute({ type: 'channel-flush', channel: 1, count: 2 });
    await b.messageCount(2);
    assert.equal(a.adapter.bufferedAmount(1) >= 15, true, 'two payloads still queued');
    a.adapter.execute({ type: 'channel-flush', channel: 1, count: 2 });
    await b.messageCount(4);
    const received = b.messages.map(({ peer, label, channel, data }) => {
      assert.deepEqual([peer, label, channel], ['a', 'rtcwire', 1]);
      return typeof data === 'string' ? data : [...new Uint8Array(data)];
    });
    assert.deepEqual(received, [
      'first',
      [0, 1, 2, 255],
      [...new TextEncoder().encode('from a blob')],
      'last',
    ]);
    assert.ok(b.messages.every(({ data }) => typeof data === 'string' || data instanceof ArrayBuffer));
    // Outside the queue (file chunks): at once, and only on an open channel.
    assert.equal(a.adapter.sendNow(1, new Uint8Array([9, 9, 9])), true);
    await b.messageCount(5);
    assert.deepEqual([...new Uint8Array(b.messages[4].data)], [9, 9, 9]);
    assert.equal(a.adapter.sendNow(99, 'no such channel'), false);
  } finally {
    close();
  }
});

test('bufferedamountlow is reported with the amount, after the core set the threshold', async () => {
  const { a, b, close } = await connectedPair();
  try {
    a.adapter.execute({ type: 'channel-threshold', channel: 1, bytes: 16384 });
    // A flush that leaves the buffer under the threshold is reported at once: the browser would
    // not fire bufferedamountlow (the buffer never rose above it).
    a.adapter.enqueue(1, 'small', 5);
    const seen = a.events.length;
    a.adapter.execute({ type: 'channel-flush', channel: 1, count: 1 });
    assert.deepEqual(a.events.slice(seen).map((e) => [e.type, e.channel, e.bufferedAmount <= 16384]), [['channel-low', 1, true]]);
    await b.messageCount(1);
    const chunk = new ArrayBuffer(60000);
    for (let i = 0; i < 8; i++) a.adapter.enqueue(1, chunk.slice(0), chunk.byteLength);
    const before = a.events.length;
    a.adapter.execute({ type: 'channel-flush', channel: 1, count: 8 });
    assert.equal(a.events.length, before, 'a full buffer is not reported low');
    const low = await a.event((e) => e.type === 'channel-low' && a.events.indexOf(e) >= before, 'channel-low');
    assert.equal(low.channel, 1);
    assert.ok(low.bufferedAmount <= 16384, `bufferedAmount ${low.bufferedAmount} at the low event`);
    await b.messageCount(9);
  } finally {
    close();
  }
});

test('a remote app channel is announced with a handle from 0x80000000 and its messages arrive', async () => {
  const { a, b, close } = await connectedPair();
  try {
    a.adapter.execute({
      type: 'channel-create',
      pc: 1,
      channel: 7,
      label: 'chat',
      options: { ordered: true, maxRetransmits: 2 },
    });
    // The new channel needs no renegotiation (the SCTP association exists).
    const remote = await b.event((e) => e.type === 'channel-remote', 'channel-remote');
    assert.deepEqual(
      { ...remote, channel: remote.channel >= 0x80000000 },
      { type: 'channel-remote', pc: 1, channel: true, label: 'chat', ordered: true, maxRetransmits: 2, maxPacketLifeTime: null, protocol: '' },
    );
    await a.event((e) => e.type === 'channel-open' && e.channel === 7, 'app channel open');
    a.adapter.enqueue(7, 'over chat', 9);
    a.adapter.execute({ type: 'channel-flush', channel: 7, count: 1 });
    await b.messageCount(1);
    assert.deepEqual(b.messages[0], { peer: 'a', label: 'chat', channel: remote.channel, data: 'over chat' });
    assert.equal(b.adapter.channelOf('a', 'chat'), remote.channel);
  } finally {
    close();
  }
});

test('getStats is summarised: host candidates over udp, bytes both ways, bitrate from the second call', async () => {
  const { a, close } = await connectedPair();
  try {
    await a.event((e) => e.type === 'connection-state' && e.state === 'connected', 'connected');
    a.adapter.execute({ type: 'get-stats', pc: 1, op: 1 });
    const first = await a.event((e) => e.type === 'op-done' && e.op === 1, 'stats');
    assert.deepEqual(first.stats.candidatePair, { local: 'host', remote: 'host', protocol: 'udp', relayProtocol: null });
    assert.ok(first.stats.bytesSent > 0 && first.stats.bytesReceived > 0);
    assert.equal(first.stats.sendBitrate, null, 'no bitrate from a single report');
    a.adapter.execute({ type: 'get-stats', pc: 1, op: 2 });
    const second = await a.event((e) => e.type === 'op-done' && e.op === 2, 'stats again');
    assert.equal(typeof second.stats.dataChannels.open, 'number');
    assert.ok(second.stats.sendBitrate === null || second.stats.sendBitrate >= 0);
  } finally {
    close();
  }
});

// A stand-in connection whose operations the test settles by hand, to order them after a close.
function handSettledPeerConnection() {
  const created = [];
  class HandSettled extends EventTarget {
    signalingState = 'stable';
    closed = false;
    pending = [];
    constructor() {
      super();
      created.push(this);
    }
    #later() {
      return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
    }
    getStats() {
      return this.#later();
    }
    setLocalDescription() {
      return this.#later();
    }
    createDataChannel(label) {
      const channel = new EventTarget();
      Object.assign(channel, { label, readyState: 'connecting', bufferedAmount: 0, close() {} });
      this.channel = channel;
      return channel;
    }
    close() {
      this.closed = true;
    }
  }
  return { RTCPeerConnection: HandSettled, created };
}

// An adapter on hand-settled connections (or on `platform`); `reported` collects what it tells
// the core, messages as { message }.
function handAdapter({
  fake = handSettledPeerConnection(),
  media = new MediaHandles(),
  platform = { RTCPeerConnection: fake.RTCPeerConnection },
} = {}) {
  const reported = [];
  const sink = { event: (event) => reported.push(event), message: (info, data) => reported.push({ message: data }) };
  return { adapter: new PeerConnections(platform, sink, media), reported };
}

test('after pc-close, late operation results and channel events of that connection are not reported', () => {
  const fake = handSettledPeerConnection();
  const { adapter, reported } = handAdapter({ fake });
  adapter.execute({ type: 'pc-create', peer: 'b', pc: 1, config: {} });
  adapter.execute({ type: 'channel-create', pc: 1, channel: 2, label: 'rtcwire', options: {} });
  adapter.execute({ type: 'get-stats', pc: 1, op: 50 });
  adapter.execute({ type: 'set-local', pc: 1, op: 51 });
  adapter.execute({ type: 'pc-close', pc: 1 });
  const [connection] = fake.created;
  assert.equal(connection.closed, true);

  // Everything the closed connection and its channel do from now on.
  connection.pending[0].resolve(new Map());
  connection.pending[1].reject(new DOMException('closed', 'InvalidStateError'));
  connection.dispatchEvent(new Event('negotiationneeded'));
  connection.channel.dispatchEvent(new Event('open'));
  connection.channel.dispatchEvent(Object.assign(new Event('message'), { data: 'late' }));
  connection.channel.dispatchEvent(new Event('close'));
  return new Promise((resolve) => setImmediate(resolve)).then(() => {
    assert.deepEqual(reported, [], 'nothing reported for the closed connection');
    // An op on a connection that no longer exists fails at once, so the core never waits for it;
    // actions naming closed handles are harmless.
    adapter.execute({ type: 'add-candidate', pc: 1, op: 52, candidate: null });
    adapter.execute({ type: 'channel-flush', channel: 2, count: 3 });
    adapter.execute({ type: 'restart-ice', pc: 1 });
    adapter.execute({ type: 'channel-close', channel: 2 });
    assert.deepEqual(reported, [
      { type: 'op-failed', pc: 1, op: 52, error: { name: 'InvalidStateError', message: 'no such connection' } },
    ]);
    assert.equal(adapter.channelOf('b', 'rtcwire'), null);
  });
});

// The core mutes with track-replace to handle 0 and unmutes by replacing the track with itself:
// the muted sender must still be found under the track's handle.
test('track-replace to 0 mutes the sender under the old handle; replacing it with itself unmutes', async () => {
  const fake = handSettledPeerConnection();
  const sent = [];
  fake.RTCPeerConnection.prototype.addTrack = function addTrack(track) {
    const sender = { replaceTrack: async (next) => sent.push(next?.id ?? null) };
    sent.push(track.id);
    return sender;
  };
  const media = new MediaHandles();
  const microphone = { id: 'mic' };
  const camera = { id: 'cam' };
  const { adapter } = handAdapter({ fake, media });
  adapter.execute({ type: 'pc-create', peer: 'b', pc: 1, config: {} });
  adapter.execute({ type: 'track-add', pc: 1, track: media.hold(microphone), stream: 0 });
  await adapter.execute({ type: 'track-replace', pc: 1, old: media.handleOf(microphone), new: 0 });
  await adapter.execute({ type: 'track-replace', pc: 1, old: media.handleOf(microphone), new: media.handleOf(microphone) });
  await adapter.execute({ type: 'track-replace', pc: 1, old: media.handleOf(microphone), new: media.hold(camera) });
  assert.deepEqual(sent, ['mic', null, 'mic', 'cam']);
});

test('MediaHandles: one handle per object, counted holds, forgotten at the last release', () => {
  const media = new MediaHandles();
  const track = { id: 't' };
  const handle = media.hold(track);
  assert.equal(media.hold(track), handle);
  assert.notEqual(media.hold({ id: 'other' }), handle);
  media.release(handle);
  assert.equal(media.get(handle), track, 'still held once');
  media.release(handle);
  assert.equal(media.get(handle), undefined);
  assert.equal(media.handleOf(track), undefined);
  media.release(handle); // releasing a forgotten handle is harmless
  assert.equal(media.size, 1);
  assert.notEqual(media.hold(track), handle, 'a handle is never given twice');
});

test('remote tracks and streams are held while their connection lives, released once it closes', async () => {
  const fake = handSettledPeerConnection();
  const media = new MediaHandles();
  const { adapter, reported } = handAdapter({ fake, media });
  adapter.execute({ type: 'pc-create', peer: 'b', pc: 1, config: {} });
  const [connection] = fake.created;
  const stream = { id: 'remote-stream' };
  const tracks = [{ id: 'audio', kind: 'audio' }, { id: 'video', kind: 'video' }];
  for (const track of tracks) {
    connection.dispatchEvent(Object.assign(new Event('track'), { track, streams: [stream] }));
  }
  const [audio, video] = reported.filter((event) => event.type === 'track-remote');
  assert.equal(media.get(audio.track), tracks[0]);
  assert.equal(media.get(video.track), tracks[1]);
  assert.deepEqual(video.streams, audio.streams);
  assert.equal(media.get(Number(audio.streams[0])), stream);
  adapter.execute({ type: 'pc-close', pc: 1 });
  // Still there for the notices of the batch that closed it.
  assert.equal(media.get(audio.track), tracks[0]);
  await Promise.resolve();
  assert.equal(media.size, 0);
});

test('without an RTCPeerConnection on the platform, pc-create reports a failed connection', () => {
  const { adapter, reported } = handAdapter({ platform: {} });
  adapter.execute({ type: 'pc-create', peer: 'x', pc: 3, config: { iceServers: [] } });
  adapter.execute({ type: 'channel-create', pc: 3, channel: 4, label: 'rtcwire', options: {} });
  assert.deepEqual(reported, [
    { type: 'connection-state', pc: 3, state: 'failed' },
    { type: 'channel-closed', channel: 4 },
  ]);
});

// Chromium can report maxMessageSize Infinity when a channel opens (its SCTP transport not yet
// settled on the page's thread): the size then comes from the remote description (RFC 8841).
test('the channel size limit comes from the SCTP transport, else the remote description, else 65536', () => {
  const fake = handSettledPeerConnection();
  const { adapter, reported } = handAdapter({ fake });
  const sdp = (lines) => ({ type: 'answer', sdp: ['v=0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', ...lines, ''].join('\r\n') });
  const cases = [
    { sctp: { state: 'connected', maxMessageSize: 262144 }, remote: null, expected: 262144 },
    { sctp: { state: 'connecting', maxMessageSize: Infinity }, remote: sdp(['a=max-message-size:262144']), expected: 262144 },
    { sctp: { state: 'closed', maxMessageSize: Infinity }, remote: sdp(['a=max-message-size:0']), expected: 0 },
    { sctp: { state: 'connecting', maxMessageSize: Infinity }, remote: sdp([]), expected: 65536 },
    { sctp: null, remote: null, expected: 65536 },
  ];
  cases.forEach(({ sctp, remote }, i) => {
    const pc = 10 * i + 1;
    adapter.execute({ type: 'pc-create', peer: `p${i}`, pc, config: {} });
    Object.assign(fake.created[i], { sctp, remoteDescription: remote });
    adapter.execute({ type: 'channel-create', pc, channel: pc + 1, label: 'rtcwire', options: {} });
    fake.created[i].channel.dispatchEvent(new Event('open'));
  });
  assert.deepEqual(
    reported,
    cases.map(({ expected }, i) => ({ type: 'channel-open', channel: 10 * i + 2, maxMessageSize: expected })),
  );
});

test('set-configuration reaches pc.setConfiguration before the restart; one that throws changes nothing', () => {
  const fake = handSettledPeerConnection();
  const calls = [];
  fake.RTCPeerConnection.prototype.setConfiguration = function setConfiguration(config) {
    calls.push(['setConfiguration', config]);
    if (config.iceServers.length === 0) throw new DOMException('bad', 'InvalidModificationError');
  };
  fake.RTCPeerConnection.prototype.restartIce = () => calls.push(['restartIce']);
  const { adapter, reported } = handAdapter({ fake });
  adapter.execute({ type: 'pc-create', peer: 'b', pc: 1, config: {} });
  const config = { iceServers: [{ urls: 'stun:s' }], iceTransportPolicy: 'relay' };
  adapter.execute({ type: 'set-configuration', pc: 1, config });
  adapter.execute({ type: 'restart-ice', pc: 1 });
  adapter.execute({ type: 'set-configuration', pc: 1, config: { iceServers: [] } });
  adapter.execute({ type: 'set-configuration', pc: 9, config }); // no such connection: ignored
  assert.deepEqual(calls, [
    ['setConfiguration', config],
    ['restartIce'],
    ['setConfiguration', { iceServers: [] }],
  ]);
  assert.deepEqual(reported, []);
});

test('icecandidateerror goes to the core as candidate-error with bounded strings and code', () => {
  const fake = handSettledPeerConnection();
  const { adapter, reported } = handAdapter({ fake });
  adapter.execute({ type: 'pc-create', peer: 'b', pc: 4, config: {} });
  const [connection] = fake.created;
  const fire = (fields) => connection.dispatchEvent(Object.assign(new Event('icecandidateerror'), fields));
  fire({ url: 'turn:127.0.0.1:3478?transport=udp', errorCode: 401, errorText: 'Unauthorized' });
  fire({ url: `turn:${'h'.repeat(5000)}`, errorCode: 70000, errorText: 'é'.repeat(5000) });
  fire({});
  assert.deepEqual(reported[0], {
    type: 'candidate-error',
    pc: 4,
    url: 'turn:127.0.0.1:3478?transport=udp',
    errorCode: 401,
    errorText: 'Unauthorized',
  });
  assert.equal(reported[1].url.length, 256);
  assert.equal(reported[1].errorCode, 0);
  assert.ok(Buffer.byteLength(reported[1].errorText) <= 1024, 'under the core limit in UTF-8 too');
  assert.deepEqual(reported[2], { type: 'candidate-error', pc: 4, url: '', errorCode: 0, errorText: '' });
  // After pc-close its late errors are not reported.
  adapter.execute({ type: 'pc-close', pc: 4 });
  fire({ url: 'turn:x', errorCode: 401, errorText: 'late' });
  assert.equal(reported.length, 3);
});
