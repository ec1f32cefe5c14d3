// Well-behaved peers for the abuse tests: they acknowledge what they receive as the rtcwire client
// does (after 32 envelopes or 100 ms), and a control pair exchanges numbered messages throughout an
// attack so a test can assert that nothing between them was lost, reordered or refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EnvelopePeer, within } from './peers.mjs';

const ACK_EVERY = 32;
const ACK_DELAY_MS = 100;
const PACE_MS = 10;

/** An EnvelopePeer that acknowledges every sequenced envelope it receives, promptly. */
export class AckingPeer extends EnvelopePeer {
  constructor(url, options) {
    super(url, options);
    this.received = 0;
    this.acked = 0;
    this.timer = null;
    this.isClosed = false;
    this.closed.then(() => {
      this.isClosed = true;
      clearTimeout(this.timer);
    });
    this.socket.on('message', (data) => {
      if (typeof data !== 'string') return;
      const { seq } = JSON.parse(data);
      if (!seq) return;
      this.received = seq;
      if (this.received - this.acked >= ACK_EVERY) this.ack();
      else this.timer ??= setTimeout(() => this.ack(), ACK_DELAY_MS);
    });
  }

  static async welcomed(url, options) {
    const peer = new AckingPeer(url, options);
    await within(new Promise((resolve) => peer.socket.once('open', resolve)), 'the socket to open');
    peer.send({ v: 1, t: 'hello', sdk: 'server-tests/well-behaved' });
    peer.welcome = await peer.expect('welcome');
    peer.id = peer.welcome.peer;
    return peer;
  }

  ack() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.isClosed || this.received <= this.acked) return;
    this.acked = this.received;
    this.send({ v: 1, t: 'ack', ack: this.received });
  }

  close() {
    clearTimeout(this.timer);
    return super.close();
  }
}

/** Two acking peers in `room`. */
export async function controlPair(url, room) {
  const a = await AckingPeer.welcomed(url);
  const b = await AckingPeer.welcomed(url);
  await a.join(room);
  await b.join(room);
  await a.expect('peer-joined', (e) => e.peer === b.id);
  return { a, b, room };
}

/**
 * Round trips of numbered direct messages between the pair until `until` settles (and at least
 * `min` of them); rejects on any loss, reordering or delay beyond `ms`. Resolves with the count.
 */
export async function exchange({ a, b }, until, { min = 10, ms = 10000 } = {}) {
  let done = false;
  until.then(
    () => (done = true),
    () => (done = true),
  );
  let n = 0;
  while (n < min || !done) {
    a.send({ v: 1, t: 'direct', to: b.id, data: n });
    const there = await b.expect('direct', (e) => e.from === a.id, ms);
    assert.equal(there.data, n, 'in order, none lost');
    b.send({ v: 1, t: 'direct', to: a.id, data: n });
    const back = await a.expect('direct', (e) => e.from === b.id, ms);
    assert.equal(back.data, n, 'in order, none lost');
    n += 1;
    // A chatty app's pace, well under the default 1,000 envelopes a second: a pair that sends as
    // fast as loopback allows is itself a flood.
    await new Promise((resolve) => setTimeout(resolve, PACE_MS));
  }
  return n;
}

/** Neither peer of the pair got an error or lost its connection. */
export function assertUnharmed({ a, b }) {
  for (const peer of [a, b]) {
    assert.equal(peer.isClosed, false, `control peer ${peer.id} was disconnected`);
    const errors = peer.inbox.pending().filter((e) => e.t === 'error');
    assert.deepEqual(errors, [], `control peer ${peer.id} got errors`);
  }
}

/** The resident memory of a process, in bytes. */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)[1]) * 1024;
}

/** `/healthz` answers 200 within `ms`. */
export async function assertHealthy(url, ms = 2000) {
  const response = await within(fetch(`${url}/healthz`, { cache: 'no-store' }), '/healthz', ms);
  assert.equal(response.status, 200);
  await response.text();
}
