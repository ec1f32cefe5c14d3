// The platform adapters' handle tables, on fake platform objects: what a closed transport does
// later is dropped, dead requests are aborted, response bodies are bounded.
import test from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequests, MAX_RESPONSE_BYTES } from '../../js/platform/http_requests.js';
import { Transports } from '../../js/platform/transports.js';
import { platformWith } from '../../js/platform/platform.js';
import { fakePlatform } from './lib/fake_platform.mjs';

// A sink that records every call as [name, ...args] and can be awaited for the next one.
function recordingSink() {
  const calls = [];
  let wake = null;
  const record =
    (name) =>
    (...args) => {
      calls.push([name, ...args]);
      wake?.();
    };
  return {
    calls,
    next: () => new Promise((resolve) => (wake = resolve)),
    sink: Object.fromEntries(
      ['open', 'text', 'binary', 'closed', 'error', 'response'].map((name) => [name, record(name)]),
    ),
  };
}

function setUp() {
  const fake = fakePlatform();
  const recorder = recordingSink();
  const transports = new Transports(platformWith(fake.overrides), recorder.sink);
  return { fake, recorder, transports };
}

test('a WebSocket reports under its generation until the core closes it; later events are dropped', () => {
  const { fake, recorder, transports } = setUp();
  transports.execute({ type: 'open', kind: 'websocket', generation: 3, url: 'ws://a.test/' });
  const [socket] = fake.sockets;
  socket.accept();
  socket.receive('4text');
  socket.receive(new Uint8Array([1, 2]).buffer);
  transports.execute({ type: 'send', generation: 3, text: '4out' });
  transports.execute({ type: 'close', generation: 3 });
  socket.receive('4late');
  socket.drop();
  assert.deepEqual(recorder.calls, [
    ['open', 3],
    ['text', 3, '4text'],
    ['binary', 3, new Uint8Array([1, 2])],
  ]);
  assert.deepEqual(socket.sent, ['4out']);
  assert.equal(socket.closeCode, 1000);
});

test('a WebSocket the platform cannot create, or one not open, is an error of its generation', () => {
  const { recorder, fake } = setUp();
  const transports = new Transports(
    platformWith({
      ...fake.overrides,
      WebSocket: class {
        constructor() {
          throw new Error('blocked by policy');
        }
      },
    }),
    recorder.sink,
  );
  transports.execute({ type: 'open', kind: 'websocket', generation: 1, url: 'ws://a.test/' });
  transports.execute({ type: 'send', generation: 1, text: '4x' });
  assert.deepEqual(recorder.calls, [
    ['error', 1, 'could not create a WebSocket: blocked by policy'],
    ['error', 1, 'send on a WebSocket that is not open'],
  ]);
});

test('a socket closed by the network leaves the table: a send on it is an error, not a throw', () => {
  const { fake, recorder, transports } = setUp();
  transports.execute({ type: 'open', kind: 'websocket', generation: 2, url: 'ws://a.test/' });
  fake.sockets[0].accept();
  fake.sockets[0].drop();
  transports.execute({ type: 'send', generation: 2, text: '4x' });
  assert.deepEqual(recorder.calls, [
    ['open', 2],
    ['error', 2, 'the WebSocket failed'],
    ['closed', 2],
    ['error', 2, 'send on a WebSocket that is not open'],
  ]);
});

test('an EventSource ends at its first error (no automatic reconnect) and reports nothing after', () => {
  const { fake, recorder, transports } = setUp();
  transports.execute({ type: 'open', kind: 'sse', generation: 4, url: 'http://a.test/sse' });
  const [source] = fake.eventSources;
  source.accept();
  source.receive('4a');
  source.fail();
  source.receive('4late');
  source.fail();
  assert.equal(source.closed, true);
  assert.deepEqual(recorder.calls, [
    ['open', 4],
    ['text', 4, '4a'],
    ['error', 4, 'the EventSource failed'],
  ]);
});

test('closing a generation aborts its requests, which report nothing; the parting POST runs on', async () => {
  const { fake, recorder, transports } = setUp();
  const http = (generation, id, parting = false) =>
    transports.execute({
      type: 'http',
      generation,
      id,
      method: id === 2 || parting ? 'POST' : 'GET',
      url: `http://a.test/poll?${id}`,
      body: '4x',
      parting,
    });
  http(1, 1);
  http(1, 2);
  http(1, 3, true);
  http(2, 4);
  transports.execute({ type: 'close', generation: 1 });
  const [poll, post, parting, other] = fake.requests;
  assert.deepEqual(
    fake.requests.map((request) => request.aborted),
    [true, true, false, false],
  );
  assert.equal(parting.init.signal, undefined);
  assert.equal(parting.init.keepalive, true);
  poll.respond(200, 'late');
  post.respond(200, 'ok');
  const answered = recorder.next();
  other.respond(200, '4y');
  await answered;
  parting.respond(200, 'ok');
  await recorder.next();
  assert.deepEqual(recorder.calls, [
    ['response', 2, 4, 200, '4y'],
    ['response', 1, 3, 200, 'ok'],
  ]);
});

test('closeAll aborts every request in flight', () => {
  const { fake, transports } = setUp();
  transports.execute({ type: 'http', generation: 1, id: 1, method: 'GET', url: 'http://a.test/1' });
  transports.execute({ type: 'http', generation: 2, id: 2, method: 'GET', url: 'http://a.test/2' });
  transports.closeAll();
  assert.deepEqual(
    fake.requests.map((request) => request.aborted),
    [true, true],
  );
});

test('a failed or throwing fetch is status 0', async () => {
  const { recorder, fake } = setUp();
  let calls = 0;
  const requests = new HttpRequests(
    platformWith({
      ...fake.overrides,
      fetch(...args) {
        if (++calls === 1) return fake.overrides.fetch(...args);
        throw new TypeError('fetch is not available here');
      },
    }),
    recorder.sink,
  );
  let answered = recorder.next();
  requests.request(1, 1, 'GET', 'http://a.test/1', null);
  fake.requests[0].fail();
  await answered;
  answered = recorder.next();
  requests.request(1, 2, 'GET', 'http://a.test/2', null);
  await answered;
  assert.deepEqual(recorder.calls, [
    ['response', 1, 1, 0, ''],
    ['response', 1, 2, 0, ''],
  ]);
});

// A body of `chunks` chunks of `chunkBytes` bytes ('a'), counting how many the reader pulled.
function countedBody(chunks, chunkBytes) {
  const body = { pulled: 0, cancelled: false };
  body.stream = new ReadableStream({
    pull(controller) {
      if (body.pulled === chunks) return controller.close();
      body.pulled++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x61));
    },
    cancel() {
      body.cancelled = true;
    },
  });
  return body;
}

test('a response body over MAX_RESPONSE_BYTES is not read to its end and fails the request', async () => {
  const { recorder, fake } = setUp();
  const requests = new HttpRequests(platformWith(fake.overrides), recorder.sink);
  const chunk = 1024 * 1024;
  const huge = countedBody(64, chunk);
  const answered = recorder.next();
  requests.request(1, 1, 'GET', 'http://a.test/1', null);
  fake.requests[0].respond(200, huge.stream);
  await answered;
  assert.deepEqual(recorder.calls, [['response', 1, 1, 0, '']]);
  assert.equal(huge.cancelled, true);
  assert.ok(huge.pulled <= MAX_RESPONSE_BYTES / chunk + 2, `pulled ${huge.pulled} MiB`);
});

test('a response body of exactly MAX_RESPONSE_BYTES is read whole', async () => {
  const { recorder, fake } = setUp();
  const requests = new HttpRequests(platformWith(fake.overrides), recorder.sink);
  const chunk = 1024 * 1024;
  const answered = recorder.next();
  requests.request(1, 1, 'GET', 'http://a.test/1', null);
  fake.requests[0].respond(200, countedBody(MAX_RESPONSE_BYTES / chunk, chunk).stream);
  await answered;
  const [[, , , status, body]] = recorder.calls;
  assert.equal(status, 200);
  assert.equal(body.length, MAX_RESPONSE_BYTES);
});
