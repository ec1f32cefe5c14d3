// The peer layer through the real SDK in Chromium (fake camera and microphone) and a real
// rtcwire-server: pages of one browser meet in a room and connect directly. The page side is
// fixtures/call.js; every wait is on an event or a bounded poll of a condition.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium } from './support/browser.mjs';
import {
  bounded,
  CallPages,
  CONNECT_MS,
  exchange,
  FLOW_MS,
  sendNumbered,
  summary,
  untilConnected,
  untilFramesGrow,
  untilNumbered,
} from './support/call_pages.mjs';

let browser;
let calls;

before(async () => {
  browser = await launchChromium({ webrtc: true });
  calls = new CallPages(browser);
});

after(async () => {
  await bounded(browser?.close(), 'closing the browser');
});

afterEach(() => calls.closeAll());

test('two pages connect and exchange ordered messages, binary and app channel messages both ways', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('pair');

  // polite is derived from the two ids, so exactly one side is polite.
  const politeA = await alice.evaluate((id) => call.peer(id).polite, bobId);
  const politeB = await bob.evaluate((id) => call.peer(id).polite, aliceId);
  assert.equal(politeA, aliceId > bobId);
  assert.equal(politeB, !politeA);

  await exchange({ alice, bob, aliceId, bobId }, 0, 500);

  // Every binary form arrives as an ArrayBuffer with exactly its bytes, in the order sent
  // (the view covers part of its buffer).
  await alice.evaluate((id) => {
    const peer = call.peer(id);
    peer.send(new Uint8Array([1, 2, 3]).buffer);
    peer.send(new Uint8Array([9, 4, 5, 9]).subarray(1, 3));
    peer.send(new Blob([new Uint8Array([6, 7, 8])]));
    peer.send('plain text');
  }, bobId);
  // The text comes last: once it is there, everything sent before it is too.
  const received = await bob.evaluate(
    ({ id, timeoutMs }) => call.until('the text after the binary messages', (c) => c.records.get(id).texts.length === 1, timeoutMs),
    { id: aliceId, timeoutMs: FLOW_MS },
  );
  assert.deepEqual(received.peers[aliceId].binary, [[1, 2, 3], [4, 5], [6, 7, 8]]);
  assert.deepEqual(received.peers[aliceId].texts, ['plain text']);

  // A message over the channel's maxMessageSize (256 KiB between Chromiums) is refused, not split.
  const tooLarge = await alice.evaluate((id) => call.sendError(id, 'x'.repeat(1 << 20)), bobId);
  assert.equal(tooLarge?.code, 'message_too_large');

  // An app channel: the remote app is told of it and both ends use it.
  await alice.evaluate((id) => {
    window.chat = { replies: [] };
    const channel = call.peer(id).channel('chat', { ordered: true });
    channel.on('message', (data) => window.chat.replies.push(data));
    channel.on('open', () => channel.send('hello over chat'));
  }, bobId);
  const withChannel = await bob.evaluate(
    (id) =>
      call.until('the chat channel', (c) => c.records.get(id).channels.some((ch) => ch.messages.length > 0), 10000),
    aliceId,
  );
  assert.deepEqual(withChannel.peers[aliceId].channels, [{ label: 'chat', messages: ['hello over chat'] }]);
  await bob.evaluate((id) => call.records.get(id).channelObjects[0].send('hello back'), aliceId);
  await alice.waitForFunction(() => window.chat.replies.length === 1, null, { timeout: 10000 });
  assert.deepEqual(await alice.evaluate(() => window.chat.replies), ['hello back']);

  // One connection each way, nothing else open.
  for (const page of [alice, bob]) {
    const { connections } = await summary(page);
    assert.equal(connections.length, 1, JSON.stringify(connections));
    assert.equal(connections[0].connectionState, 'connected');
    assert.equal(connections[0].signalingState, 'stable');
  }
  calls.assertNoPageErrors();
});

test('four pages form a full mesh: six pairs connected, messages each way on every pair', async () => {
  const mesh = await calls.open(4);
  // All four join at once: every pair negotiates, some of them in glare.
  const ids = await Promise.all(mesh.map((page) => calls.start(page, 'mesh')));
  const othersOf = (i) => ids.filter((_, j) => j !== i);
  await Promise.all(mesh.map((page, i) => untilConnected(page, othersOf(i), 30000)));

  for (const page of mesh) {
    const { peerId, connections } = await summary(page);
    assert.equal(connections.length, 3, `${peerId} has one connection per other page: ${JSON.stringify(connections)}`);
    assert.ok(connections.every((c) => c.connectionState === 'connected'), JSON.stringify(connections));
  }

  await Promise.all(
    mesh.flatMap((page, i) => othersOf(i).map((to) => sendNumbered(page, to, 0, 50))),
  );
  await Promise.all(mesh.map((page, i) => untilNumbered(page, othersOf(i), 50)));
  calls.assertNoPageErrors();
});

test('remote video is decoded, and simultaneous track changes on both sides end with both new tracks flowing', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('video');

  // Both cameras start at once: both sides renegotiate at the same time (glare).
  await Promise.all([alice.evaluate(() => call.startCamera()), bob.evaluate(() => call.startCamera())]);
  await Promise.all([untilFramesGrow(alice, bobId), untilFramesGrow(bob, aliceId)]);
  for (const [page, from] of [[alice, bobId], [bob, aliceId]]) {
    const { peers } = await summary(page);
    assert.deepEqual([...peers[from].tracks].sort(), ['audio', 'video']);
  }

  // Both replace their camera at once: alice now sends red, bob blue.
  const RED = [220, 30, 30];
  const BLUE = [30, 30, 220];
  await Promise.all([
    alice.evaluate((colour) => call.sendColour(colour), RED),
    bob.evaluate((colour) => call.sendColour(colour), BLUE),
  ]);
  const untilColour = (page, from, channel) =>
    page.evaluate(
      ({ from, channel, timeoutMs }) =>
        call.poll(`the ${['red', 'green', 'blue'][channel]} track from ${from}`, async () => {
          const colour = call.remoteColour(from);
          return colour !== null && colour.every((value, c) => (c === channel ? value > 150 : value < 90));
        }, timeoutMs),
      { from, channel, timeoutMs: FLOW_MS },
    );
  await Promise.all([untilColour(bob, aliceId, 0), untilColour(alice, bobId, 2)]);
  await Promise.all([untilFramesGrow(alice, bobId), untilFramesGrow(bob, aliceId)]);
  calls.assertNoPageErrors();
});

test('a forced ICE restart gets new ICE credentials and keeps the data channel usable, in order', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('ice-restart');
  await exchange({ alice, bob, aliceId, bobId }, 0, 100);
  const before = await Promise.all([alice, bob].map(async (page) => (await summary(page)).connections));
  for (const connections of before) assert.equal(connections.length, 1);

  // Messages sent while the restart runs arrive too.
  await alice.evaluate((id) => call.peer(id).restartIce(), bobId);
  await Promise.all([sendNumbered(alice, bobId, 100, 100), sendNumbered(bob, aliceId, 100, 100)]);

  await Promise.all(
    [alice, bob].map((page, i) =>
      page.evaluate(
        ({ old, timeoutMs }) =>
          call.poll('the restarted connection', async () => {
            const [now] = call.connections();
            return now?.connectionState === 'connected' && now.signalingState === 'stable' &&
              now.localUfrag !== old.localUfrag && now.remoteUfrag !== old.remoteUfrag;
          }, timeoutMs),
        { old: before[i][0], timeoutMs: CONNECT_MS },
      ),
    ),
  );
  await exchange({ alice, bob, aliceId, bobId }, 200, 100);
  for (const page of [alice, bob]) {
    const { connections } = await summary(page);
    assert.equal(connections.length, 1, 'the restart kept the connection (no new one)');
  }
  calls.assertNoPageErrors();
});

test('setIceServers mid-call reconfigures the live connection and restarts ICE; the data channel goes on, in order', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('set-ice-servers');
  await exchange({ alice, bob, aliceId, bobId }, 0, 100);
  const [before] = (await summary(alice)).connections;

  // A STUN server nobody answers: host candidates still connect the two pages.
  await alice.evaluate(() => call.client.setIceServers([{ urls: 'stun:127.0.0.1:9' }]));
  await Promise.all([sendNumbered(alice, bobId, 100, 100), sendNumbered(bob, aliceId, 100, 100)]);
  await alice.evaluate(
    ({ old, timeoutMs }) =>
      call.poll('the reconfigured connection', async () => {
        const [now] = call.connections();
        return now?.connectionState === 'connected' && now.signalingState === 'stable' &&
          now.localUfrag !== old.localUfrag;
      }, timeoutMs),
    { old: before, timeoutMs: CONNECT_MS },
  );
  const urls = await alice.evaluate(() =>
    window.peerConnections.filter((pc) => pc.signalingState !== 'closed').map((pc) => pc.getConfiguration().iceServers.map((s) => s.urls).flat()),
  );
  assert.deepEqual(urls, [['stun:127.0.0.1:9']]);
  await exchange({ alice, bob, aliceId, bobId }, 200, 100);
  for (const page of [alice, bob]) {
    assert.equal((await summary(page)).connections.length, 1, 'the same connection (no new one)');
  }
  calls.assertNoPageErrors();
});

test('malformed peer signals are reported as invalid_signal and change nothing', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('hostile');
  const bad = [
    { rtcwire: 1 },
    { rtcwire: 1, conn: -1, candidate: null },
    { rtcwire: 1, conn: 'one', bye: true },
    { rtcwire: 1, conn: 1, description: { type: 'pranswer-ish', sdp: 'v=0' } },
    { rtcwire: 1, conn: 1, description: { type: 'offer', sdp: 42 } },
    { rtcwire: 1, conn: 1, candidate: { candidate: 'x'.repeat(2048), sdpMid: '0', sdpMLineIndex: 0 } },
    { rtcwire: 1, conn: 1, candidate: { candidate: 7 } },
  ];
  // bob's app sends them through the public signal() as a hostile peer would.
  await bob.evaluate(({ to, bad }) => {
    for (const data of bad) call.client.signal(to, data);
  }, { to: aliceId, bad });
  // Each is reported once, on the client's or on the peer's `error` (the contract allows either).
  await alice.evaluate(
    ({ bobId, total }) =>
      call.until('the invalid_signal errors', (c) => {
        const invalid = (errors) => errors.filter((e) => e.code === 'invalid_signal').length;
        return Math.max(invalid(c.clientErrors), invalid(c.records.get(bobId).errors)) >= total;
      }, 10000),
    { bobId, total: bad.length },
  );
  // Still connected, still usable both ways.
  await Promise.all([sendNumbered(alice, bobId, 0, 50), sendNumbered(bob, aliceId, 0, 50)]);
  const after = await untilNumbered(alice, [bobId], 50);
  await untilNumbered(bob, [aliceId], 50);
  const invalid = (errors) => errors.filter((e) => e.code === 'invalid_signal').length;
  assert.equal(Math.max(invalid(after.clientErrors), invalid(after.peers[bobId].errors)), bad.length);
  assert.equal(after.peers[bobId].state, 'connected');
  assert.equal(after.peers[bobId].states.at(-1), 'connected');
  assert.ok(!after.peers[bobId].states.some((s) => ['reconnecting', 'failed', 'closed'].includes(s)),
    `the connection was never disturbed: ${after.peers[bobId].states}`);
  calls.assertNoPageErrors();
});

test('a signalling server killed and restarted mid-call: media and data flow through the outage, and the call goes on after', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('restart', { camera: true });
  await Promise.all([untilFramesGrow(alice, bobId), untilFramesGrow(bob, aliceId)]);

  const port = calls.server.port;
  process.kill(calls.server.pid, 'SIGKILL');
  await calls.server.exited;
  calls.server = null;
  await Promise.all(
    [alice, bob].map((page) =>
      page.evaluate(() => call.until('the lost signalling connection', (c) => c.client.state !== 'connected', 15000)),
    ),
  );
  // The peers do not need the server: frames and messages still flow while it is gone.
  await Promise.all([untilFramesGrow(alice, bobId), untilFramesGrow(bob, aliceId)]);
  await exchange({ alice, bob, aliceId, bobId }, 0, 50);
  for (const page of [alice, bob]) {
    const { peers, peerId } = await summary(page);
    const other = peerId === aliceId ? bobId : aliceId;
    assert.equal(peers[other].state, 'connected', 'the peer stayed connected without signalling');
  }

  calls.server = await startAppServer(['--port', String(port)]);
  // The server lost every session: each page gets a new one (resync) and joins the room again.
  const rejoined = await Promise.all(
    [alice, bob].map((page) =>
      page.evaluate(() =>
        call.until('the new session in the room', (c) => c.resyncs === 1 && c.client.state === 'connected' &&
          c.client.room === 'restart', 30000),
      ),
    ),
  );
  const [newAlice, newBob] = rejoined.map((s) => s.peerId);
  await Promise.all([untilConnected(alice, [newBob]), untilConnected(bob, [newAlice])]);
  await Promise.all([untilFramesGrow(alice, newBob), untilFramesGrow(bob, newAlice)]);
  await exchange({ alice, bob, aliceId: newAlice, bobId: newBob }, 0, 50);
  calls.assertNoPageErrors();
});

test('a peer that leaves the room is torn down on both sides', async () => {
  const { alice, bob, aliceId, bobId } = await calls.connectedPair('leaving', { camera: true });
  await alice.evaluate(() => call.client.leave());
  const [bobSide, aliceSide] = await Promise.all([
    bob.evaluate((id) => call.until('the peer closed', (c) => c.records.get(id).peer.state === 'closed', 10000), aliceId),
    alice.evaluate((id) => call.until('the peer closed', (c) => c.records.get(id).peer.state === 'closed', 10000), bobId),
  ]);
  for (const side of [bobSide, aliceSide]) {
    assert.deepEqual(side.connections, [], `${side.peerId} closed its RTCPeerConnection`);
  }
  assert.equal(bobSide.peers[aliceId].states.at(-1), 'closed');
  // A closed peer refuses to send.
  assert.equal((await bob.evaluate((id) => call.sendError(id, 'late'), aliceId))?.code, 'peer_closed');
  calls.assertNoPageErrors();
});
