// An Engine.IO sid is no bearer token: from another address it names no session (polling GET,
// POST, websocket upgrade), while the rtcwire resume token still carries a session to a new
// address (docs/server.md, "Session binding"). 127.0.0.2 is a second loopback address.
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import test from 'node:test';
import WebSocket from 'ws';
import { startServer } from '../lib/server_process.mjs';
import { engineioUrl, openPolling, request } from './support/engineio_http.mjs';
import { EnvelopePeer, Inbox, within } from './support/peers.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';

const ELSEWHERE = '127.0.0.2';

/** An HTTP request from `localAddress`: {status, body}, or for an accepted upgrade status 101. */
function requestFrom(localAddress, url, { method = 'GET', body, upgrade = false } = {}) {
  const { hostname, port, pathname, search } = new URL(url);
  const headers = upgrade
    ? {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      }
    : {};
  return within(
    new Promise((resolve, reject) => {
      const sent = http.request({
        hostname, port, path: pathname + search, method, headers, localAddress, agent: false,
      });
      sent.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve({ status: response.statusCode, body: '' });
      });
      sent.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: text }));
      });
      sent.on('error', reject);
      sent.end(body);
    }),
    `${method} ${url} from ${localAddress}`,
  );
}

/** A raw Engine.IO websocket from `localAddress`, with its envelopes in `envelopes`. */
async function websocketFrom(localAddress, url) {
  const ws = new WebSocket(engineioUrl(url.replace(/^http/, 'ws'), 'websocket'), {
    localAddress,
    perMessageDeflate: false,
  });
  const envelopes = new Inbox();
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('4')) envelopes.push(JSON.parse(text.slice(1)));
  });
  ws.on('error', () => {});
  await within(new Promise((resolve) => ws.once('open', resolve)), `a websocket from ${localAddress}`);
  return {
    ws,
    send: (envelope) => ws.send('4' + JSON.stringify(envelope)),
    next: (type) => envelopes.next((e) => e.t === type, `a '${type}' envelope`),
  };
}

test('a sid used from another address is refused on every route, and the session is untouched', async () => {
  const server = await startServer({ args: QUICK_SESSION_ARGS });
  try {
    const listener = await EnvelopePeer.welcomed(server.url);
    await listener.join('bound');
    const { sid } = await openPolling(server.url);
    const victim = engineioUrl(server.url, 'polling', `&sid=${sid}`);
    const post = (envelope) => request(victim, { method: 'POST', body: '4' + JSON.stringify(envelope) });
    assert.equal((await post({ v: 1, t: 'hello', sdk: 'victim' })).text, 'ok');
    assert.equal((await post({ v: 1, t: 'join', room: 'bound' })).text, 'ok');
    const { peer } = await listener.expect('peer-joined');

    // The thief knows the sid (from a URL or a log line) but not the victim's address.
    const unknown = { code: 1, message: 'Session ID unknown' };
    const poll = await requestFrom(ELSEWHERE, victim);
    assert.equal(poll.status, 400);
    assert.deepEqual(JSON.parse(poll.body), unknown);
    const forged = await requestFrom(ELSEWHERE, victim, {
      method: 'POST',
      body: '4' + JSON.stringify({ v: 1, t: 'publish', data: 'forged' }) + '\x1e1',
    });
    assert.equal(forged.status, 400);
    assert.deepEqual(JSON.parse(forged.body), unknown);
    const upgrade = await requestFrom(ELSEWHERE, engineioUrl(server.url, 'websocket', `&sid=${sid}`), {
      upgrade: true,
    });
    assert.equal(upgrade.status, 400);
    await server.waitForLog(new RegExp(`handshake refused remote=${ELSEWHERE.replaceAll('.', '\\.')}:`));

    // The session still works from its own address, and the thief's publish never reached the room.
    assert.equal((await post({ v: 1, t: 'publish', data: 'genuine' })).text, 'ok');
    const published = await listener.expect('publish');
    assert.deepEqual([published.from, published.data], [peer, 'genuine']);
    const own = await request(victim);
    assert.equal(own.status, 200);
    assert.match(own.text, /"t":"welcome"/, 'its queued envelopes are still there for it');
    assert.doesNotMatch(server.stderr(), new RegExp(`disconnect sid=${sid}`));
    await listener.close();
  } finally {
    await server.stop();
  }
});

test('a resume from another address with the session token works', async () => {
  const server = await startServer({ args: QUICK_SESSION_ARGS });
  try {
    const listener = await EnvelopePeer.welcomed(server.url);
    await listener.join('moving');
    const before = await websocketFrom('127.0.0.1', server.url);
    before.send({ v: 1, t: 'hello', sdk: 'mobile' });
    const welcome = await before.next('welcome');
    before.send({ seq: 1, v: 1, t: 'join', room: 'moving' });
    await before.next('joined');
    before.ws.terminate();  // the network changes
    await server.waitForLog(new RegExp(`disconnect .*peer=${welcome.peer}`));
    listener.send({ v: 1, t: 'publish', data: 'while away' });

    const after = await websocketFrom(ELSEWHERE, server.url);
    after.send({
      v: 1,
      t: 'hello',
      sdk: 'mobile',
      resume: { session: welcome.session, token: welcome.token, ack: 1 },
    });
    const resumed = await after.next('welcome');
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.peer, welcome.peer);
    assert.equal((await after.next('publish')).data, 'while away');
    await server.waitForLog(new RegExp(`hello .*remote=${ELSEWHERE.replaceAll('.', '\\.')}:.*peer=${welcome.peer}.* resumed`));

    // A wrong token from there gets a new session instead.
    const guess = await websocketFrom(ELSEWHERE, server.url);
    guess.send({
      v: 1,
      t: 'hello',
      sdk: 'thief',
      resume: { session: welcome.session, token: 'x'.repeat(welcome.token.length), ack: 0 },
    });
    const refused = await guess.next('welcome');
    assert.equal(refused.resumed, false);
    assert.equal(refused.resumeError, 'session_expired');
    assert.notEqual(refused.peer, welcome.peer);
    after.ws.close();
    guess.ws.close();
    await listener.close();
  } finally {
    await server.stop();
  }
});

test('room names with control, format or separator characters are refused with invalid_room', async () => {
  const server = await startServer({ args: QUICK_SESSION_ARGS });
  try {
    const peer = await EnvelopePeer.welcomed(server.url);
    for (const room of ['a\u0085b', 'line\u2028break', 'admin\u202Etxt.exe', 'zero\u200Bwidth', 'tag\u{E0041}']) {
      peer.send({ v: 1, t: 'join', room });
      const error = await peer.expectError('invalid_room');
      assert.match(error.message, /Cc, Cf, Zl, Zp/);
    }
    const joined = await peer.join('caf\u00e9 \u{1F389} x code=ok');
    assert.equal(joined.room, 'caf\u00e9 \u{1F389} x code=ok', 'printable text is fine');
    await peer.close();
  } finally {
    await server.stop();
  }
});
