// TURN credentials minted by rtcwire-server (issue 11): welcome carries iceServers, `ice-servers`
// answers fresh ones at most once a second per session, a server without TURN says
// turn_not_configured, the credentials verify as coturn's use-auth-secret computes them, secrets
// never reach the log, and bad flags stop the server from starting.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { EnvelopePeer } from './support/peers.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';

const SECRET = 'turn-tests-shared-secret-0123456789';
const STUN = 'stun:127.0.0.1:3478';
const TURN_URIS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp', 'turns:localhost:5349'];
const TTL_SECONDS = 600;

const nowSeconds = () => Math.floor(Date.now() / 1000);

// What coturn's use-auth-secret recomputes: base64(HMAC-SHA1(secret, username)).
const expectedCredential = (secret, username) => createHmac('sha1', secret).update(username).digest('base64');

/** Checks the contract's iceServers for `peer`, minted between `from` and `to` (unix seconds). */
function assertCredentials(iceServers, { peer, secret = SECRET, from, to, ttl = TTL_SECONDS }) {
  assert.equal(iceServers.length, 2, JSON.stringify(iceServers));
  assert.deepEqual(iceServers[0], { urls: [STUN] });
  const { urls, username, credential, ...rest } = iceServers[1];
  assert.deepEqual(rest, {});
  assert.deepEqual(urls, TURN_URIS);
  const [expiry, name, ...more] = username.split(':');
  assert.deepEqual(more, []);
  assert.equal(name, peer);
  assert.match(expiry, /^\d+$/);
  assert.ok(Number(expiry) >= from + ttl && Number(expiry) <= to + ttl, `expiry ${expiry} for ${from}..${to}`);
  assert.equal(credential, expectedCredential(secret, username));
  return { username, credential };
}

async function welcomedPeer(url) {
  const from = nowSeconds();
  const peer = await EnvelopePeer.welcomed(url);
  return { peer, from, to: nowSeconds() };
}

describe('a server with --turn-secret', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--turn-secret', SECRET, '--turn-uris', [STUN, ...TURN_URIS].join(','),
        '--turn-ttl', String(TTL_SECONDS)],
    });
  });
  after(() => server.stop());

  const seen = [];

  test('welcome carries iceServers for this peer and how long they last', async () => {
    const { peer, from, to } = await welcomedPeer(server.url);
    assert.equal(peer.welcome.iceServersExpireInMs, TTL_SECONDS * 1000);
    seen.push(assertCredentials(peer.welcome.iceServers, { peer: peer.id, from, to }));
    await peer.close();
  });

  test('ice-servers is answered unsequenced with fresh credentials, then rate_limited within the second', async () => {
    const { peer } = await welcomedPeer(server.url);
    const from = nowSeconds();
    peer.send({ v: 1, t: 'ice-servers' });
    const answer = await peer.expect('ice-servers');
    const to = nowSeconds();
    assert.equal(answer.seq, undefined);
    assert.equal(answer.iceServersExpireInMs, TTL_SECONDS * 1000);
    seen.push(assertCredentials(answer.iceServers, { peer: peer.id, from, to }));

    // Two more at once: the answer above used this second's turn. Each refusal is unsequenced.
    peer.send({ v: 1, t: 'ice-servers' });
    peer.send({ v: 1, t: 'ice-servers' });
    for (let i = 0; i < 2; i += 1) {
      const refusal = await peer.expectError('rate_limited');
      assert.equal(refusal.seq, undefined);
    }
    // The session goes on: its first sequenced envelope is still seq 1.
    peer.send({ v: 1, t: 'join', room: 'turn-room', seq: 1 });
    const joined = await peer.expect('joined');
    assert.equal(joined.seq, 1);
    await peer.close();
  });

  test('two peers get credentials of their own', async () => {
    const [a, b] = await Promise.all([welcomedPeer(server.url), welcomedPeer(server.url)]);
    assert.notEqual(a.peer.welcome.iceServers[1].username, b.peer.welcome.iceServers[1].username);
    assert.notEqual(a.peer.welcome.iceServers[1].credential, b.peer.welcome.iceServers[1].credential);
    await Promise.all([a.peer.close(), b.peer.close()]);
  });

  test('neither the secret nor a credential is logged', () => {
    assert.equal(seen.length, 2);
    const log = server.stderr();
    assert.ok(!log.includes(SECRET), 'the secret is in the log');
    for (const { username, credential } of seen) {
      assert.ok(!log.includes(credential), 'a credential is in the log');
      assert.ok(!log.includes(username), 'a TURN username is in the log');
    }
  });
});

describe('a server with --turn-secret-file', () => {
  let server;
  let directory;
  const fileSecret = 'a-secret-read-from-a-file-0123456789';
  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-turn-'));
    const file = path.join(directory, 'turn-secret');
    await writeFile(file, `${fileSecret}  \n`);
    server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--turn-secret-file', file, '--turn-uris', [STUN, ...TURN_URIS].join(','), '--turn-ttl', '10'],
    });
  });
  after(async () => {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  });

  test('credentials are made with the first line of the file, trimmed', async () => {
    const { peer, from, to } = await welcomedPeer(server.url);
    assert.equal(peer.welcome.iceServersExpireInMs, 10000);
    assertCredentials(peer.welcome.iceServers, { peer: peer.id, secret: fileSecret, from, to, ttl: 10 });
    await peer.close();
  });
});

describe('a server without TURN', () => {
  let server;
  before(async () => {
    server = await startServer({ args: QUICK_SESSION_ARGS });
  });
  after(() => server.stop());

  test('welcome has no iceServers and ice-servers is turn_not_configured, unsequenced', async () => {
    const peer = await EnvelopePeer.welcomed(server.url);
    assert.equal('iceServers' in peer.welcome, false);
    assert.equal('iceServersExpireInMs' in peer.welcome, false);
    peer.send({ v: 1, t: 'ice-servers' });
    const refusal = await peer.expectError('turn_not_configured');
    assert.equal(refusal.seq, undefined);
    peer.send({ v: 1, t: 'join', room: 'no-turn', seq: 1 });
    assert.equal((await peer.expect('joined')).seq, 1);
    await peer.close();
  });
});

describe('bad TURN flags stop the server with a clear message', () => {
  let directory;
  let shortFile;
  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-turn-flags-'));
    shortFile = path.join(directory, 'short');
    await writeFile(shortFile, 'fifteen-bytes!!\n');
  });
  after(() => rm(directory, { recursive: true, force: true }));

  const uris = ['--turn-uris', 'turn:127.0.0.1:3478'];
  for (const [args, message] of [
    [['--turn-secret', 'short-secret', ...uris], /--turn-secret must be at least 16 bytes/],
    [['--turn-secret', SECRET], /--turn-secret needs --turn-uris/],
    [uris, /--turn-uris needs --turn-secret or --turn-secret-file/],
    [['--turn-secret', SECRET, '--turn-uris', 'http://127.0.0.1:3478'], /--turn-uris expects stun:.*got 'http:\/\/127\.0\.0\.1:3478'/],
    [['--turn-secret', SECRET, '--turn-uris', 'turn:127.0.0.1:3478?transport=sctp'], /--turn-uris expects/],
    [['--turn-secret', SECRET, ...uris, '--turn-ttl', '5'], /--turn-ttl expects seconds from 10 to 604800, got '5'/],
    [['--turn-secret', SECRET, ...uris, '--turn-ttl', '604801'], /--turn-ttl expects/],
    [['--turn-secret', SECRET, '--turn-secret-file', '/nonexistent', ...uris], /exclude each other/],
    [['--turn-secret-file', '/nonexistent/rtcwire-turn-secret', ...uris], /cannot read \/nonexistent\/rtcwire-turn-secret/],
  ]) {
    test(`${args.join(' ')}`, async () => {
      const refused = await startServer({ args }).then(
        (server) => server.stop().then(() => assert.fail('the server started')),
        (error) => error,
      );
      assert.match(refused.message, message);
      assert.ok(!refused.message.includes(SECRET), 'the secret is printed');
    });
  }

  test('a secret file whose first line is shorter than 16 bytes', async () => {
    await assert.rejects(startServer({ args: ['--turn-secret-file', shortFile, ...uris] }), /at least 16 bytes/);
  });
});
