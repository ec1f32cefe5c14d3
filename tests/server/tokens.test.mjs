// JWT connection tokens: every kind of bad token refused with its code, rooms and publish claims
// enforced, refresh without reconnecting, expiry ends the session, a resume needs a valid token.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import {
  claims,
  ecKeys,
  hs256,
  nowSeconds,
  rsaKeys,
  unsigned,
  withBadSignature,
} from '../lib/tokens.mjs';
import { HS256_SECRET } from '../lib/tokens.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';

async function hello(url, auth, extra = {}) {
  const peer = await EnvelopePeer.connect(url);
  peer.send({ v: 1, t: 'hello', sdk: 'token-tests/1', ...(auth === undefined ? {} : { auth }), ...extra });
  return peer;
}

async function welcomedWith(url, auth) {
  const peer = await hello(url, auth);
  peer.welcome = await peer.expect('welcome');
  peer.id = peer.welcome.peer;
  return peer;
}

// A refused hello: the error envelope with `code`, then the server closes the connection.
async function expectRefused(url, auth, code) {
  const peer = await hello(url, auth);
  const error = await peer.expect('error');
  assert.equal(error.code, code, JSON.stringify(error));
  await within(peer.closed, 'the server to close a refused connection');
}

describe('HS256 with --auth required', () => {
  let server;
  before(async () => {
    server = await startServer({ args: [...QUICK_SESSION_ARGS, '--jwt-secret', HS256_SECRET] });
  });
  after(() => server.stop());

  test('a valid token is welcomed, with how long it stays valid', async () => {
    const peer = await welcomedWith(server.url, hs256(claims({}, 60)));
    assert.ok(peer.welcome.authExpiresInMs > 55000 && peer.welcome.authExpiresInMs <= 60000);
    await peer.close();
  });

  test('a missing token is unauthorized', () => expectRefused(server.url, undefined, 'unauthorized'));

  test('an expired token is token_expired', () =>
    expectRefused(server.url, hs256(claims({ exp: nowSeconds() - 1 })), 'token_expired'));

  test('a token whose nbf is in the future is unauthorized', () =>
    expectRefused(server.url, hs256(claims({ nbf: nowSeconds() + 600 })), 'unauthorized'));

  test('a bad signature is unauthorized', () =>
    expectRefused(server.url, withBadSignature(hs256(claims())), 'unauthorized'));

  test('a token signed with another secret is unauthorized', () =>
    expectRefused(server.url, hs256(claims(), 'another-secret-that-is-long-enough-xxxxxxx'), 'unauthorized'));

  test('alg none is unauthorized', () => expectRefused(server.url, unsigned(claims()), 'unauthorized'));

  test('an RS256 token is refused by an HS256 server', () =>
    expectRefused(server.url, rsaKeys().sign(claims()), 'unauthorized'));

  test('garbage and malformed claims are unauthorized', async () => {
    await expectRefused(server.url, 'not-a-jwt', 'unauthorized');
    await expectRefused(server.url, hs256(claims({ rooms: 'lobby' })), 'unauthorized');
    await expectRefused(server.url, hs256(claims({ publish: 'no' })), 'unauthorized');
    await expectRefused(server.url, hs256(claims({ exp: 'tomorrow' })), 'unauthorized');
  });

  test('an oversized token is invalid_envelope, and the connection closes', async () => {
    const peer = await hello(server.url, 'x'.repeat(9000));
    assert.equal((await peer.expect('error')).code, 'invalid_envelope');
  });

  test('rooms: names and prefix patterns; any other room is forbidden_room', async () => {
    const peer = await welcomedWith(server.url, hs256(claims({ rooms: ['lobby', 'team-*'] })));
    await peer.join('lobby');
    await peer.join('team-red');
    peer.send({ v: 1, t: 'join', room: 'other' });
    await peer.expectError('forbidden_room');
    peer.send({ v: 1, t: 'join', room: 'tea' });
    await peer.expectError('forbidden_room');
    await peer.close();
  });

  test('publish: false may listen but not publish or send direct messages', async () => {
    const listener = await welcomedWith(server.url, hs256(claims({ sub: 'listener', publish: false })));
    const speaker = await welcomedWith(server.url, hs256(claims({ sub: 'speaker' })));
    await listener.join('stage');
    const joined = await speaker.join('stage');
    // The user of each peer is shown next to its id.
    assert.deepEqual(joined.users, { [listener.id]: 'listener' });
    const peerJoined = await listener.expect('peer-joined');
    assert.equal(peerJoined.user, 'speaker');
    speaker.send({ v: 1, t: 'publish', data: 'hello all' });
    assert.equal((await listener.expect('publish')).data, 'hello all');
    listener.send({ v: 1, t: 'publish', data: 'me too' });
    await listener.expectError('forbidden_publish');
    listener.send({ v: 1, t: 'direct', to: speaker.id, data: 'psst' });
    await listener.expectError('forbidden_publish');
    // Signalling still goes through, so a listener can negotiate to receive media.
    listener.send({ v: 1, t: 'signal', to: speaker.id, data: { sdp: 'answer' } });
    assert.deepEqual((await speaker.expect('signal')).data, { sdp: 'answer' });
    await Promise.all([listener.close(), speaker.close()]);
  });

  test('a refresh envelope extends the session without reconnecting; without one it ends with token_expired', async () => {
    const refreshed = await welcomedWith(server.url, hs256(claims({ sub: 'bob' }, 2)));
    const lapsing = await welcomedWith(server.url, hs256(claims({ sub: 'carol' }, 2)));
    await refreshed.join('refresh-room');
    await lapsing.join('refresh-room');
    refreshed.send({ v: 1, t: 'refresh', auth: hs256(claims({ sub: 'bob' }, 60)) });
    const answer = await refreshed.expect('refreshed');
    assert.ok(answer.authExpiresInMs > 55000, JSON.stringify(answer));
    // The other one's token runs out: error, close, and the room hears it leave.
    await lapsing.expectError('token_expired', 5000);
    await within(lapsing.closed, 'the server to close an expired session', 5000);
    assert.equal((await refreshed.expect('peer-left', () => true, 5000)).peer, lapsing.id);
    // The refreshed session is still the same and works.
    refreshed.send({ v: 1, t: 'publish', data: 'still here' });
    await refreshed.close();
  });

  test('a refresh for another user, or with a bad token, is refused and the session goes on', async () => {
    const peer = await welcomedWith(server.url, hs256(claims({ sub: 'dave' })));
    peer.send({ v: 1, t: 'refresh', auth: hs256(claims({ sub: 'mallory' })) });
    await peer.expectError('unauthorized');
    peer.send({ v: 1, t: 'refresh', auth: unsigned(claims({ sub: 'dave' })) });
    await peer.expectError('unauthorized');
    await peer.join('after-bad-refresh');
    await peer.close();
  });

  test('a resume needs a valid token of the same user', async () => {
    const first = await welcomedWith(server.url, hs256(claims({ sub: 'erin' })));
    const resume = { session: first.welcome.session, token: first.welcome.token, ack: 0 };
    first.socket.transport.close();  // drop the connection without a close packet
    await within(first.closed, 'the first connection to drop');
    // Without a token: refused, and the kept session is left alone.
    await (async () => {
      const peer = await hello(server.url, undefined, { resume });
      await peer.expectError('unauthorized');
    })();
    // Another user's token does not resume it.
    const other = await hello(server.url, hs256(claims({ sub: 'frank' })), { resume });
    const otherWelcome = await other.expect('welcome');
    assert.equal(otherWelcome.resumed, false);
    assert.equal(otherWelcome.resumeError, 'session_expired');
    await other.close();
    // The right user with a valid token does.
    const again = await hello(server.url, hs256(claims({ sub: 'erin' })), { resume });
    const welcome = await again.expect('welcome');
    assert.equal(welcome.resumed, true);
    assert.equal(welcome.peer, first.id);
    await again.close();
  });
});

describe('RS256 and ES256 with --jwt-public-key', () => {
  let dir;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-keys-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [name, makeKeys] of [
    ['RS256', rsaKeys],
    ['ES256', ecKeys],
  ]) {
    test(`${name}: a signed token is welcomed; an HS256 token made with the public key is not`, async () => {
      const keys = makeKeys();
      const keyFile = path.join(dir, `${name}.pem`);
      await writeFile(keyFile, keys.publicPem);
      const server = await startServer({ args: [...QUICK_SESSION_ARGS, '--jwt-public-key', keyFile] });
      try {
        const peer = await welcomedWith(server.url, keys.sign(claims({ sub: 'grace' })));
        await peer.close();
        // Algorithm confusion: the public key used as an HMAC secret.
        await expectRefused(server.url, hs256(claims(), keys.publicPem), 'unauthorized');
        await expectRefused(server.url, withBadSignature(keys.sign(claims())), 'unauthorized');
        await expectRefused(server.url, unsigned(claims()), 'unauthorized');
      } finally {
        await server.stop();
      }
    });
  }
});

describe('--auth optional', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--jwt-secret', HS256_SECRET, '--auth', 'optional'],
    });
  });
  after(() => server.stop());

  test('without a token anyone may join; a given token must be valid and is enforced', async () => {
    const anonymous = await welcomedWith(server.url, undefined);
    assert.equal(anonymous.welcome.authExpiresInMs, undefined);
    await anonymous.join('anything');
    await expectRefused(server.url, unsigned(claims()), 'unauthorized');
    const limited = await welcomedWith(server.url, hs256(claims({ rooms: ['one'] })));
    limited.send({ v: 1, t: 'join', room: 'two' });
    await limited.expectError('forbidden_room');
    await Promise.all([anonymous.close(), limited.close()]);
  });
});

test('the server refuses to start with a key it cannot use', async () => {
  await assert.rejects(startServer({ args: ['--jwt-secret', 'short'] }), /at least 32 bytes/);
  await assert.rejects(startServer({ args: ['--auth', 'required'] }), /needs --jwt-secret/);
  await assert.rejects(startServer({ args: ['--jwt-public-key', '/nonexistent.pem'] }), /cannot read/);
});
