// RtcwireClient over the REAL Wasm core (dist/rtcwire_core.wasm) with a fake platform: the test
// plays the network and moves the clock. Covers what only Chromium covered before: inputs and
// commands arriving while the core's outputs are being handled, timers, page events.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../js/index.js';
import { fakePlatform } from './lib/fake_platform.mjs';
import { acceptSession, envelope, openPacket, sentEnvelopes, welcome } from './lib/fake_server.mjs';
import { loadRealCore } from './lib/real_core.mjs';

before(loadRealCore);

// Each test has a server of its own: the remembered-transport advice is per server URL.
let servers = 0;
const serverUrl = () => `http://server-${++servers}.test/`;

async function connectedOverWebSocket(options = {}) {
  const fake = fakePlatform();
  const connecting = connect(serverUrl(), {
    transports: ['websocket'],
    ...options,
    platform: fake.overrides,
  });
  const socket = await fake.socket(0);
  acceptSession(socket, options.welcome, options.timing);
  return { fake, socket, client: await connecting };
}

// Connects over long-polling: the handshake GET, then the hello POST and the first long poll.
async function connectedOverPolling() {
  const fake = fakePlatform();
  const connecting = connect(serverUrl(), { transports: ['polling'], platform: fake.overrides });
  (await fake.request(0)).respond(200, openPacket());
  await fake.request(2);
  const post = fake.requests.find((request) => request.init.method === 'POST');
  const poll = fake.requests.find((request, index) => index > 0 && request.init.method === 'GET');
  assert.match(post.init.body, /"t":"hello"/);
  post.respond(200, 'ok');
  poll.respond(200, welcome());
  const client = await connecting;
  return { fake, client, poll: await fake.request(3) };
}

const twoMessages =
  envelope({ seq: 1, t: 'publish', from: 'peer-a', data: 'first' }) +
  '\x1e' +
  envelope({ seq: 2, t: 'direct', from: 'peer-a', data: 'second' });

test('the real core connects through the fake platform: hello out, welcome in', async () => {
  const { client, socket } = await connectedOverWebSocket();
  assert.equal(socket.url, `ws://server-${servers}.test/engine.io/?EIO=4&transport=websocket`);
  assert.deepEqual(sentEnvelopes(socket), [{ v: 1, t: 'hello', sdk: 'rtcwire-js/0.1.0' }]);
  assert.equal(client.state, 'connected');
  assert.equal(client.transport, 'websocket');
  assert.equal(client.peerId, 'me');
  client.close();
});

test('a relative server URL is resolved against the page URL the platform gives', async () => {
  const fake = fakePlatform();
  const connecting = connect('/rtc', {
    transports: ['websocket'],
    platform: { ...fake.overrides, pageUrl: () => 'https://app.test/room/1' },
  });
  const socket = await fake.socket(0);
  assert.equal(socket.url, 'wss://app.test/rtc/?EIO=4&transport=websocket');
  acceptSession(socket);
  (await connecting).close();
});

test('over SSE: the stream brings JSON-string events, POSTs carry the hello and the parting close', async () => {
  const fake = fakePlatform();
  const connecting = connect(serverUrl(), { transports: ['sse'], platform: fake.overrides });
  const source = await fake.eventSource(0);
  assert.match(source.url, /\/engine\.io\/\?EIO=4&transport=sse&/);
  source.accept();
  source.receive(JSON.stringify(openPacket()));
  const hello = await fake.request(0);
  assert.deepEqual([hello.init.method, JSON.parse(hello.init.body.slice(1)).t], ['POST', 'hello']);
  hello.respond(200, 'ok');
  source.receive(JSON.stringify(welcome()));
  const client = await connecting;
  assert.equal(client.transport, 'sse');
  client.close();
  assert.equal(source.closed, true);
  const parting = fake.requests.at(-1);
  assert.deepEqual([parting.init.body, parting.aborted], ['1', false]);
});

test('a command from a listener runs while the outputs are drained; the events keep their order', async () => {
  const { fake, client, poll } = await connectedOverPolling();
  const seen = [];
  let joining;
  client.on('message', ({ data }) => {
    seen.push(data);
    if (data === 'first') joining = client.join('room-b');
  });
  poll.respond(200, twoMessages);
  await fake.request(5);
  assert.deepEqual(seen, ['first', 'second']);
  const post = fake.requests.find((request, index) => index > 3 && request.init.method === 'POST');
  // The core numbers its requests: the first join is request 1, and the server echoes it.
  assert.deepEqual(JSON.parse(post.init.body.slice(1)), { seq: 1, v: 1, t: 'join', room: 'room-b', id: 1 });
  client.close();
  await assert.rejects(joining, { code: 'not_connected' });
});

// Each core call replies with its own outputs: a listener's command replies while an earlier
// reply is being handled, and frames the network delivers meanwhile wait their turn.
test('inputs and a command during dispatch: every output is handled once, in the core\'s order', async () => {
  const { client, socket } = await connectedOverWebSocket();
  const joining = client.join('room-r');
  socket.receive(envelope({ seq: 1, t: 'joined', room: 'room-r', peers: ['peer-a'], id: 1 }));
  await joining;
  const seen = [];
  client.on('message', ({ data }) => {
    seen.push(data);
    if (data !== 'first') return;
    socket.receive(envelope({ seq: 3, t: 'direct', from: 'peer-a', data: 'second' }));
    client.send('peer-a', 'reply');
    socket.receive(envelope({ seq: 4, t: 'direct', from: 'peer-a', data: 'third' }));
    seen.push('sent');
  });
  client.on('peer-left', (peer) => {
    seen.push(`left ${peer}`);
    client.publish('after-left');
  });
  socket.receive(
    envelope({ seq: 2, t: 'direct', from: 'peer-a', data: 'first' }),
  );
  assert.deepEqual(seen, ['first', 'sent', 'second', 'third']);
  socket.receive(envelope({ seq: 5, t: 'peer-left', peer: 'peer-a' }));
  assert.deepEqual(seen.slice(4), ['left peer-a']);
  const requests = sentEnvelopes(socket).filter((sent) => sent.seq !== undefined);
  assert.deepEqual(
    requests.map(({ t, seq, data }) => [t, seq, data]),
    [
      ['join', 1, undefined],
      ['direct', 2, 'reply'],
      ['publish', 3, 'after-left'],
    ],
  );
  client.close();
});

// The core writes JSON itself: control characters must leave and arrive escaped (\u0001), other
// text as it is (base::json_writer writes the \u00XX escapes itself, without snprintf).
test('control characters and astral text cross the real core both ways, escaped as JSON', async () => {
  const { client, socket } = await connectedOverWebSocket();
  const text = 'a\u0001b\u001fc\u007f\u2028 \u{1F600} "q" \\';
  const received = [];
  client.on('message', ({ data }) => received.push(data));
  socket.receive(envelope({ seq: 1, t: 'direct', from: 'peer-a', data: { text } }));
  assert.deepEqual(received, [{ text }]);

  const joining = client.join('room-c');
  socket.receive(envelope({ seq: 2, t: 'joined', room: 'room-c', peers: ['peer-a'], id: 1 }));
  await joining;
  client.publish({ text });
  const frame = socket.sent.findLast((sent) => sent.includes('"t":"publish"'));
  assert.ok(frame.includes('a\\u0001b\\u001fc'), `control characters escaped in ${frame}`);
  assert.deepEqual(JSON.parse(frame.slice(1)).data, { text });
  client.close();
});

// Numbers are parsed by the Wasm's own strtoull/strtoll/strtod (bindings/libc_number_text.cpp):
// every one must arrive as JavaScript reads the same text, and leave as JavaScript writes it.
test('numbers cross the real core both ways exactly: integer limits, past them, subnormals, exponents', async () => {
  const { client, socket } = await connectedOverWebSocket();
  const numbers = [
    '0', '7', '-42', '0.1', '-2.5e-3', '1E5', '3.141592653589793', '1e-7',
    '9007199254740993', '9223372036854775807', '-9223372036854775808', '-9223372036854775809',
    '18446744073709551615', '18446744073709551616', '123456789012345678901234567890',
    '1.7976931348623157e308', '2.2250738585072014e-308', '5e-324', '2e-324',
    '0.30000000000000004', '1.00000000000000011102230246251565404236316680908203125',
    // Doubles the core writes as the browser's String() does, integral ones with ".0".
    '100.0', '-42.0', '1e21', '1e300', '1.5e-7', '123456789012345680000.0', '4.35',
  ];
  const received = [];
  client.on('message', ({ data }) => received.push(data));
  socket.receive(`4{"v":1,"seq":1,"t":"direct","from":"peer-a","data":[${numbers.join(',')}]}`);
  const expected = numbers.map(Number);
  assert.equal(received.length, 1);
  assert.deepEqual(received[0], expected);
  // JSON.stringify writes -0 as 0, so only the core's side can carry it: as -0.0, read back as -0.
  socket.receive(`4{"v":1,"seq":2,"t":"direct","from":"peer-a","data":[-0.0,0.0]}`);
  assert.deepEqual(received[1], [-0, 0]);

  const joining = client.join('room-n');
  socket.receive(envelope({ seq: 3, t: 'joined', room: 'room-n', peers: ['peer-a'], id: 1 }));
  await joining;
  client.publish(expected);
  const frame = socket.sent.findLast((sent) => sent.includes('"t":"publish"'));
  assert.deepEqual(JSON.parse(frame.slice(1)).data, expected);
  client.close();
});

// A fake MediaStream: the client needs only getTracks() and each track's kind.
const fakeStream = (...kinds) => {
  const tracks = kinds.map((kind, index) => ({ kind, id: `${kind}-${index}` }));
  return { getTracks: () => tracks };
};

test('local media: tracks the local stream no longer has are forgotten; a muted track is kept', async () => {
  const { client } = await connectedOverWebSocket();
  const first = fakeStream('audio', 'video');
  const [microphone, camera] = first.getTracks();
  await client.setLocalStream(first);
  await client.replaceTrack(microphone, null);
  // Muted, still local: it can be unmuted, and replaced.
  await client.replaceTrack(microphone, microphone);
  const otherCamera = { kind: 'video', id: 'camera-2' };
  await client.replaceTrack(camera, otherCamera);
  // The replaced camera is forgotten by the client itself (not merely refused by the core).
  assert.throws(() => client.replaceTrack(camera, otherCamera), {
    code: 'invalid_argument',
    message: /oldTrack is not a track of the local stream/,
  });
  await client.setLocalStream(fakeStream('audio'));
  for (const gone of [microphone, otherCamera]) {
    assert.throws(() => client.replaceTrack(gone, null), { message: /oldTrack is not a track of the local stream/ });
  }
  client.close();
});

test('close() from a listener mid-drain: the batch taken finishes, then the core is released', async () => {
  const { fake, client, poll } = await connectedOverPolling();
  const seen = [];
  client.on('message', ({ data }) => {
    seen.push(data);
    if (data === 'first') client.close();
  });
  client.on('state', (state) => seen.push(state));
  poll.respond(200, twoMessages);
  // The parting POST carries the Engine.IO close packet and is the last request made.
  const parting = await fake.request(5);
  assert.deepEqual(seen, ['first', 'second', 'closed']);
  assert.equal(client.state, 'closed');
  assert.deepEqual([parting.init.method, parting.init.body, parting.aborted], ['POST', '1', false]);
  const unanswered = fake.requests.filter((request) => !request.answered && request !== parting);
  assert.ok(unanswered.length > 0);
  assert.ok(unanswered.every((request) => request.aborted));
  assert.equal(fake.pendingTimers, 0);
  assert.equal(fake.listenerCount('pagehide') + fake.listenerCount('online'), 0);
  assert.throws(() => client.publish('x'), { name: 'RtcwireError', code: 'not_connected' });
});

test('a WebSocket the platform cannot create fails its rung in the same turn; the next rung opens after the ladder delay', async () => {
  const fake = fakePlatform();
  let constructed = 0;
  let attempted;
  const attempt = new Promise((resolve) => (attempted = resolve));
  const states = [];
  const overrides = {
    ...fake.overrides,
    WebSocket: class {
      constructor() {
        constructed++;
        attempted();
        throw new Error('WebSocket blocked');
      }
    },
  };
  const connecting = connect(serverUrl(), {
    transports: ['websocket', 'polling'],
    platform: overrides,
  });
  // The error is handled in the same turn as the open action; the ladder then waits a random
  // 50-250 ms before the next rung.
  await attempt;
  assert.equal(fake.pendingTimers, 1);
  assert.equal(fake.requests.length, 0);
  fake.advance(250);
  const handshake = await fake.request(0);
  assert.match(handshake.url, /transport=polling/);
  assert.equal(constructed, 1);
  handshake.respond(200, openPacket());
  await fake.request(2);
  fake.requests[1].respond(200, welcome());
  fake.requests[2].respond(200, 'ok');
  const client = await connecting;
  client.on('state', (state) => states.push(state));
  assert.equal(client.transport, 'polling');
  client.close();
  assert.deepEqual(states, ['closed']);
});

test('the token is refreshed a quarter of its lifetime before it expires, by the fake clock', async () => {
  const tokens = ['first-token', 'second-token'];
  let calls = 0;
  const { fake, client, socket } = await connectedOverWebSocket({
    token: () => tokens[calls++],
    welcome: { authExpiresInMs: 60000 },
    // No server pings in this test: the connection must outlive the token.
    timing: { pingInterval: 100000, pingTimeout: 100000 },
  });
  assert.equal(sentEnvelopes(socket)[0].auth, 'first-token');
  assert.equal(calls, 1);
  fake.advance(44999);
  assert.equal(calls, 1);
  const refresh = socket.nextFrame((frame) => frame.includes('"t":"refresh"'));
  fake.advance(1);
  assert.equal(calls, 2);
  assert.deepEqual(JSON.parse((await refresh).slice(1)), {
    v: 1,
    t: 'refresh',
    auth: 'second-token',
  });
  client.close();
});

test('pagehide closes the client: close packet sent, socket closed, timers and listeners gone', async () => {
  const { fake, client, socket } = await connectedOverWebSocket();
  assert.equal(fake.listenerCount('pagehide'), 1);
  assert.ok(fake.pendingTimers > 0);
  fake.dispatch('pagehide');
  assert.equal(client.state, 'closed');
  assert.equal(socket.sent.at(-1), '1');
  assert.equal(socket.closeCode, 1000);
  assert.equal(fake.pendingTimers, 0);
  assert.equal(fake.listenerCount('pagehide'), 0);
  assert.equal(fake.listenerCount('offline'), 0);
  // Whatever the closed socket still does is dropped.
  socket.receive(envelope({ seq: 1, t: 'publish', from: 'peer-a', data: 'late' }));
  socket.drop();
  assert.equal(client.state, 'closed');
});

test('offline holds the reconnection however long it lasts; online retries at once', async () => {
  const { fake, client, socket } = await connectedOverWebSocket();
  const states = [];
  client.on('state', (state, _reason, details) => states.push([state, details]));
  fake.dispatch('offline');
  socket.drop();
  assert.deepEqual(states, [['reconnecting', { attempt: 1, retryIn: null }]]);
  fake.advance(10 * 60 * 1000);
  assert.equal(fake.sockets.length, 1);
  fake.dispatch('online');
  const again = await fake.socket(1);
  const resumed = again.nextFrame((frame) => frame.includes('"t":"hello"'));
  again.accept();
  again.receive(openPacket());
  const hello = JSON.parse((await resumed).slice(1));
  assert.deepEqual(hello.resume, { session: 'session-1', token: 'resume-token', ack: 0 });
  again.receive(welcome({ resumed: true }));
  assert.equal(client.state, 'connected');
  assert.deepEqual(states.at(-1), ['connected', { resumed: true }]);
  client.close();
});

test('iceServersProvider: called at connect, its failure is ice_servers_unavailable, retried after 2 s', async () => {
  let calls = 0;
  let fail;
  const { fake, client } = await connectedOverWebSocket({
    peers: {
      iceServersProvider: () => {
        calls += 1;
        return new Promise((resolve, reject) => (fail = reject));
      },
    },
    timing: { pingInterval: 100000, pingTimeout: 100000 },
  });
  assert.equal(calls, 1);
  const failed = new Promise((resolve) => client.once('error', resolve));
  fail(new Error('credentials API down'));
  const failure = await failed;
  assert.equal(failure.code, 'ice_servers_unavailable');
  assert.match(failure.message, /credentials API down/);
  fake.advance(1999);
  assert.equal(calls, 1);
  fake.advance(1);
  assert.equal(calls, 2);
  client.close();
});

test('setIceServers: a bad list or policy throws invalid_argument; a good one is taken', async () => {
  const { client } = await connectedOverWebSocket();
  for (const [list, options] of [
    [{ urls: 'stun:s' }, undefined],
    [[{ urls: 'http://s' }], undefined],
    [[{ urls: 'turn:t' }], undefined],
    [[], { iceTransportPolicy: 'none' }],
    [[], { iceTransportPolicy: 7 }],
  ]) {
    assert.throws(
      () => client.setIceServers(list, options),
      (error) => error.code === 'invalid_argument' && error.origin === 'local',
      JSON.stringify(list),
    );
  }
  client.setIceServers([{ urls: 'turn:t', username: 'u', credential: 'c' }], { iceTransportPolicy: 'relay' });
  client.close();
  assert.throws(() => client.setIceServers([]), (error) => error.code === 'not_connected');
});
