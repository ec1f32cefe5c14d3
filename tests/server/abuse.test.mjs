// Attacks on rtcwire-server by one hostile client, each with a well-behaved control pair in the
// attacker's room and another in a room of its own (docs/server.md, "Fairness"): the server stays
// up and answers /healthz, neither pair is evicted or loses a message, the attacker is limited or
// disconnected, and the server's memory comes back near where it started.
import assert from 'node:assert/strict';
import test from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { engineioUrl, openPolling, request } from './support/engineio_http.mjs';
import { EnvelopePeer, RawEngineioSocket, within } from './support/peers.mjs';
import { QUICK_SESSION_ARGS, UNLIMITED_RATE_ARGS } from './support/session_args.mjs';
import {
  assertHealthy,
  assertUnharmed,
  controlPair,
  exchange,
  rssOf,
} from './support/well_behaved.mjs';

const MiB = 1024 * 1024;
// Memory that may stay after an attack: allocator slack, not the attack's buffers.
const RSS_SLACK = 24 * MiB;

/**
 * Runs `attack(attacker)` against a fresh server while two control pairs (one in the attacker's
 * room 'arena', one in 'elsewhere') exchange messages, then checks the outcome.
 */
async function underAttack({ args = [], attack }) {
  const server = await startServer({ args });
  const peers = [];
  try {
    const inArena = await controlPair(server.url, 'arena');
    const elsewhere = await controlPair(server.url, 'elsewhere');
    const attacker = await EnvelopePeer.welcomed(server.url);
    peers.push(inArena.a, inArena.b, elsewhere.a, elsewhere.b, attacker);
    await attacker.join('arena');
    await inArena.a.expect('peer-joined', (e) => e.peer === attacker.id);
    await exchange(inArena, Promise.resolve(), { min: 3 });  // warm: buffers and code paths
    const rssBefore = rssOf(server.pid);

    const attackDone = attack({ server, attacker, target: inArena.a });
    const [arenaRounds, elsewhereRounds] = await Promise.all([
      exchange(inArena, attackDone),
      exchange(elsewhere, attackDone),
      attackDone,
    ]);
    assert.ok(arenaRounds >= 10 && elsewhereRounds >= 10);
    await assertHealthy(server.url);
    // One more round each after the attack, and everything still in order.
    await exchange(inArena, Promise.resolve(), { min: 1 });
    await exchange(elsewhere, Promise.resolve(), { min: 1 });
    assertUnharmed(inArena);
    assertUnharmed(elsewhere);
    const rssAfter = rssOf(server.pid);
    assert.ok(
      rssAfter <= rssBefore + RSS_SLACK,
      `RSS ${(rssAfter / MiB).toFixed(1)} MiB after the attack, ${(rssBefore / MiB).toFixed(1)} MiB before`,
    );
  } finally {
    // Closed whatever happened, so a failure is reported as itself rather than as a slow drain.
    await Promise.all(peers.map((peer) => peer.close().catch(() => {})));
    await server.stop();
  }
}

/** Resolves when `peer` got an error with `code`; `seen` counts them. */
function errorsOf(peer, code) {
  const seen = { count: 0 };
  seen.first = new Promise((resolve) => {
    peer.socket.on('message', (data) => {
      if (typeof data !== 'string') return;
      const envelope = JSON.parse(data);
      if (envelope.t === 'error' && envelope.code === code && ++seen.count === 1) resolve(envelope);
    });
  });
  return seen;
}

test('40 back-to-back 60 KiB directs to one receiver: the sender is refused, the receiver stays', async () => {
  await underAttack({
    attack: async ({ attacker, target }) => {
      const limited = errorsOf(attacker, 'rate_limited');
      const chunk = 'd'.repeat(60 * 1024);
      for (let i = 0; i < 40; i++) attacker.send({ v: 1, t: 'direct', to: target.id, data: chunk });
      const refusal = await within(limited.first, 'the attacker to be refused', 10000);
      assert.match(refusal.message, /not delivered to 1 of 1 peer/);
    },
  });
});

test('20 x 60 KiB publishes to the room: the sender is refused, nobody is evicted', async () => {
  await underAttack({
    attack: async ({ attacker }) => {
      const limited = errorsOf(attacker, 'rate_limited');
      const chunk = 'p'.repeat(60 * 1024);
      for (let i = 0; i < 20; i++) attacker.send({ v: 1, t: 'publish', data: chunk });
      await within(limited.first, 'the attacker to be refused', 10000);
    },
  });
});

test('50,000 x 200 B publishes as fast as they go: the sender is rate limited, then disconnected', async () => {
  await underAttack({
    attack: async ({ server, attacker }) => {
      const limited = errorsOf(attacker, 'rate_limited');
      const data = 'f'.repeat(200);
      for (let i = 0; i < 50000 && attacker.socket.readyState === 'open'; i++) {
        attacker.send({ v: 1, t: 'publish', data });
        if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));  // let it flush
      }
      const refusal = await within(limited.first, 'the attacker to be rate limited', 10000);
      // Over the rate, or (on a loaded machine) over its share of a slow control peer's buffer.
      assert.match(refusal.message, /envelopes a second|bytes a second|not delivered/);
      await within(attacker.closed, 'the attacker to be disconnected', 10000);
      await server.waitForLog(new RegExp(`session ended peer=${attacker.id} code=rate_limited`));
      await server.waitForLog(/disconnect .*reason="rate limited"/);
    },
  });
});

test('one polling POST holding 15,000 publishes: the session is disconnected part way', async () => {
  await underAttack({
    attack: async ({ server }) => {
      const { sid } = await openPolling(server.url);
      const post = (body) =>
        request(engineioUrl(server.url, 'polling', `&sid=${sid}`), { method: 'POST', body }, 10000);
      assert.equal((await post('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'flood' }))).text, 'ok');
      assert.equal((await post('4' + JSON.stringify({ v: 1, t: 'join', room: 'arena' }))).text, 'ok');
      const record = '4' + JSON.stringify({ v: 1, t: 'publish', data: 'x'.repeat(20) });
      const body = Array.from({ length: 15000 }, () => record).join('\x1e');
      assert.ok(body.length < 1000000, 'within the default maxPayload');
      const answer = await post(body);
      assert.equal(answer?.status, 200);
      await server.waitForLog(new RegExp(`disconnect sid=${sid} .*reason="rate limited"`));
      const arena = (await request(engineioUrl(server.url, 'polling', `&sid=${sid}`))).status;
      assert.equal(arena, 400, 'the session is gone');
    },
  });
});

test('memory: readers that stop reading fill the server to --max-buffered-bytes, which refuses with server_busy, and the memory comes back', async (t) => {
  const server = await startServer({
    args: [
      ...UNLIMITED_RATE_ARGS,
      ...QUICK_SESSION_ARGS,
      '--max-buffered-bytes', String(64 * MiB),
      '--resume-buffer', String(8 * MiB),
      '--ack-timeout', '60000',
      '--ping-interval', '60000',
    ],
  });
  try {
    const elsewhere = await controlPair(server.url, 'elsewhere');
    const inSink = await controlPair(server.url, 'sink');
    await exchange(elsewhere, Promise.resolve(), { min: 3 });
    await exchange(inSink, Promise.resolve(), { min: 3 });
    const rssBefore = rssOf(server.pid);

    const readers = [];
    for (let i = 0; i < 40; i++) {
      const reader = await RawEngineioSocket.open(server.url);
      reader.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'stops-reading' }));
      reader.peer = (await reader.nextEnvelope()).peer;
      reader.send('4' + JSON.stringify({ seq: 1, v: 1, t: 'join', room: 'sink' }));
      await reader.nextEnvelope();
      readers.push(reader);
    }
    const publisher = await EnvelopePeer.welcomed(server.url);
    await publisher.join('sink');
    for (const reader of readers) reader.ws.pause();  // the server's sends pile up
    const busy = errorsOf(publisher, 'server_busy');

    const big = { v: 1, t: 'publish', data: 'z'.repeat(60000) };
    const control = Promise.all([exchange(elsewhere, busy.first), exchange(inSink, busy.first)]);
    for (let batch = 0; busy.count === 0; batch++) {
      assert.ok(batch < 200, 'the global budget never refused');
      for (let i = 0; i < 5; i++) publisher.send(big);
      publisher.send({ v: 1, t: 'direct', to: 'nobody', data: batch });
      // Processed in order: once this comes back, so have the refusals of the batch.
      await publisher.expect('error', (e) => e.code === 'peer_not_found', 10000);
    }
    const refusal = await busy.first;
    assert.match(refusal.message, /the server's buffers are full/);
    await control;
    const rssPeak = rssOf(server.pid);
    assert.ok(rssPeak > rssBefore + 32 * MiB, `the attack cost ${(rssPeak - rssBefore) / MiB} MiB`);
    await assertHealthy(server.url);

    // The readers go; their sessions expire after the short resume window.
    for (const reader of readers) reader.terminate();
    // Their `session ended` lines share the log limiter's per-second budget: past it they are counted.
    await server.waitForStderr((text) => {
      const written = readers.filter(({ peer }) => text.includes(`session ended peer=${peer} code=session_expired`));
      const counted = [...text.matchAll(/log lines suppressed kind=session_ended count=(\d+)/g)]
        .reduce((sum, m) => sum + Number(m[1]), 0);
      return written.length + counted >= readers.length;
    }, 'every reader\'s session ended, written or counted', 10000);
    await exchange(elsewhere, Promise.resolve(), { min: 1 });
    await exchange(inSink, Promise.resolve(), { min: 1 });
    const rssAfter = rssOf(server.pid);
    t.diagnostic(
      `RSS before ${(rssBefore / MiB).toFixed(1)} MiB, peak ${(rssPeak / MiB).toFixed(1)} MiB, ` +
        `after ${(rssAfter / MiB).toFixed(1)} MiB`,
    );
    assert.ok(
      rssAfter <= rssBefore + RSS_SLACK,
      `RSS ${(rssAfter / MiB).toFixed(1)} MiB after, ${(rssBefore / MiB).toFixed(1)} MiB before, ` +
        `${(rssPeak / MiB).toFixed(1)} MiB at the peak`,
    );
    assertUnharmed(elsewhere);
    assertUnharmed(inSink);
    await Promise.all(
      [elsewhere.a, elsewhere.b, inSink.a, inSink.b, publisher].map((peer) => peer.close()),
    );
  } finally {
    await server.stop();
  }
});

test('reconnecting does not refill the rate buckets of an address; other addresses keep theirs', async () => {
  // 100 bytes a second: a 50 kB envelope from a full bucket leaves a debt of minutes.
  const server = await startServer({
    args: [...QUICK_SESSION_ARGS, '--rate-bytes', '100', '--rate-byte-burst', '1000'],
  });
  try {
    const attacker = await EnvelopePeer.connect(server.url);
    attacker.send({ v: 1, t: 'publish', data: 'z'.repeat(50000) });  // before hello: refused, but charged
    await attacker.expectError('invalid_state');
    await attacker.close();
    await server.waitForLog(/disconnect .*reason="client closed the websocket"/);

    // Back with a new connection and a new session: the debt is still there.
    const again = await EnvelopePeer.connect(server.url);
    again.send({ v: 1, t: 'hello', sdk: 'server-tests/1' });
    await again.expectError('rate_limited');
    // Another address is not affected.
    const other = await EnvelopePeer.welcomed(server.url, { localAddress: '127.0.0.2' });
    assert.ok(other.id);
    await again.close();
    await other.close();
  } finally {
    await server.stop();
  }
});
