// File transfer between two pages of one Chromium through the real SDK: 20 MB arrive with the
// sender's SHA-256 (computed by the test page, apart from the SDK), progress only goes forward on
// both sides, a forced ICE restart mid-transfer does not restart it, and a refusal is reported.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

const SIZE = 20 * 1024 * 1024;
// Data channels here run at 7-24 MiB/s (TOOLCHAIN.md): 20 MB take seconds, the bound is generous.
const TRANSFER_MS = 90000;

let browser;
let server;
let pages = [];

before(async () => {
  browser = await launchChromium({ webrtc: true });
  server = await startAppServer();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  await Promise.all(pages.map((page) => page.close()));
  pages = [];
});

async function connectedPair(room, receiverAnswer = true) {
  const [alice, bob] = await Promise.all([0, 1].map(() => openPage(browser, `${server.url}/app/call.html`)));
  pages.push(alice, bob);
  const start = (page, files) =>
    page.evaluate((args) => call.start(args.url, args), { url: server.url, room, files });
  const aliceId = await start(alice, true);
  const bobId = await start(bob, receiverAnswer);
  const untilConnected = (page, id) =>
    page.evaluate((id) => call.until('connected', (c) => c.records.get(id)?.peer.state === 'connected', 20000), id);
  await Promise.all([untilConnected(alice, bobId), untilConnected(bob, aliceId)]);
  return { alice, bob, aliceId, bobId };
}

const sendFile = (page, to, size) => page.evaluate((args) => call.sendFile(args.to, args.size), { to, size });

// Both ends' record once the sender's done promise and the receiver's accept promise settled.
async function untilSettled(alice, bob, aliceId) {
  const [sent, received] = await Promise.all([
    alice.evaluate((timeoutMs) =>
      call.until('the sender to finish', (c) => c.outgoing[0]?.done || c.outgoing[0]?.error, timeoutMs), TRANSFER_MS),
    bob.evaluate(({ from, timeoutMs }) =>
      call.until('the receiver to finish', (c) => {
        const [incoming] = c.records.get(from)?.incoming ?? [];
        return incoming?.result || incoming?.error;
      }, timeoutMs), { from: aliceId, timeoutMs: TRANSFER_MS }),
  ]);
  return { outgoing: sent.outgoing[0], incoming: received.peers[aliceId].incoming[0] };
}

function assertDelivered({ outgoing, incoming }, sha256) {
  assert.equal(outgoing.error, null);
  assert.deepEqual(outgoing.done, { bytes: SIZE, sha256 });
  assert.ok(outgoing.monotonic, 'sender progress only went forward');
  assert.equal(outgoing.progress.at(-1), SIZE);

  assert.equal(incoming.name, 'payload.bin');
  assert.equal(incoming.size, SIZE);
  assert.equal(incoming.type, 'application/octet-stream');
  assert.equal(incoming.error, null);
  assert.deepEqual(incoming.result, { bytes: SIZE, sha256, blobSize: SIZE, blobSha256: sha256 });
  assert.ok(incoming.monotonic, 'receiver progress only went forward');
  assert.equal(incoming.progress.at(-1), SIZE);
  assert.ok(incoming.progress.length > 2, 'the receiver saw progress on the way');
}

test('a 20 MB file arrives with the matching SHA-256, progress going forward on both sides', async () => {
  const { alice, bob, aliceId, bobId } = await connectedPair('file');
  const sha256 = await sendFile(alice, bobId, SIZE);
  assertDelivered(await untilSettled(alice, bob, aliceId), sha256);
  for (const page of pages) assert.deepEqual(page.errors, []);
});

test('a forced ICE restart in the middle of a transfer: the transfer goes on from where it was and completes', async () => {
  const { alice, bob, aliceId, bobId } = await connectedPair('file-restart');
  const [before] = (await alice.evaluate(() => call.summary())).connections;
  const sha256 = await sendFile(alice, bobId, SIZE);
  await bob.evaluate((from) =>
    call.until('a quarter of the file', (c) => (c.records.get(from).incoming[0]?.progress.at(-1) ?? 0) >= 5 * 1024 * 1024, 60000), aliceId);
  await alice.evaluate((id) => call.peer(id).restartIce(), bobId);
  const settled = await untilSettled(alice, bob, aliceId);
  assertDelivered(settled, sha256);
  // The restart did happen (it may finish after a fast transfer: awaited, bounded).
  await alice.evaluate(
    (old) => call.poll('new ICE credentials', async () => call.connections()[0]?.localUfrag !== old, 20000),
    before.localUfrag,
  );
  for (const page of pages) assert.deepEqual(page.errors, []);
});

test('a transfer the receiver rejects fails on the sender with transfer_rejected', async () => {
  const { alice, bob, aliceId, bobId } = await connectedPair('file-reject', 'reject');
  await sendFile(alice, bobId, 1024 * 1024);
  const sent = await alice.evaluate(() => call.until('the refusal', (c) => c.outgoing[0]?.error, 20000));
  assert.equal(sent.outgoing[0].error.code, 'transfer_rejected');
  assert.equal(sent.outgoing[0].done, null);
  const { peers } = await bob.evaluate(() => call.summary());
  assert.equal(peers[aliceId].incoming.length, 1);
  assert.equal(peers[aliceId].incoming[0].result, null);
  for (const page of pages) assert.deepEqual(page.errors, []);
});
