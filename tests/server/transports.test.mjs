// --transports and --max-sessions-per-ip: disabled transports are refused as unknown, the open
// packet only offers enabled upgrades, and one address cannot hold more sessions than allowed.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, RawEngineioSocket, upgradeRequest, within } from './support/peers.mjs';
import { SseClient, engineioUrl, openPolling, request } from './support/engineio_http.mjs';

const TRANSPORT_UNKNOWN = { code: 0, message: 'Transport unknown' };

describe('--transports websocket', () => {
  let server;
  before(async () => {
    server = await startServer({ args: [...QUICK_SESSION_ARGS, '--transports', 'websocket'] });
  });
  after(() => server.stop());

  test('polling and SSE handshakes are refused with code 0', async () => {
    for (const transport of ['polling', 'sse']) {
      const answer = await request(engineioUrl(server.url, transport));
      assert.equal(answer.status, 400, transport);
      assert.deepEqual(JSON.parse(answer.text), TRANSPORT_UNKNOWN);
    }
  });

  test('websocket sessions work as before', async () => {
    const peer = await EnvelopePeer.welcomed(server.url);
    assert.deepEqual((await peer.handshake).upgrades, []);
    await peer.close();
  });
});

describe('--transports polling,sse', () => {
  let server;
  before(async () => {
    server = await startServer({ args: [...QUICK_SESSION_ARGS, '--transports', 'polling,sse'] });
  });
  after(() => server.stop());

  test('websocket handshakes and upgrades are refused with code 0', async () => {
    const handshake = await upgradeRequest(server.url, '/engine.io/?EIO=4&transport=websocket');
    assert.equal(handshake.status, 400);
    assert.deepEqual(JSON.parse(handshake.body), TRANSPORT_UNKNOWN);
    const { sid } = await openPolling(server.url);
    const upgrade = await upgradeRequest(server.url, `/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    assert.equal(upgrade.status, 400);
    assert.deepEqual(JSON.parse(upgrade.body), TRANSPORT_UNKNOWN);
  });

  test('the open packets offer no upgrade, and engine.io-client stays on polling', async () => {
    const { open } = await openPolling(server.url);
    assert.deepEqual(open.upgrades, []);
    const stream = await SseClient.open(engineioUrl(server.url, 'sse'));
    assert.deepEqual(JSON.parse((await stream.next()).data).upgrades, []);
    stream.close();
    const peer = await EnvelopePeer.welcomed(server.url, { transports: ['polling', 'websocket'] });
    assert.equal(peer.socket.transport.name, 'polling');
    await peer.join('polling-only');
    await peer.close();
  });
});

describe('--max-sessions-per-ip 2', () => {
  let server;
  before(async () => {
    server = await startServer({ args: [...QUICK_SESSION_ARGS, '--max-sessions-per-ip', '2'] });
  });
  after(() => server.stop());

  const TOO_MANY = { code: 4, message: 'Too many sessions' };

  test('a third session from one address is refused with 503 on every transport, until one ends', async () => {
    const first = await openPolling(server.url);
    const second = await RawEngineioSocket.open(server.url);

    const polling = await request(engineioUrl(server.url, 'polling'));
    assert.equal(polling.status, 503);
    assert.deepEqual(JSON.parse(polling.text), TOO_MANY);
    const sse = await request(engineioUrl(server.url, 'sse'));
    assert.equal(sse.status, 503);
    assert.deepEqual(JSON.parse(sse.text), TOO_MANY);
    const websocket = await upgradeRequest(server.url, '/engine.io/?EIO=4&transport=websocket');
    assert.equal(websocket.status, 503);
    assert.deepEqual(JSON.parse(websocket.body), TOO_MANY);
    await server.waitForLog(/handshake refused .*code=4 message="Too many sessions"/);

    // Requests of the sessions that exist are not handshakes: they are served.
    const posted = await request(engineioUrl(server.url, 'polling', `&sid=${first.sid}`), { method: 'POST', body: '1' });
    assert.equal(posted.text, 'ok');
    await server.waitForLog(new RegExp(`disconnect sid=${first.sid} .*client close`));
    const third = await openPolling(server.url);
    assert.match(third.sid, /^[0-9A-Za-z]{22}$/);
    second.terminate();
    await within(second.closed, 'the websocket to close');
    const closed = await request(engineioUrl(server.url, 'polling', `&sid=${third.sid}`), { method: 'POST', body: '1' });
    assert.equal(closed.text, 'ok');
    await server.waitForLog(new RegExp(`disconnect sid=${third.sid} .*client close`));
  });

});

// A resume window far longer than the test, so only yielding can make room (and the resume at the
// end cannot be late, however loaded the machine).
describe('--max-sessions-per-ip 2, sessions kept for a resume', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--resume-window', '60000ms', '--max-sessions-per-ip', '2'] });
  });
  after(() => server.stop());

  test('sessions kept for a resume yield to newcomers, and a resume always gets through', async () => {
    const hello = (socket, resume) =>
      socket.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'dropper', ...(resume && { resume }) }));
    const dropped = [];
    for (let i = 0; i < 2; i += 1) {
      const socket = await RawEngineioSocket.open(server.url);
      hello(socket);
      dropped.push(await socket.nextEnvelope());
      // Gone without a close packet: the session is kept for the resume window.
      socket.terminate();
      await server.waitForLog(new RegExp(`disconnect .*peer=${dropped.at(-1).peer}`));
    }
    const [first, second] = dropped;
    // No connection is open, but the address holds two kept sessions: a newcomer still gets in,
    // ending the one kept longest...
    const fresh = await RawEngineioSocket.open(server.url);
    hello(fresh);
    assert.equal((await fresh.nextEnvelope()).t, 'welcome');
    await server.waitForLog(new RegExp(`session ended peer=${first.peer} code=session_expired`));
    // ...while the other one still resumes.
    const resuming = await RawEngineioSocket.open(server.url);
    hello(resuming, { session: second.session, token: second.token, ack: 0 });
    const welcome = await resuming.nextEnvelope();
    assert.deepEqual([welcome.t, welcome.resumed, welcome.peer], ['welcome', true, second.peer]);
    // Two live sessions: now a third is refused.
    const third = await upgradeRequest(server.url, '/engine.io/?EIO=4&transport=websocket');
    assert.equal(third.status, 503);
    fresh.terminate();
    resuming.terminate();
  });
});

describe('shutdown with HTTP transports', () => {
  test('SIGTERM sends the close packet to a waiting poll and an SSE stream, and exits 0', async () => {
    const server = await startServer({ args: QUICK_SESSION_ARGS });
    const { sid } = await openPolling(server.url);
    const waiting = request(engineioUrl(server.url, 'polling', `&sid=${sid}`), {}, 5000);
    const stream = await SseClient.open(engineioUrl(server.url, 'sse'));
    await stream.next(() => true, 'the open packet');
    // A waiting poll shows no sign of itself: give it time to arrive before the signal.
    await delay(50);
    const { code } = await server.stop();
    assert.equal(code, 0);
    const released = await waiting;
    assert.equal(released.status, 200);
    assert.equal(released.text, '1');
    assert.equal((await stream.next()).type, '1');
    assert.equal(await stream.waitEnded(), 'ended');
  });
});
