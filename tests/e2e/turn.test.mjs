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
import { after, afterEach, before, test } from 'node:test';
import { startCoturn } from '../lib/coturn.mjs';
import { makeTestCertificates } from '../lib/test_certificates.mjs';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

// Bounds for a loaded 2-core machine; a relayed connection takes about a second when it is idle.
const CONNECT_MS = 20000;
const FLOW_MS = 20000;

let certs;
let turn; // coturn with UDP, TCP and TLS listeners, shared by the tests that do not stop it
let browser;
let server;
let pages = [];
const extraTurns = [];

before(async () => {
  certs = await makeTestCertificates();
  const tls = await certs.issue('turn');
  turn = await startCoturn({ tls });
  const key = new X509Certificate(await readFile(tls.cert)).publicKey.export({ type: 'spki', format: 'der' });
  const keyHash = createHash('sha256').update(key).digest('base64');
  browser = await launchChromium({ webrtc: true, extraArgs: [`--ignore-certificate-errors-spki-list=${keyHash}`] });
});

after(async () => {
  await bounded(browser?.close(), 'closing the browser');
  await turn?.close();
  await certs?.remove();
});

afterEach(async () => {
  await bounded(Promise.all(pages.map((page) => page.close())), 'closing the pages');
  pages = [];
  await bounded(server?.stop(), 'stopping the server');
  server = null;
  for (const extra of extraTurns.splice(0)) await extra.close();
});

// Clean-up that does not finish says which step hung, instead of the whole file timing out.
function bounded(promise, what, ms = 15000) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function extraCoturn(options) {
  const extra = await startCoturn(options);
  extraTurns.push(extra);
  return extra;
}

async function openCalls(count, serverArgs = []) {
  server ??= await startAppServer(serverArgs);
  const opened = await Promise.all(
    Array.from({ length: count }, () => openPage(browser, `${server.url}/app/call.html`)),
  );
  pages.push(...opened);
  return opened;
}

// Connects the page's client with `peers` options and joins `room`; resolves with its peer id.
const start = (page, room, { peers, camera = false }) =>
  page.evaluate((args) => call.start(args.url, args), { url: server.url, room, camera, options: { peers } });

const untilConnected = (page, ids, timeoutMs = CONNECT_MS) =>
  page.evaluate(
    ({ ids, timeoutMs }) =>
      call.until(`connected to ${ids}`, (c) => ids.every((id) => c.records.get(id)?.peer.state === 'connected'), timeoutMs),
    { ids, timeoutMs },
  );

const sendNumbered = (page, to, first, count) =>
  page.evaluate((args) => call.sendNumbered(args.to, args.first, args.count), { to, first, count });

// Resolves once `count` numbered messages came from `from`, in order, once each.
async function untilNumbered(page, from, count, timeoutMs = FLOW_MS) {
  const result = await page.evaluate(
    ({ from, count, timeoutMs }) =>
      call.until(`${count} messages from ${from}`, (c) => c.records.get(from)?.expected >= count, timeoutMs),
    { from, count, timeoutMs },
  );
  const peer = result.peers[from];
  assert.equal(peer.expected, count, `${result.peerId}: every message from ${from} arrived, in order`);
  assert.equal(peer.duplicates, 0, `${result.peerId}: none from ${from} twice`);
  assert.equal(peer.gaps, 0, `${result.peerId}: none from ${from} skipped`);
  return result;
}

const untilFramesGrow = (page, from, frames = 30, timeoutMs = FLOW_MS) =>
  page.evaluate((args) => call.untilFramesGrow(args.from, args.frames, args.timeoutMs), { from, frames, timeoutMs });

// Both directions: `count` more numbered messages, starting at `first`, arrive in order.
async function exchange({ alice, bob, aliceId, bobId }, first, count) {
  await Promise.all([sendNumbered(alice, bobId, first, count), sendNumbered(bob, aliceId, first, count)]);
  await Promise.all([untilNumbered(alice, bobId, first + count), untilNumbered(bob, aliceId, first + count)]);
}

// Two pages in `room` with the same peer options, connected to each other.
async function connectedPair(room, peers, { camera = false, serverArgs } = {}) {
  const [alice, bob] = await openCalls(2, serverArgs);
  const aliceId = await start(alice, room, { peers, camera });
  const bobId = await start(bob, room, { peers, camera });
  await Promise.all([untilConnected(alice, [bobId]), untilConnected(bob, [aliceId])]);
  return { alice, bob, aliceId, bobId };
}

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

async function assertRelayed(page, remote, relayProtocol) {
  const { sdk, browser: own, connections } = await selectedPair(page, remote);
  assert.equal(connections, 1);
  assert.deepEqual(own, { local: 'relay', remote: 'relay', relayProtocol });
  assert.equal(sdk?.local, 'relay');
  assert.equal(sdk?.remote, 'relay');
  assert.equal(sdk?.relayProtocol, relayProtocol);
}

function assertNoPageErrors() {
  for (const page of pages) assert.deepEqual(page.errors, []);
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
    assertNoPageErrors();
  });
}

test('coturn killed mid-call and started again: the relayed call recovers by an ICE restart, channel kept', async () => {
  const own = await extraCoturn();
  const peers = { ...relayOnly([own.uris.udp], own.credentials('restart', 600)), restartGraceMs: 1000 };
  const pair = await connectedPair('coturn-restart', peers);
  const { alice, bob, aliceId, bobId } = pair;
  await exchange(pair, 0, 50);
  const ufrags = await Promise.all([alice, bob].map((page) => page.evaluate(() => call.connections()[0].localUfrag)));

  process.kill(own.pid, 'SIGKILL');
  // Both sides notice the relay is gone (consent checks fail) and leave `connected`.
  await Promise.all(
    [[alice, bobId], [bob, aliceId]].map(([page, id]) =>
      page.evaluate(
        ({ id, timeoutMs }) => call.until('the relay lost', (c) => c.records.get(id).peer.state !== 'connected', timeoutMs),
        { id, timeoutMs: CONNECT_MS },
      ),
    ),
  );
  await own.restart();
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
  assertNoPageErrors();
});
