// NAT traversal through a real coturn (tests/lib/coturn.mjs), real Chromium pages and a real
// rtcwire-server, all on 127.0.0.1. With iceTransportPolicy 'relay' the pages may only use relay
// candidates, so a call that connects went through coturn; getStats says over which transport.
// The page side is fixtures/call.js.
//
// TURN over TLS with a certificate made at test time: Chromium checks the TURN server's certificate
// with its own verifier, so one signed by the test CA is refused ("701 Failed to establish
// connection", no relay candidate). --ignore-certificate-errors-spki-list=<base64 SHA-256 of a
// SubjectPublicKeyInfo> makes it accept a chain that contains that key, and only that: the key of
// coturn's own certificate, since coturn sends the leaf alone (the CA's key is not in the chain it
// presents, so the CA's hash does not help). The flag takes effect only with a --user-data-dir,
// which Playwright always passes. Nothing else is relaxed.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { after, afterEach, before, test } from 'node:test';
import { startCoturn } from '../lib/coturn.mjs';
import { makeTestCertificates } from '../lib/test_certificates.mjs';
import { launchChromium } from './support/browser.mjs';
import { bounded, CallPages, CONNECT_MS, exchange, untilConnected, untilFramesGrow } from './support/call_pages.mjs';

let certs;
let turn; // coturn with UDP, TCP and TLS listeners, shared by the tests that do not stop it
let browser;
let calls;
const extraTurns = [];

before(async () => {
  certs = await makeTestCertificates();
  const tls = await certs.issue('turn');
  turn = await startCoturn({ tls });
  const key = new X509Certificate(await readFile(tls.cert)).publicKey.export({ type: 'spki', format: 'der' });
  const keyHash = createHash('sha256').update(key).digest('base64');
  browser = await launchChromium({ webrtc: true, extraArgs: [`--ignore-certificate-errors-spki-list=${keyHash}`] });
  calls = new CallPages(browser);
});

after(async () => {
  await bounded(browser?.close(), 'closing the browser');
  await turn?.close();
  await certs?.remove();
});

afterEach(async () => {
  await calls.closeAll();
  for (const extra of extraTurns.splice(0)) await extra.close();
});

async function extraCoturn(options) {
  const extra = await startCoturn(options);
  extraTurns.push(extra);
  return extra;
}

// Two pages in `room` with the same peer options, connected to each other.
const connectedPair = (room, peers, { camera = false, serverArgs } = {}) =>
  calls.connectedPair(room, { camera, options: { peers } }, serverArgs);

// The selected candidate pair of the page's connection to `remote`, twice: as the SDK's
// peer.getStats() summarises it, and read from the RTCPeerConnection's own report.
function selectedPair(page, remote) {
  return page.evaluate(async (remote) => {
    const sdk = (await call.peer(remote).getStats()).candidatePair;
    const [pc] = window.peerConnections.filter((p) => p.signalingState !== 'closed');
    const report = await pc.getStats();
    const stats = [...report.values()];
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = transport && report.get(transport.selectedCandidatePairId);
    const local = pair && report.get(pair.localCandidateId);
    const remoteCandidate = pair && report.get(pair.remoteCandidateId);
    return {
      sdk,
      browser: pair
        ? { local: local.candidateType, remote: remoteCandidate.candidateType, relayProtocol: local.relayProtocol ?? null }
        : null,
      connections: window.peerConnections.filter((p) => p.signalingState !== 'closed').length,
    };
  }, remote);
}

// `relayProtocols`: the one expected, or those any of which may win the nomination.
async function assertRelayed(page, remote, relayProtocols) {
  const { sdk, browser: own, connections } = await selectedPair(page, remote);
  assert.equal(connections, 1);
  assert.deepEqual({ local: own?.local, remote: own?.remote }, { local: 'relay', remote: 'relay' });
  assert.ok([relayProtocols].flat().includes(own.relayProtocol), `relayed over ${own.relayProtocol}`);
  assert.equal(sdk?.local, 'relay');
  assert.equal(sdk?.remote, 'relay');
  assert.equal(sdk?.relayProtocol, own.relayProtocol);
}

// coturn killed (every allocation lost) and, once both sides noticed (consent checks fail, the
// peer leaves `connected`), started again on the same ports.
async function killAndRestart(coturn, { alice, bob, aliceId, bobId }) {
  process.kill(coturn.pid, 'SIGKILL');
  await Promise.all(
    [[alice, bobId], [bob, aliceId]].map(([page, id]) =>
      page.evaluate(
        ({ id, timeoutMs }) => call.until('the relay lost', (c) => c.records.get(id).peer.state !== 'connected', timeoutMs),
        { id, timeoutMs: CONNECT_MS },
      ),
    ),
  );
  await coturn.restart();
}

const relayOnly = (urls, { username, credential }) => ({
  iceServers: [{ urls, username, credential }],
  iceTransportPolicy: 'relay',
});

for (const transport of ['udp', 'tcp', 'tls']) {
  test(`relay only over TURN/${transport.toUpperCase()}: both sides select a relay pair over ${transport}, data and video flow`, async () => {
    // Credentials the app got elsewhere (here: computed as the TURN REST API defines them).
    const peers = relayOnly([turn.uris[transport]], turn.credentials(`app-${transport}`, 600));
    const pair = await connectedPair(`relay-${transport}`, peers, { camera: true });
    const { alice, bob, aliceId, bobId } = pair;
    await Promise.all([untilFramesGrow(alice, bobId), untilFramesGrow(bob, aliceId)]);
    await exchange(pair, 0, 200);
    await assertRelayed(alice, bobId, transport);
    await assertRelayed(bob, aliceId, transport);
    calls.assertNoPageErrors();
  });
}

test('coturn killed mid-call and started again: the relayed call recovers by an ICE restart, channel kept', async () => {
  const own = await extraCoturn();
  const peers = { ...relayOnly([own.uris.udp], own.credentials('restart', 600)), restartGraceMs: 1000 };
  const pair = await connectedPair('coturn-restart', peers);
  const { alice, bob, aliceId, bobId } = pair;
  await exchange(pair, 0, 50);
  const ufrags = await Promise.all([alice, bob].map((page) => page.evaluate(() => call.connections()[0].localUfrag)));

  await killAndRestart(own, pair);
  await Promise.all([untilConnected(alice, [bobId], 40000), untilConnected(bob, [aliceId], 40000)]);
  // The same connection and channel: the numbering goes on where it stopped.
  await exchange(pair, 50, 50);
  for (const [i, page] of [alice, bob].entries()) {
    const [connection] = await page.evaluate(() => call.connections());
    assert.notEqual(connection.localUfrag, ufrags[i], 'new ICE credentials: an ICE restart ran');
  }
  await assertRelayed(alice, bobId, 'udp');
  await assertRelayed(bob, aliceId, 'udp');
  const states = await alice.evaluate((id) => call.records.get(id).states, bobId);
  assert.ok(states.includes('reconnecting'), `the peer went through reconnecting: ${states}`);
  calls.assertNoPageErrors();
});

// ---- Credentials minted by rtcwire-server (--turn-secret, the same secret as coturn's) ----

const turnServerArgs = (coturn, uris, ttlSeconds) => [
  '--turn-secret', coturn.secret,
  '--turn-uris', uris.join(','),
  ...(ttlSeconds ? ['--turn-ttl', String(ttlSeconds)] : []),
];

// The TURN username the page's connection uses now (its configuration, as last set).
const turnUsername = (page) =>
  page.evaluate(() => {
    const [pc] = window.peerConnections.filter((p) => p.signalingState !== 'closed');
    return pc?.getConfiguration().iceServers.find((s) => s.username)?.username ?? null;
  });

test('credentials from rtcwire-server: the app configures nothing but relay, and the call goes through coturn', async () => {
  const serverArgs = turnServerArgs(turn, [turn.uris.udp, turn.uris.tcp]);
  const pair = await connectedPair('minted', { iceTransportPolicy: 'relay' }, { serverArgs });
  const { alice, bob, aliceId, bobId } = pair;
  await exchange(pair, 0, 100);
  // Both listeners were minted for: ICE may nominate the TCP relay pair first.
  await assertRelayed(alice, bobId, ['udp', 'tcp']);
  await assertRelayed(bob, aliceId, ['udp', 'tcp']);
  // The TURN REST username the server minted: <expiry>:<peer id>, expiring in about --turn-ttl (3600).
  for (const [page, id] of [[alice, aliceId], [bob, bobId]]) {
    const [expiry, peerId] = (await turnUsername(page)).split(':');
    assert.equal(peerId, id);
    const left = Number(expiry) - Date.now() / 1000;
    assert.ok(left > 3500 && left <= 3601, `expires in ${left} s`);
  }
  calls.assertNoPageErrors();
});

test('tampered and expired credentials: no relay candidate, turn_failed says why without the secret', async () => {
  const good = turn.credentials('bad-credentials', 600);
  const cases = {
    tampered: { username: good.username, credential: `x${good.credential.slice(1)}` },
    expired: turn.credentials('bad-credentials', -60),
  };
  for (const [name, credentials] of Object.entries(cases)) {
    const [alice, bob] = await calls.open(2);
    const peers = relayOnly([turn.uris.udp], credentials);
    const aliceId = await calls.start(alice, `bad-${name}`, { options: { peers } });
    await calls.start(bob, `bad-${name}`, { options: { peers } });
    const { peers: seen } = await bob.evaluate(
      ({ id, timeoutMs }) =>
        call.until('turn_failed', (c) => c.records.get(id)?.errors.some((e) => e.code === 'turn_failed'), timeoutMs),
      { id: aliceId, timeoutMs: CONNECT_MS },
    );
    const { message } = seen[aliceId].errors.find((e) => e.code === 'turn_failed');
    assert.ok(message.includes(turn.uris.udp), `${name}: names the server: ${message}`);
    assert.match(message, /likely cause/, `${name}: says the credential or server is the likely cause`);
    assert.match(message, /401/, `${name}: carries coturn's answer`);
    assert.ok(!message.includes(credentials.credential), `${name}: never the credential`);
    assert.notEqual(seen[aliceId].state, 'connected');
    await calls.closeAll();
  }
});

test('credentials of 10 s refreshed mid-call: data flows for three TTLs, and after they expired coturn can still be re-allocated', async () => {
  const own = await extraCoturn();
  const serverArgs = turnServerArgs(own, [own.uris.udp], 10);
  const peers = { iceTransportPolicy: 'relay', restartGraceMs: 1000 };
  const pair = await connectedPair('short-ttl', peers, { serverArgs });
  const { alice, bob, aliceId, bobId } = pair;
  const first = await turnUsername(alice);

  // Three TTLs: each round waits for fresh credentials on the connection (the client asks at 80%
  // of the TTL and applies them by an ICE restart), then checks data still flows both ways.
  let username = first;
  let sent = 0;
  for (let round = 0; round < 3; round += 1) {
    username = await alice.evaluate(
      async ({ before, timeoutMs }) => {
        let now = null;
        await call.poll('fresh TURN credentials', async () => {
          const [pc] = window.peerConnections.filter((p) => p.signalingState !== 'closed');
          now = pc.getConfiguration().iceServers.find((s) => s.username)?.username ?? null;
          return now !== null && now !== before;
        }, timeoutMs);
        return now;
      },
      { before: username, timeoutMs: 15000 },
    );
    await exchange(pair, sent, 50);
    sent += 50;
  }
  assert.ok(Number(username.split(':')[0]) >= Number(first.split(':')[0]) + 20, `${first} -> ${username}`);

  // Flowing data alone would not prove the refresh: coturn grants Chromium 600 s allocations
  // (whatever --max-allocate-lifetime says) and Chromium keeps its old relay ports through an ICE
  // restart, so a call on 10 s credentials never refreshed flows on for minutes (checked). It
  // breaks when it needs a NEW allocation: coturn restarted loses them all, and with stale
  // credentials every Allocate gets 401 and the peer stays reconnecting (checked). Here the call
  // must come back, allocating with the credentials it holds now.
  await killAndRestart(own, pair);
  await Promise.all([untilConnected(alice, [bobId], 40000), untilConnected(bob, [aliceId], 40000)]);
  await exchange(pair, sent, 50);
  await assertRelayed(alice, bobId, 'udp');
  await assertRelayed(bob, aliceId, 'udp');
  calls.assertNoPageErrors();
});

// ---- A credentials endpoint, as hosted TURN services offer (peers.iceServersProvider) ----

// Serves GET /turn with CORS (the pages come from another origin): TURN REST credentials of
// `ttl` seconds in the {iceServers, ttl} shape, or, during an outage, 503.
async function startProvider(coturn, ttl) {
  const provider = { requests: 0, outage: false, served: [] };
  const server = http.createServer((request, response) => {
    provider.requests += 1;
    const headers = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    if (provider.outage || request.method !== 'GET' || !request.url.startsWith('/turn')) {
      response.writeHead(503, headers).end('unavailable');
      return;
    }
    const credentials = coturn.credentials(`provider-${provider.requests}`, ttl);
    provider.served.push(credentials.username);
    response.writeHead(200, { ...headers, 'content-type': 'application/json' });
    response.end(JSON.stringify({ iceServers: { urls: [coturn.uris.udp], ...credentials }, ttl }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${server.address().port}/turn`;
  provider.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  return provider;
}

test('an iceServers provider URL: its credentials are used and refreshed, and an outage keeps the call up', async () => {
  const provider = await startProvider(turn, 10);
  try {
    const peers = { iceServersProvider: provider.url, iceTransportPolicy: 'relay' };
    const pair = await connectedPair('provider', peers);
    const { alice, bob, aliceId, bobId } = pair;
    await exchange(pair, 0, 50);
    await assertRelayed(alice, bobId, 'udp');
    const first = await turnUsername(alice);
    assert.ok(provider.served.includes(first), `${first} came from the provider`);

    // At 80% of the ttl the client asks again and applies the new list to the live call.
    await alice.evaluate(
      ({ before, timeoutMs }) =>
        call.poll('refreshed provider credentials', async () => {
          const [pc] = window.peerConnections.filter((p) => p.signalingState !== 'closed');
          const now = pc.getConfiguration().iceServers.find((s) => s.username)?.username;
          return now !== undefined && now !== before;
        }, timeoutMs),
      { before: first, timeoutMs: 15000 },
    );
    assert.ok(provider.served.includes(await turnUsername(alice)));
    await exchange(pair, 50, 50);

    // The provider fails: the client reports it and keeps the last good list; the call goes on.
    provider.outage = true;
    const { clientErrors } = await alice.evaluate(
      (timeoutMs) => call.until('ice_servers_unavailable', (c) => c.clientErrors.some((e) => e.code === 'ice_servers_unavailable'), timeoutMs),
      15000,
    );
    const unavailable = clientErrors.find((e) => e.code === 'ice_servers_unavailable');
    assert.match(unavailable.message, /HTTP 503/);
    assert.ok(!unavailable.message.includes(provider.url), 'the URL (it may hold a key) is not in the message');
    await exchange(pair, 100, 50);
    assert.equal(await alice.evaluate((id) => call.peer(id).state, bobId), 'connected');
    assert.ok(provider.served.includes(await turnUsername(alice)), 'the last good list stays');
    // Each refresh restarted ICE on both sides: none of them is reported as a TURN or ICE failure.
    for (const [page, other] of [[alice, bobId], [bob, aliceId]]) {
      assert.deepEqual(await page.evaluate((id) => call.summary().peers[id].errors, other), []);
    }
    calls.assertNoPageErrors();
  } finally {
    await provider.close();
  }
});
