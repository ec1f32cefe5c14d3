// What a client that never acknowledges costs (docs/server.md, "Resends"): the hub resends its
// unacknowledged tail a bounded number of times (--resend-tries) and, over all sessions, within
// a byte budget (--resend-rate); the others in its room are served as usual.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';

const RESEND_AFTER_MS = 100;
// The resend wait doubles up to 8 times --resend-after: without a bound, more resends would
// surely come within this long.
const QUIET_MS = 2 * 8 * RESEND_AFTER_MS;
const MESSAGES = 5;

/** A welcomed peer that never acknowledges anything; counts how often each seq reached it. */
async function neverAcking(url) {
  const peer = await EnvelopePeer.welcomed(url);
  peer.copies = new Map();
  peer.waiters = [];
  peer.socket.on('message', (data) => {
    const seq = typeof data === 'string' ? JSON.parse(data).seq : undefined;
    if (typeof seq !== 'number') return;
    peer.copies.set(seq, (peer.copies.get(seq) ?? 0) + 1);
    for (const waiter of peer.waiters) waiter();
  });
  /** Resolves once seq `seq` arrived `n` times. */
  peer.copiesOf = (seq, n) =>
    within(
      new Promise((resolve) => {
        const check = () => (peer.copies.get(seq) ?? 0) >= n && resolve();
        peer.waiters.push(check);
        check();
      }),
      `seq ${seq} to arrive ${n} times`,
    );
  return peer;
}

async function run(args, expectedCopies) {
  const server = await startServer({
    args: [...QUICK_SESSION_ARGS, '--resend-after', String(RESEND_AFTER_MS), ...args],
  });
  try {
    const never = await neverAcking(server.url);
    const sender = await EnvelopePeer.welcomed(server.url);
    await never.join('room');
    await sender.join('room');
    await never.expect('peer-joined', (e) => e.peer === sender.id);
    // Both acknowledge what they have so far; from here on `never` acknowledges nothing.
    sender.send({ v: 1, t: 'ack', ack: sender.lastSeq });
    never.send({ v: 1, t: 'ack', ack: never.lastSeq });
    never.copies.clear();
    for (let n = 0; n < MESSAGES; n += 1) sender.send({ v: 1, t: 'publish', data: { n } });
    for (let n = 0; n < MESSAGES; n += 1) {
      assert.deepEqual((await never.expect('publish')).data, { n });
    }
    const last = Math.max(...never.copies.keys());
    await never.copiesOf(last, expectedCopies);
    // An absence cannot be awaited: give the unbounded schedule ample time to show itself.
    await delay(QUIET_MS);
    assert.equal(never.copies.get(last), expectedCopies);
    for (const [seq, copies] of never.copies) {
      assert.ok(copies <= expectedCopies, `seq ${seq} arrived ${copies} times`);
    }
    // The room is served as usual, and the server is fine.
    sender.send({ v: 1, t: 'publish', data: { n: 'after' } });
    assert.deepEqual((await never.expect('publish')).data, { n: 'after' });
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    await never.close();
    await sender.close();
  } finally {
    await server.stop();
  }
}

describe('a client that never acknowledges', () => {
  test('is resent its tail --resend-tries times, then no more', async () => {
    await run(['--resend-tries', '3'], 1 + 3);
  });

  test('is resent only what the global --resend-rate affords', async () => {
    // One byte a second: the first resend goes out of a full budget and leaves it in debt.
    await run(['--resend-tries', '100', '--resend-rate', '1'], 1 + 1);
  });
});
