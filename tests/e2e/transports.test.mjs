// The transport ladder against a real rtcwire-server: SSE when WebSockets are blocked, polling when
// the server offers nothing else, mixed transports in one room, the websocket upgrade, and the
// remembered transport.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';
import { routeToScript } from './support/scripted_server.mjs';

// Init scripts that take a browser API away, as some networks, proxies and extensions do.
const WITHOUT_WEBSOCKET = () => {
  delete window.WebSocket;
};
const WITHOUT_WEBSOCKET_AND_SSE = () => {
  delete window.WebSocket;
  delete window.EventSource;
};
// A WebSocket constructor that always throws, counting how often the page tried it.
const THROWING_WEBSOCKET = () => {
  window.webSocketAttempts = 0;
  window.WebSocket = function WebSocket() {
    window.webSocketAttempts++;
    throw new DOMException('blocked by the test', 'SecurityError');
  };
};

let server;
let browser;

before(async () => {
  server = await startAppServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A page of the test app, connected with `options`; returns the page and what connectApp() saw.
async function connectedPage(options, { init, url = server.url } = {}) {
  const page = await openPage(browser, `${url}/app/`, { init });
  const connected = await page.evaluate((opts) => connectApp(undefined, opts), options);
  return { page, ...connected };
}

// Each page publishes `count` messages {seq} into the room (already joined), all at once.
function publishSequence(pages, count) {
  return Promise.all(
    pages.map((page) =>
      page.evaluate((n) => {
        for (let seq = 0; seq < n; seq++) app.client.publish({ seq });
      }, count),
    ),
  );
}

// The messages a page received, grouped by sender, once `total` have arrived.
async function receivedBySender(page, total) {
  const messages = await page.evaluate(
    (n) =>
      app.until(`${n} messages`, (recorded) => recorded.messages().length >= n && recorded.messages(), 10000),
    total,
  );
  const bySender = {};
  for (const { from, kind, data } of messages) {
    assert.equal(kind, 'room');
    (bySender[from] ??= []).push(data.seq);
  }
  return bySender;
}

const sequence = (count) => Array.from({ length: count }, (_, seq) => seq);

async function joinAll(pages, room) {
  for (const page of pages) await page.evaluate((name) => app.client.join(name), room);
  // Everyone sees everyone before anything is published.
  for (const page of pages) {
    await page.evaluate(
      (count) => app.until(`${count} peers`, ({ client }) => client.peers.length === count),
      pages.length - 1,
    );
  }
}

test('with WebSocket removed from the page, the client connects over SSE and chats', async () => {
  const sse = await connectedPage(undefined, { init: WITHOUT_WEBSOCKET });
  assert.equal(sse.state, 'connected');
  assert.equal(sse.transport, 'sse');
  const other = await connectedPage();
  assert.equal(other.transport, 'websocket');

  await joinAll([sse.page, other.page], 'sse-room');
  await publishSequence([sse.page, other.page], 50);
  assert.deepEqual(await receivedBySender(sse.page, 50), { [other.peerId]: sequence(50) });
  assert.deepEqual(await receivedBySender(other.page, 50), { [sse.peerId]: sequence(50) });
  // The websocket upgrade probe could not even be created: the session stayed on SSE.
  assert.equal(await sse.page.evaluate(() => app.client.transport), 'sse');
  assert.deepEqual(await sse.page.evaluate(() => app.events('transport')), []);
  assert.deepEqual([...sse.page.errors, ...other.page.errors], []);
  await Promise.all([sse.page.close(), other.page.close()]);
});

test('with WebSocket and EventSource removed, the client connects over polling', async () => {
  const polling = await connectedPage(undefined, { init: WITHOUT_WEBSOCKET_AND_SSE });
  assert.deepEqual([polling.state, polling.transport], ['connected', 'polling']);
  const other = await connectedPage();
  await joinAll([polling.page, other.page], 'no-apis-room');
  await publishSequence([polling.page, other.page], 20);
  assert.deepEqual(await receivedBySender(polling.page, 20), { [other.peerId]: sequence(20) });
  assert.deepEqual(await receivedBySender(other.page, 20), { [polling.peerId]: sequence(20) });
  assert.deepEqual(polling.page.errors, []);
  await Promise.all([polling.page.close(), other.page.close()]);
});

test('a server started with --transports polling gets polling clients that chat', async () => {
  const pollingServer = await startAppServer(['--transports', 'polling']);
  try {
    const first = await connectedPage(undefined, { url: pollingServer.url });
    const second = await connectedPage(undefined, { url: pollingServer.url });
    assert.deepEqual([first.state, first.transport], ['connected', 'polling']);
    assert.deepEqual([second.state, second.transport], ['connected', 'polling']);
    await joinAll([first.page, second.page], 'polling-room');
    await publishSequence([first.page, second.page], 50);
    assert.deepEqual(await receivedBySender(first.page, 50), { [second.peerId]: sequence(50) });
    assert.deepEqual(await receivedBySender(second.page, 50), { [first.peerId]: sequence(50) });
    assert.deepEqual([...first.page.errors, ...second.page.errors], []);
    await Promise.all([first.page.close(), second.page.close()]);
  } finally {
    await pollingServer.stop();
  }
});

test('three pages on three transports share a room: every message arrives once and in order', async () => {
  const MESSAGES = 60;
  const pages = {
    websocket: await connectedPage({ transports: ['websocket'] }),
    sse: await connectedPage({ transports: ['sse'] }),
    polling: await connectedPage({ transports: ['polling'] }),
  };
  for (const [transport, { state, transport: used }] of Object.entries(pages)) {
    assert.deepEqual([state, used], ['connected', transport]);
  }
  const all = Object.values(pages);
  await joinAll(all.map(({ page }) => page), 'mixed-room');
  await publishSequence(all.map(({ page }) => page), MESSAGES);
  for (const receiver of all) {
    const expected = Object.fromEntries(
      all.filter((sender) => sender !== receiver).map(({ peerId }) => [peerId, sequence(MESSAGES)]),
    );
    assert.deepEqual(await receivedBySender(receiver.page, 2 * MESSAGES), expected);
  }
  for (const { page } of all) {
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test('a polling session upgrades to websocket: messages before, during and after arrive once, in order', async () => {
  const receiver = await connectedPage({ transports: ['websocket'] });
  // The upgrade probe's WebSocket waits at this gate until the test opens it, so the session is
  // surely on polling first; then it goes through to the real server.
  const page = await openPage(browser, `${server.url}/app/`);
  let openGate;
  const gate = new Promise((resolve) => (openGate = resolve));
  let probes = 0;
  await page.routeWebSocket(/\/engine\.io\//, async (socket) => {
    probes++;
    await gate;
    socket.connectToServer();
  });
  const sender = await page.evaluate(() => connectApp(undefined, { transports: ['polling', 'websocket'] }));
  assert.deepEqual([sender.state, sender.transport], ['connected', 'polling']);
  await joinAll([page, receiver.page], 'upgrade-room');

  const BEFORE = 20;
  const AFTER = 20;
  // Before: published over polling, the probe still at the gate.
  await page.evaluate((count) => {
    window.seq = 0;
    while (seq < count) app.client.publish({ seq: seq++ });
  }, BEFORE);
  // During: one message per task until the transport event, from before the gate opens.
  await page.evaluate(() => {
    window.pumping = new Promise((resolve, reject) => {
      const deadline = performance.now() + 10000;
      const pump = () => {
        if (app.client.transport === 'websocket') return resolve(seq);
        if (performance.now() > deadline) return reject(new Error('no upgrade within 10 s'));
        app.client.publish({ seq: seq++ });
        setTimeout(pump, 0);
      };
      pump();
    });
  });
  const atGate = await page.evaluate(() => seq);
  assert.equal(probes, 1);
  openGate();
  const atUpgrade = await page.evaluate(() => pumping);
  assert.ok(atUpgrade > atGate, `no message was sent while the upgrade was under way`);
  // After: over the websocket.
  await page.evaluate((count) => {
    for (let i = 0; i < count; i++) app.client.publish({ seq: seq++ });
  }, AFTER);
  const total = atUpgrade + AFTER;

  assert.deepEqual(await page.evaluate(() => app.events('transport')), [['websocket']]);
  assert.equal(await page.evaluate(() => app.client.transport), 'websocket');
  assert.deepEqual(await receivedBySender(receiver.page, total), { [sender.peerId]: sequence(total) });
  // Nothing more than those: a marker from the sender arrives right after them.
  await page.evaluate(() => app.client.publish({ seq: -1 }));
  const last = await receiver.page.evaluate(
    (n) => app.until('the marker', (recorded) => recorded.messages().length > n && recorded.messages().at(-1)),
    total,
  );
  assert.deepEqual(last.data, { seq: -1 });
  assert.equal(await receiver.page.evaluate(() => app.messages().length), total + 1);
  assert.deepEqual([...page.errors, ...receiver.page.errors], []);
  await Promise.all([page.close(), receiver.page.close()]);
});

// The server answers the probe on the new WebSocket and, at the same moment, writes a noop on the
// SSE stream to release the old transport. The two travel on different connections, in either
// order; here the probe's answer is held until the page has the noop.
test('an SSE session upgrades to websocket even when the stream\'s noop overtakes the probe\'s answer', async () => {
  const page = await openPage(browser, `${server.url}/app/`, {
    init: () => {
      const NativeEventSource = window.EventSource;
      window.sseData = [];
      window.EventSource = class extends NativeEventSource {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', ({ data }) => {
            sseData.push(data);
            dispatchEvent(new Event('sse-data'));
          });
        }
      };
    },
  });
  await page.routeWebSocket(/\/engine\.io\//, (socket) => {
    const toServer = socket.connectToServer();
    toServer.onMessage(async (frame) => {
      if (frame === '3probe') {
        await page.evaluate(
          () =>
            new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no noop on the SSE stream in 5 s')), 5000);
              const check = () => {
                if (!sseData.includes('"6"')) return;
                clearTimeout(timer);
                removeEventListener('sse-data', check);
                resolve();
              };
              addEventListener('sse-data', check);
              check();
            }),
        );
      }
      socket.send(frame);
    });
  });
  const connected = await page.evaluate(() => connectApp(undefined, { transports: ['sse', 'websocket'] }));
  assert.equal(connected.transport, 'sse');
  const upgraded = await page.evaluate(() =>
    app.until('the upgrade to websocket', ({ client }) => client.transport === 'websocket' && client.transport),
  );
  assert.equal(upgraded, 'websocket');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a server that breaks the websocket handshake sends the client down the ladder to SSE', async () => {
  const page = await openPage(browser, `${server.url}/app/`);
  const script = await routeToScript(page);
  const connecting = page.evaluate(() => connectApp(undefined, { transports: ['websocket', 'sse'] }));
  const connection = await script.nextConnection();
  connection.send('4{"v":1,"t":"welcome"}');
  const connected = await connecting;
  assert.deepEqual([connected.state, connected.transport], ['connected', 'sse']);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the transport that worked is remembered: the next connect to that server starts with it', async () => {
  const page = await openPage(browser, `${server.url}/app/`, { init: THROWING_WEBSOCKET });
  const first = await page.evaluate(() => connectApp());
  assert.equal(first.transport, 'sse');
  // The websocket rung, then the upgrade probe from SSE.
  assert.equal(await page.evaluate(() => webSocketAttempts), 2);
  const second = await page.evaluate(async () => {
    app.client.close();
    return connectApp();
  });
  assert.equal(second.transport, 'sse');
  // SSE first this time: only the upgrade probe tried a WebSocket.
  assert.equal(await page.evaluate(() => webSocketAttempts), 3);
  // Another server URL (here: the same server, its Engine.IO path spelled out) starts from the
  // top of the ladder.
  const third = await page.evaluate(async (url) => {
    app.client.close();
    return connectApp(url);
  }, `${server.url}/engine.io/`);
  assert.equal(third.transport, 'sse');
  assert.equal(await page.evaluate(() => webSocketAttempts), 5);
  assert.deepEqual(page.errors, []);
  await page.close();
});
