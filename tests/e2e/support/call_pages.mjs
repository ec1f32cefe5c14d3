// Pages of one browser running fixtures/call.js against one app server, driven from the tests:
// open them, start their call client, wait on conditions of its records, clean up after a test.
// Every wait is on an event or a bounded poll of a condition in the page.
import assert from 'node:assert/strict';
import { startAppServer } from './app_server.mjs';
import { openPage } from './browser.mjs';

// Bounds for a loaded 2-core machine; a connection takes about a second when it is idle.
export const CONNECT_MS = 20000;
export const FLOW_MS = 20000;

// Clean-up that does not finish says which step hung, instead of the whole file timing out.
export function bounded(promise, what, ms = 15000) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export class CallPages {
  server = null; // started by the first open() of a test; a test may replace it
  pages = [];
  #browser;

  constructor(browser) {
    this.#browser = browser;
  }

  async open(count, serverArgs = []) {
    this.server ??= await startAppServer(serverArgs);
    const opened = await Promise.all(
      Array.from({ length: count }, () => openPage(this.#browser, `${this.server.url}/app/call.html`)),
    );
    this.pages.push(...opened);
    return opened;
  }

  // Connects the page's client and joins `room`, with call.start()'s options (camera, options:
  // the client's connect options); resolves with its peer id.
  start(page, room, options = {}) {
    return page.evaluate((args) => call.start(args.url, args), { url: this.server.url, room, ...options });
  }

  // Two pages in `room`, started with the same options and connected to each other.
  async connectedPair(room, options, serverArgs) {
    const [alice, bob] = await this.open(2, serverArgs);
    const aliceId = await this.start(alice, room, options);
    const bobId = await this.start(bob, room, options);
    await Promise.all([untilConnected(alice, [bobId]), untilConnected(bob, [aliceId])]);
    return { alice, bob, aliceId, bobId };
  }

  assertNoPageErrors() {
    for (const page of this.pages) assert.deepEqual(page.errors, []);
  }

  // After each test: its pages closed, its server stopped.
  async closeAll() {
    await bounded(Promise.all(this.pages.map((page) => page.close())), 'closing the pages');
    this.pages = [];
    await bounded(this.server?.stop(), 'stopping the server');
    this.server = null;
  }
}

export const summary = (page) => page.evaluate(() => call.summary());

export const untilConnected = (page, ids, timeoutMs = CONNECT_MS) =>
  page.evaluate(
    ({ ids, timeoutMs }) =>
      call.until(`connected to ${ids}`, (c) => ids.every((id) => c.records.get(id)?.peer.state === 'connected'), timeoutMs),
    { ids, timeoutMs },
  );

export const sendNumbered = (page, to, first, count) =>
  page.evaluate((args) => call.sendNumbered(args.to, args.first, args.count), { to, first, count });

// Resolves once `count` numbered messages came from each of `from`, in order, once each.
export async function untilNumbered(page, from, count, timeoutMs = FLOW_MS) {
  const result = await page.evaluate(
    ({ from, count, timeoutMs }) =>
      call.until(`${count} messages from ${from}`, (c) => from.every((id) => c.records.get(id)?.expected >= count), timeoutMs),
    { from, count, timeoutMs },
  );
  for (const id of from) {
    const peer = result.peers[id];
    assert.equal(peer.expected, count, `${result.peerId}: every message from ${id} arrived, in order`);
    assert.equal(peer.duplicates, 0, `${result.peerId}: none from ${id} twice`);
    assert.equal(peer.gaps, 0, `${result.peerId}: none from ${id} skipped`);
  }
  return result;
}

// Both directions of a connected pair: `count` more numbered messages, from `first`, in order.
export async function exchange({ alice, bob, aliceId, bobId }, first, count) {
  await Promise.all([sendNumbered(alice, bobId, first, count), sendNumbered(bob, aliceId, first, count)]);
  await Promise.all([untilNumbered(alice, [bobId], first + count), untilNumbered(bob, [aliceId], first + count)]);
}

export const untilFramesGrow = (page, from, frames = 30, timeoutMs = FLOW_MS) =>
  page.evaluate((args) => call.untilFramesGrow(args.from, args.frames, args.timeoutMs), { from, frames, timeoutMs });
