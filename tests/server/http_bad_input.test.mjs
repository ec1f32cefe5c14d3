// Bad input on the HTTP transports (polling and SSE POSTs), answered with the status and body of
// the stock node `engine.io` server (compared request by request), never a crash; other clients,
// including peers in the offender's room, carry on.
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { attach } from 'engine.io';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, rawRequest } from './support/peers.mjs';
import { SseClient, engineioUrl, openPolling, request } from './support/engineio_http.mjs';

const MAX_PAYLOAD = 2000;
// Lets a poll reach the server before the next request, where the server gives no sign of it.
const ORDERING_DELAY_MS = 50;

let server;
let stock;
let stockUrl;
before(async () => {
  server = await startServer({
    args: [...QUICK_SESSION_ARGS, '--max-payload', String(MAX_PAYLOAD), '--max-message-bytes', '1000'],
  });
  const httpServer = http.createServer((_, response) => response.writeHead(404).end());
  stock = attach(httpServer, { maxHttpBufferSize: MAX_PAYLOAD });
  stock.on('connection', (socket) => {
    socket.transport.closeTimeout = 100;  // else a 30 s timer holds the test process open
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  stockUrl = `http://127.0.0.1:${httpServer.address().port}`;
  stock.httpServer = httpServer;
});
after(async () => {
  await server.stop();
  stock.close();
  stock.httpServer.closeAllConnections();
  stock.httpServer.close();
});

const body = (answer) =>
  answer.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(answer.text) : answer.text;

/** Runs `scenario(base)` on both servers; their results must be equal. */
async function sameAsStock(scenario) {
  const ours = await scenario(server.url);
  const theirs = await scenario(stockUrl);
  assert.deepEqual(ours, theirs);
  return ours;
}

describe('requests that open no session', () => {
  for (const [method, query, expected] of [
    ['GET', 'EIO=4&transport=polling&sid=nope', { code: 1, message: 'Session ID unknown' }],
    ['POST', 'EIO=4&transport=polling&sid=nope', { code: 1, message: 'Session ID unknown' }],
    ['GET', 'EIO=3&transport=polling', { code: 5, message: 'Unsupported protocol version' }],
    ['GET', 'transport=polling', { code: 5, message: 'Unsupported protocol version' }],
    ['GET', 'EIO=4&transport=bogus', { code: 0, message: 'Transport unknown' }],
    ['GET', 'EIO=4', { code: 0, message: 'Transport unknown' }],
    ['POST', 'EIO=4&transport=polling', { code: 2, message: 'Bad handshake method' }],
    ['PUT', 'EIO=4&transport=polling', { code: 2, message: 'Bad handshake method' }],
    ['GET', 'EIO=4&transport=websocket', { code: 3, message: 'Bad request' }],
  ]) {
    test(`${method} ?${query} → 400 ${JSON.stringify(expected)}`, async () => {
      const answer = await sameAsStock(async (base) => {
        const response = await rawRequest(base, `/engine.io/?${query}`, method);
        return { status: response.status, body: JSON.parse(response.body), type: response.headers['content-type'] };
      });
      assert.deepEqual(answer, { status: 400, body: expected, type: 'application/json' });
    });
  }

  test('POST with an unknown sid on the SSE transport → 400 code 1', async () => {
    const answer = await request(engineioUrl(server.url, 'sse', '&sid=nope'), { method: 'POST', body: '4x' });
    assert.equal(answer.status, 400);
    assert.deepEqual(body(answer), { code: 1, message: 'Session ID unknown' });
  });
});

describe('bad requests of a live polling session', () => {
  // Each scenario returns what a client observes; both servers must agree.
  const poll = (base, sid, extra = '') => request(engineioUrl(base, 'polling', `&sid=${sid}${extra}`));
  const post = (base, sid, payload, headers = {}) =>
    request(engineioUrl(base, 'polling', `&sid=${sid}`), { method: 'POST', body: payload, headers });
  const summary = (answer) => answer && { status: answer.status, body: body(answer) };

  test('a second GET while one waits: the first gets the close packet, the second a bare 400', async () => {
    const result = await sameAsStock(async (base) => {
      const { sid } = await openPolling(base);
      const first = poll(base, sid);
      await delay(ORDERING_DELAY_MS);
      const second = await poll(base, sid, '&t=second');
      return { first: summary(await first), second: summary(second), after: summary(await poll(base, sid)) };
    });
    assert.deepEqual(result.first, { status: 200, body: '1' });
    assert.deepEqual(result.second, { status: 400, body: '' });
    assert.deepEqual(result.after.body, { code: 1, message: 'Session ID unknown' });
  });

  test('a POST body over maxPayload is refused with 413; the session carries on', async () => {
    const result = await sameAsStock(async (base) => {
      const { sid } = await openPolling(base);
      const tooBig = await post(base, sid, '4' + 'x'.repeat(MAX_PAYLOAD));
      const fine = await post(base, sid, '6');
      return { tooBig: tooBig && tooBig.status, fine: summary(fine) };
    });
    assert.deepEqual(result, { tooBig: 413, fine: { status: 200, body: 'ok' } });
  });

  // The stock server ignores an open packet from a client; rtcwire-server treats it as the
  // framing error it is, on every transport.
  for (const [what, payload, stockToo] of [
    ['an undecodable payload', 'abc', true],
    ['an empty payload', '', true],
    ['a ping from the client', '2', true],
    ['an open packet from the client', '0', false],
  ]) {
    test(`${what} ends the session (the POST still gets "ok", the waiting GET the close packet)`, async () => {
      const scenario = async (base) => {
        const { sid } = await openPolling(base);
        const waiting = poll(base, sid);
        await delay(ORDERING_DELAY_MS);
        const posted = await post(base, sid, payload);
        return { posted: summary(posted), waiting: summary(await waiting), after: (await poll(base, sid)).status };
      };
      const result = stockToo ? await sameAsStock(scenario) : await scenario(server.url);
      assert.deepEqual(result, { posted: { status: 200, body: 'ok' }, waiting: { status: 200, body: '1' }, after: 400 });
    });
  }

  test('a binary (application/octet-stream) POST ends the session with a bare 400', async () => {
    const result = await sameAsStock(async (base) => {
      const { sid } = await openPolling(base);
      const waiting = poll(base, sid);
      await delay(ORDERING_DELAY_MS);
      const posted = await post(base, sid, '4x', { 'Content-Type': 'application/octet-stream' });
      return { posted: summary(posted), waiting: summary(await waiting), after: (await poll(base, sid)).status };
    });
    assert.deepEqual(result, { posted: { status: 400, body: '' }, waiting: { status: 200, body: '1' }, after: 400 });
  });

  test('other methods get a bare 500; the session carries on', async () => {
    const result = await sameAsStock(async (base) => {
      const { sid } = await openPolling(base);
      const put = await request(engineioUrl(base, 'polling', `&sid=${sid}`), { method: 'PUT', body: 'x' });
      return { put: summary(put), fine: summary(await post(base, sid, '6')) };
    });
    assert.deepEqual(result, { put: { status: 500, body: '' }, fine: { status: 200, body: 'ok' } });
  });

  for (const [what, query] of [
    ['another protocol version', 'EIO=3&transport=polling'],
    ['the websocket transport without an upgrade', 'EIO=4&transport=websocket'],
  ]) {
    test(`a request naming the sid with ${what} → 400 code 3`, async () => {
      const result = await sameAsStock(async (base) => {
        const { sid } = await openPolling(base);
        return summary(await request(`${base}/engine.io/?${query}&sid=${sid}`));
      });
      assert.deepEqual(result, { status: 400, body: { code: 3, message: 'Bad request' } });
    });
  }
});

describe('bad requests of a live SSE session', () => {
  test('POST to the polling transport, or a GET of the SSE transport, is refused with code 3', async () => {
    const stream = await SseClient.open(engineioUrl(server.url, 'sse'));
    const { sid } = JSON.parse((await stream.next()).data);
    for (const init of [{ method: 'POST', body: '6' }, {}]) {
      const transport = init.method ? 'polling' : 'sse';
      const answer = await request(engineioUrl(server.url, transport, `&sid=${sid}`), init);
      assert.equal(answer.status, 400);
      assert.deepEqual(body(answer), { code: 3, message: 'Bad request' });
    }
    const ok = await request(engineioUrl(server.url, 'sse', `&sid=${sid}`), { method: 'POST', body: '6' });
    assert.equal(ok.text, 'ok');
    stream.close();
  });

  test('an undecodable POST ends the session with the close packet on the stream', async () => {
    const stream = await SseClient.open(engineioUrl(server.url, 'sse'));
    const { sid } = JSON.parse((await stream.next()).data);
    const answer = await request(engineioUrl(server.url, 'sse', `&sid=${sid}`), { method: 'POST', body: 'b!!!!' });
    assert.equal(answer.text, 'ok');
    assert.equal((await stream.next()).type, '1');
    assert.equal(await stream.waitEnded(), 'ended');
    await server.waitForLog(new RegExp(`disconnect sid=${sid} .*reason="parse error"`));
  });
});

test('peers in the offender\u2019s room, on polling and websocket, are unaffected by its bad input', async () => {
  const pollingWitness = await EnvelopePeer.welcomed(server.url, { transports: ['polling'] });
  const wsWitness = await EnvelopePeer.welcomed(server.url);
  await pollingWitness.join('witnesses');
  await wsWitness.join('witnesses');
  await pollingWitness.expect('peer-joined');

  const { sid } = await openPolling(server.url);
  const post = (payload) => request(engineioUrl(server.url, 'polling', `&sid=${sid}`), { method: 'POST', body: payload });
  assert.equal((await post('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'offender' }))).text, 'ok');
  assert.equal((await post('4' + JSON.stringify({ v: 1, t: 'join', room: 'witnesses' }))).text, 'ok');
  const offender = (await pollingWitness.expect('peer-joined')).peer;
  await wsWitness.expect('peer-joined', (e) => e.peer === offender);

  // Envelope errors first (answered to the offender only), then a framing error that ends it.
  assert.equal((await post('4{not json')).text, 'ok');
  assert.equal((await post('4' + 'x'.repeat(MAX_PAYLOAD))).status, 413);
  assert.equal((await post('\u0000garbage')).text, 'ok');
  await pollingWitness.expect('peer-left', (e) => e.peer === offender);
  await wsWitness.expect('peer-left', (e) => e.peer === offender);

  pollingWitness.send({ v: 1, t: 'publish', data: 'still here' });
  assert.equal((await wsWitness.expect('publish')).data, 'still here');
  wsWitness.send({ v: 1, t: 'direct', to: pollingWitness.id, data: 'me too' });
  assert.equal((await pollingWitness.expect('direct')).data, 'me too');
  assert.deepEqual(pollingWitness.inbox.pending(), []);
  assert.deepEqual(wsWitness.inbox.pending(), []);
  await pollingWitness.close();
  await wsWitness.close();
});
