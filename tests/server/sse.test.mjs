// The SSE transport (rtcwire's extension): an event stream read with fetch downstream, POSTs
// upstream, envelopes through a room, the heartbeat comment, the Engine.IO heartbeat, and the
// upgrade from SSE to websocket with a raw websocket speaking the probe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, parseEnvelope } from './support/peers.mjs';
import { BufferedWebSocket, SseClient, engineioUrl, request } from './support/engineio_http.mjs';

const HEARTBEAT_MS = 150;

/** An SSE session speaking envelopes: reads events from `stream`, POSTs packets. */
class SsePeer {
  static async open(base) {
    const peer = new SsePeer();
    peer.base = base;
    peer.stream = await SseClient.open(engineioUrl(base, 'sse'));
    const open = await peer.stream.next(() => true, 'the open packet');
    assert.equal(open.type, '0');
    peer.openInfo = JSON.parse(open.data);
    peer.sid = peer.openInfo.sid;
    return peer;
  }

  post(payload) {
    return request(engineioUrl(this.base, 'sse', `&sid=${this.sid}`), { method: 'POST', body: payload });
  }

  async send(envelope) {
    const answer = await this.post('4' + JSON.stringify(envelope));
    assert.equal(answer.status, 200);
    assert.equal(answer.text, 'ok');
  }

  async expect(type, match = () => true) {
    const packet = await this.stream.next(
      (p) => p.type === '4' && JSON.parse(p.data).t === type && match(JSON.parse(p.data)),
      `an SSE '${type}' envelope`,
    );
    return parseEnvelope(packet.data);
  }

  async hello() {
    await this.send({ v: 1, t: 'hello', sdk: 'sse-tests/1' });
    this.welcome = await this.expect('welcome');
    this.id = this.welcome.peer;
    return this;
  }
}

describe('SSE transport', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--sse-heartbeat-interval', String(HEARTBEAT_MS), '--ping-interval', '400', '--ping-timeout', '1500'],
    });
  });
  after(() => server.stop());

  test('the handshake is a text/event-stream whose first event carries the open packet', async () => {
    const peer = await SsePeer.open(server.url);
    const headers = peer.stream.headers;
    assert.equal(peer.stream.status, 200);
    assert.equal(headers.get('content-type'), 'text/event-stream');
    assert.equal(headers.get('cache-control'), 'no-store');
    assert.equal(headers.get('x-accel-buffering'), 'no');
    assert.match(peer.sid, /^[0-9A-Za-z]{22}$/);
    assert.deepEqual(peer.openInfo.upgrades, ['websocket']);
    assert.equal(peer.openInfo.pingInterval, 400);
    // Each event's data is one JSON string.
    assert.equal(typeof JSON.parse(peer.stream.events[0]), 'string');
    await server.waitForLog(new RegExp(`connect sid=${peer.sid} .*transport=sse`));
    peer.stream.close();
  });

  test('hello/welcome and messages both ways through a room with a websocket peer', async () => {
    const sse = await (await SsePeer.open(server.url)).hello();
    assert.match(sse.id, /^[0-9A-Za-z]{16}$/);
    const ws = await EnvelopePeer.welcomed(server.url);
    await sse.send({ v: 1, t: 'join', room: 'sse-room' });
    await sse.expect('joined');
    assert.deepEqual((await ws.join('sse-room')).peers, [sse.id]);
    await sse.expect('peer-joined', (e) => e.peer === ws.id);

    await sse.send({ v: 1, t: 'publish', data: { text: 'line one\nline two\r\n\u2603 \u001e' } });
    assert.deepEqual((await ws.expect('publish')).data, { text: 'line one\nline two\r\n\u2603 \u001e' });
    ws.send({ v: 1, t: 'direct', to: sse.id, data: 'back\ndown\u001e' });
    // After joined (1) and peer-joined (2).
    assert.deepEqual(await sse.expect('direct'), { seq: 3, v: 1, t: 'direct', from: ws.id, data: 'back\ndown\u001e' });
    // Several packets in one POST.
    const two = ['4' + JSON.stringify({ v: 1, t: 'publish', data: 1 }), '4' + JSON.stringify({ v: 1, t: 'publish', data: 2 })];
    assert.equal((await sse.post(two.join('\x1e'))).text, 'ok');
    assert.equal((await ws.expect('publish')).data, 1);
    assert.equal((await ws.expect('publish')).data, 2);

    sse.stream.close();
    await ws.expect('peer-left', (e) => e.peer === sse.id);
    await server.waitForLog(new RegExp(`disconnect .*peer=${sse.id}.*reason="sse stream closed by the client"`));
    await ws.close();
  });

  test('an idle stream gets heartbeat comment lines', async () => {
    const peer = await SsePeer.open(server.url);
    assert.equal(await peer.stream.comments.next(() => true, 'a heartbeat comment', HEARTBEAT_MS * 10), ': ');
    peer.stream.close();
  });

  test('Engine.IO pings arrive as events and pongs posted back keep the session', async () => {
    const peer = await (await SsePeer.open(server.url)).hello();
    for (let i = 0; i < 3; i++) {
      await peer.stream.next((p) => p.type === '2', 'a ping event');
      assert.equal((await peer.post('3')).text, 'ok');
    }
    await peer.send({ v: 1, t: 'join', room: 'still-alive' });
    await peer.expect('joined');
    peer.stream.close();
  });

  test('a second SSE request for a session is refused with code 3; the session carries on', async () => {
    const peer = await (await SsePeer.open(server.url)).hello();
    const second = await request(engineioUrl(server.url, 'sse', `&sid=${peer.sid}`));
    assert.equal(second.status, 400);
    assert.deepEqual(JSON.parse(second.text), { code: 3, message: 'Bad request' });
    await peer.send({ v: 1, t: 'join', room: 'one-stream' });
    await peer.expect('joined');
    peer.stream.close();
  });

  test('upgrade from SSE to websocket: probe, noop event, buffered packets flushed over the websocket', async () => {
    const sse = await (await SsePeer.open(server.url)).hello();
    const ws = await EnvelopePeer.welcomed(server.url);
    await sse.send({ v: 1, t: 'join', room: 'upgrade' });
    await sse.expect('joined');
    await ws.join('upgrade');
    await sse.expect('peer-joined');

    const probe = new BufferedWebSocket(engineioUrl(server.url.replace(/^http/, 'ws'), 'websocket', `&sid=${sse.sid}`));
    await probe.waitOpen();
    probe.send('2probe');
    assert.equal(await probe.next('3probe'), '3probe');
    await sse.stream.next((p) => p.type === '6', 'the noop event');
    // From now on the SSE stream carries nothing: this waits for the websocket.
    ws.send({ v: 1, t: 'publish', data: 'during the upgrade' });
    // Answered after the publish was relayed, i.e. queued for the upgrading session.
    ws.send({ v: 1, t: 'direct', to: 'nobody', data: 0 });
    await ws.expectError('peer_not_found');
    probe.send('5');
    const flushed = await probe.next('the buffered message');
    assert.deepEqual(parseEnvelope(flushed.slice(1)), { seq: 3, v: 1, t: 'publish', from: ws.id, data: 'during the upgrade' });
    assert.equal(await sse.stream.waitEnded(), 'ended');
    assert.deepEqual(
      sse.stream.packets.pending().filter((p) => p.type === '4'),
      [],
      'nothing went out on the SSE stream after the noop',
    );
    probe.send('4' + JSON.stringify({ v: 1, t: 'publish', data: 'over the websocket' }));
    assert.equal((await ws.expect('publish')).data, 'over the websocket');
    // The session is on websocket now: POSTs to the SSE transport are refused.
    assert.equal((await sse.post('4' + JSON.stringify({ v: 1, t: 'leave' }))).status, 400);
    await server.waitForLog(new RegExp(`upgrade sid=${sse.sid} .*transport=websocket`));
    probe.close();
    await ws.close();
  });

  test('an upgrade abandoned before 5 leaves the session on SSE, and buffered packets follow there', async () => {
    const sse = await (await SsePeer.open(server.url)).hello();
    const probe = new BufferedWebSocket(engineioUrl(server.url.replace(/^http/, 'ws'), 'websocket', `&sid=${sse.sid}`));
    await probe.waitOpen();
    probe.send('2probe');
    assert.equal(await probe.next('3probe'), '3probe');
    await sse.stream.next((p) => p.type === '6', 'the noop event');
    await sse.send({ v: 1, t: 'join', room: 'abandoned' });  // answered once the SSE stream resumes
    probe.close();
    assert.equal((await sse.expect('joined')).room, 'abandoned');
    await server.waitForLog(new RegExp(`upgrade abandoned sid=${sse.sid}`));
    sse.stream.close();
  });
});

describe('SSE in echo mode', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--echo'] });
  });
  after(() => server.stop());

  test('text and binary packets come back on the stream, with CORS for any origin', async () => {
    const peer = await SsePeer.open(server.url);
    assert.equal(peer.stream.headers.get('access-control-allow-origin'), '*');
    const answer = await peer.post('4hello\x1ebAQIDBA==');
    assert.equal(answer.text, 'ok');
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await peer.stream.next(), { type: '4', data: 'hello' });
    assert.deepEqual(await peer.stream.next(), { binary: Buffer.from([1, 2, 3, 4]) });
    assert.equal(peer.stream.events.at(-1), JSON.stringify('bAQIDBA=='));
    peer.stream.close();
  });

  test('CORS preflight is answered', async () => {
    const answer = await request(engineioUrl(server.url, 'sse'), {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.match(answer.headers.get('access-control-allow-methods'), /POST/);
    assert.equal(answer.headers.get('access-control-allow-headers'), 'content-type');
  });
});
