// The demo page, driven as a person would: two tabs join one room by URL, see each other (the
// fake camera's video in each other's tile), chat, and share a file: picked in one tab, accepted
// in the other, with a progress bar on both sides and a Save link at the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

// A file transfer's bound on a loaded 2-core machine.
const FILE_MS = 30000;

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

// Waits until `predicate` (run in the page) holds, for at most 5 s unless told, naming what was awaited.
async function until(page, what, predicate, arg, timeout = 5000) {
  try {
    return await (await page.waitForFunction(predicate, arg, { timeout })).jsonValue();
  } catch (error) {
    throw new Error(`demo page: timed out waiting for ${what}`, { cause: error });
  }
}

// Page helpers for the waits below.
function demoHelpers() {
  window.roomTitle = () => document.querySelector('#room-title').textContent;
  window.peerCount = () => document.querySelectorAll('#peers li').length;
  // The tile of a remote peer, as the person sees it (null before it shows).
  window.tileOf = (peer) => {
    const tile = document.querySelector(`#tiles li[data-peer="${peer}"]`);
    if (!tile) return null;
    const video = tile.querySelector('video');
    return {
      video: tile.dataset.video,
      playing: video.readyState >= 2 && video.videoWidth > 0 && !video.paused,
      state: tile.querySelector('.peer-state').textContent,
      route: tile.querySelector('.route').hidden ? null : tile.querySelector('.route').dataset.candidate,
      muted: !tile.querySelector('.muted').hidden,
    };
  };
}
const openDemo = (url) => openPage(browser, url, { init: demoHelpers });

const peerList = (page) => page.$$eval('#peers li', (items) => items.map((item) => item.textContent));

test('two tabs on the same room link see each other and chat', async () => {
  const first = await openDemo(`${server.url}/#book-club`);
  await until(first, 'the first tab to join', () => roomTitle() === 'book-club');
  const firstId = await first.textContent('#peer-id');
  assert.equal(await first.textContent('#state'), 'connected');
  assert.equal(await first.textContent('#transport'), 'websocket');
  assert.match(firstId, /^[A-Za-z0-9_-]+$/);

  const second = await openDemo(`${server.url}/#book-club`);
  await until(second, 'the second tab to list two peers', () => peerCount() === 2);
  const secondId = await second.textContent('#peer-id');
  assert.deepEqual(await peerList(second), [`${secondId} (you)`, firstId]);
  await until(first, 'the first tab to list two peers', () => peerCount() === 2);
  assert.deepEqual(await peerList(first), [`${firstId} (you)`, secondId]);

  await first.fill('#message-text', 'Chapter 3 tonight?');
  await first.press('#message-text', 'Enter');
  assert.equal(await first.inputValue('#message-text'), '');
  const line = await until(second, 'the message to arrive', () =>
    [...document.querySelectorAll('#messages li')].find((item) => item.querySelector('.from'))
      ?.textContent,
  );
  assert.match(line, new RegExp(`${firstId}\\s*Chapter 3 tonight\\?$`));
  assert.match(await first.textContent('#messages li.mine'), /you\s*Chapter 3 tonight\?$/);

  // Markup in a message is shown as text, never interpreted.
  await second.fill('#message-text', '<img src=x onerror="window.pwned=1">');
  await second.press('#message-text', 'Enter');
  await until(first, 'the markup message', () =>
    document.querySelector('#messages').textContent.includes('<img src=x'),
  );
  assert.equal(await first.evaluate(() => window.pwned ?? null), null);

  await second.close();
  await until(first, 'the second tab to leave the list', () => peerCount() === 1);
  assert.deepEqual(first.errors, []);
});

test('a tab without a room link suggests a room and joins it on submit', async () => {
  const page = await openDemo(`${server.url}/`);
  await until(page, 'connected', () => document.querySelector('#state').textContent === 'connected');
  const suggested = await page.inputValue('#room-name');
  assert.match(suggested, /^room-[a-z0-9]+$/);
  assert.equal(await page.isDisabled('#message-text'), true);
  await page.click('#join-button');
  await until(page, 'the suggested room', (room) => roomTitle() === room, suggested);
  assert.equal(new URL(page.url()).hash, `#${suggested}`);
  assert.equal(await page.isDisabled('#message-text'), false);
  assert.deepEqual(page.errors, []);
});

test('the demo shows the transport in use, and the change when the session upgrades', async () => {
  // No EventSource in this browser, and the ladder's first WebSocket is refused: the session
  // starts on polling. The upgrade probe's WebSocket waits at a gate.
  const page = await openDemo(`${server.url}/#transports`);
  await page.addInitScript(() => {
    delete window.EventSource;
  });
  let openGate;
  const gate = new Promise((resolve) => (openGate = resolve));
  let sockets = 0;
  await page.routeWebSocket(/\/engine\.io\//, async (socket) => {
    if (++sockets === 1) {
      socket.close({ code: 1011, reason: 'refused by the test' });
      return;
    }
    await gate;
    socket.connectToServer();
  });
  await page.reload();
  await until(page, 'the room over polling', () =>
    roomTitle() === 'transports' && document.querySelector('#transport').textContent === 'polling',
  );
  openGate();
  await until(page, 'the upgrade', () => document.querySelector('#transport').textContent === 'websocket');
  assert.equal(sockets, 2);
  const notices = await page.$$eval('#messages .notice', (items) => items.map((item) => item.textContent));
  assert.ok(notices.includes('Now connected over websocket'), JSON.stringify(notices));
  assert.equal(await page.textContent('#state'), 'connected');
  assert.deepEqual(page.errors, []);
});

test('two tabs on a ?room= link see each other in the video grid, with state and route, and mute shows', async () => {
  const first = await openDemo(`${server.url}/?room=video-call`);
  await until(first, 'the first tab to join', () => roomTitle() === 'video-call');
  const firstId = await first.textContent('#peer-id');
  const second = await openDemo(`${server.url}/?room=video-call`);
  await until(second, 'the second tab to join', () => roomTitle() === 'video-call');
  const secondId = await second.textContent('#peer-id');

  // Each tab plays the other's camera in a tile that says connected and, over loopback, host.
  const seen = (page, peer) =>
    until(page, `the video tile of ${peer}`, (peer) => {
      const tile = tileOf(peer);
      return tile?.playing && tile.state === 'connected' && tile.route !== null ? tile : null;
    }, peer, 30000);
  const [inFirst, inSecond] = await Promise.all([seen(first, secondId), seen(second, firstId)]);
  for (const tile of [inFirst, inSecond]) {
    assert.deepEqual(tile, { video: 'on', playing: true, state: 'connected', route: 'host', muted: false });
  }
  // Your own tile shows your camera too.
  assert.equal(await first.getAttribute('#tiles li.you', 'data-video'), 'on');

  await first.click('#mute-button');
  assert.equal(await first.getAttribute('#mute-button', 'aria-pressed'), 'true');
  await until(second, 'the muted badge', (peer) => tileOf(peer)?.muted, firstId);
  await first.click('#mute-button');
  await until(second, 'the muted badge to go', (peer) => tileOf(peer)?.muted === false, firstId);

  // A tab that leaves takes its tile away.
  await second.close();
  await until(first, 'the tile to go', (peer) => tileOf(peer) === null, secondId, 15000);
  assert.deepEqual(first.errors, []);
  assert.deepEqual(second.errors, []);
});

test('without a camera or microphone the tab still joins the call, says why and chats', async () => {
  // As when the person says no to the browser's prompt.
  const page = await openPage(browser, `${server.url}/#no-camera`, {
    init: () => {
      window.roomTitle = () => document.querySelector('#room-title').textContent;
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    },
  });
  await until(page, 'the room', () => roomTitle() === 'no-camera');
  await until(page, 'the note', () => !document.querySelector('#media-note').hidden);
  assert.match(await page.textContent('#media-note'), /No camera or microphone \(NotAllowedError\)/);
  assert.equal(await page.isDisabled('#mute-button'), true);
  assert.equal(await page.isDisabled('#camera-button'), true);
  assert.equal(await page.isDisabled('#message-text'), false);
  assert.equal(await page.getAttribute('#tiles li.you', 'data-video'), 'off');
  assert.deepEqual(page.errors, []);
});

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
    document.querySelector('#room-title').textContent === 'share' && document.querySelector('#peer-id').textContent,
  undefined, FILE_MS);
  await until(sender, 'the peer connected', (peer) =>
    document.querySelector(`#tiles li[data-peer="${peer}"] .peer-state`)?.textContent === 'connected', receiverId, FILE_MS);

  const size = 3 * 1024 * 1024;
  const buffer = Buffer.alloc(size, 7);
  // Playwright hands the 3 MiB to the page over CDP: seconds on a loaded machine, so its own
  // 30 s default is no bound worth failing on.
  await sender.setInputFiles('#file-input', { name: 'notes <1>.txt', mimeType: 'text/plain', buffer }, { timeout: 120000 });
  await until(receiver, 'the offer', () => document.querySelector('#transfers li button.accept') !== null, undefined, FILE_MS);
  await receiver.click('#transfers li button.accept');
  await until(receiver, 'the file received', () => document.querySelector('#transfers li a.download') !== null, undefined, FILE_MS);
  await until(sender, 'the file sent', () => document.querySelector('#transfers li')?.dataset.status === 'done', undefined, FILE_MS);

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
