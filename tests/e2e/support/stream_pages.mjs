// Two stream pages (fixtures/stream.js) connected through `url` (the fault proxy) in one room, and
// the check of what one received: the steps the resilience and transport recovery tests share.
import assert from 'node:assert/strict';
import { openPage } from './browser.mjs';

// Resolves with the two pages once each knows the other.
export async function connectStreamPair(browser, url, room, options) {
  const pages = await Promise.all([0, 1].map(() => openPage(browser, `${url}/app/stream.html`)));
  for (const page of pages) {
    await page.evaluate((args) => stream.start(args.url, args.options, args.room), { url, options, room });
  }
  await Promise.all(
    pages.map((page) => page.evaluate(() => stream.until('the peer', (s) => s.peer !== null, 5000))),
  );
  return pages;
}

export const send = (page, count, batch, pauseMs) =>
  page.evaluate((args) => stream.send(...args), [count, batch, pauseMs]);

export const untilReceived = (page, count, timeoutMs = 60000) =>
  page.evaluate(
    ({ count, timeoutMs }) => stream.until(`${count} messages`, (s) => s.expected >= count, timeoutMs),
    { count, timeoutMs },
  );

// `count` numbered messages, each once and in order, none refused, and the session never lost.
export function assertExactlyOnceInOrder(summary, count) {
  assert.equal(summary.expected, count, 'every message arrived, in order');
  assert.equal(summary.duplicates, 0, 'no message arrived twice');
  assert.equal(summary.gaps, 0, 'no message was skipped');
  assert.deepEqual(summary.sendErrors, []);
  assert.deepEqual(summary.resyncs, [], 'every reconnect resumed the session');
}
