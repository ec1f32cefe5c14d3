// Sharing a file in the demo, as a person would: picked in one tab, accepted in the other, with a
// progress bar on both sides and a Save link at the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

let server;
let browser;

before(async () => {
  server = await startAppServer();
  browser = await launchChromium({ webrtc: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function until(page, what, predicate, arg, timeout = 30000) {
  try {
    return await (await page.waitForFunction(predicate, arg, { timeout })).jsonValue();
  } catch (error) {
    throw new Error(`demo page: timed out waiting for ${what}`, { cause: error });
  }
}

// The transfer rows as shown: direction, status, progress value and maximum, the link's file name.
const rows = (page) =>
  page.$$eval('#transfers li', (items) =>
    items.map((item) => ({
      direction: item.dataset.direction,
      status: item.dataset.status,
      name: item.querySelector('.file-name').textContent,
      value: item.querySelector('progress').value,
      max: item.querySelector('progress').max,
      save: item.querySelector('a.download')?.download ?? null,
    })),
  );

test('a file shared in one tab is offered, accepted and saved in the other, with progress on both sides', async () => {
  const sender = await openPage(browser, `${server.url}/#share`);
  const receiver = await openPage(browser, `${server.url}/#share`);
  const receiverId = await until(receiver, 'the peer id', () =>
    document.querySelector('#room-title').textContent === 'share' && document.querySelector('#peer-id').textContent);
  await until(sender, 'the peer connected', (peer) =>
    document.querySelector(`#tiles li[data-peer="${peer}"] .peer-state`)?.textContent === 'connected', receiverId);

  const size = 3 * 1024 * 1024;
  const buffer = Buffer.alloc(size, 7);
  await sender.setInputFiles('#file-input', { name: 'notes <1>.txt', mimeType: 'text/plain', buffer });
  await until(receiver, 'the offer', () => document.querySelector('#transfers li button.accept') !== null);
  await receiver.click('#transfers li button.accept');
  await until(receiver, 'the file received', () => document.querySelector('#transfers li a.download') !== null);
  await until(sender, 'the file sent', () => document.querySelector('#transfers li')?.dataset.status === 'done');

  assert.deepEqual(await rows(sender), [
    { direction: 'out', status: 'done', name: 'notes <1>.txt', value: size, max: size, save: null },
  ]);
  assert.deepEqual(await rows(receiver), [
    { direction: 'in', status: 'done', name: 'notes <1>.txt', value: size, max: size, save: 'notes <1>.txt' },
  ]);
  const saved = await receiver.evaluate(async () => {
    const blob = await (await fetch(document.querySelector('#transfers a.download').href)).blob();
    return { size: blob.size, first: new Uint8Array(await blob.slice(0, 1).arrayBuffer())[0] };
  });
  assert.deepEqual(saved, { size, first: 7 });
  assert.deepEqual(sender.errors, []);
  assert.deepEqual(receiver.errors, []);
});
