// Engine.IO v4 conformance: every case of the protocol's own test suite (socketio/engine.io-protocol,
// test-suite/test-suite.js), written afresh, run against rtcwire-server --echo and against a stock
// node `engine.io` server configured the same way (pingInterval 300, pingTimeout 200, every message
// echoed). Both must pass: the second run proves the expectations are the stock behaviour.
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { attach } from 'engine.io';
import { startServer } from '../lib/server_process.mjs';
import { BufferedWebSocket, engineioUrl, openPolling, request } from './support/engineio_http.mjs';

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
// Lets a request reach the server before the next one, where the server gives no sign of it.
const ORDERING_DELAY_MS = 50;

const targets = {
  'rtcwire-server --echo': async () => {
    const server = await startServer({
      args: ['--echo', '--ping-interval', String(PING_INTERVAL), '--ping-timeout', String(PING_TIMEOUT)],
    });
    return { url: server.url, stop: () => server.stop() };
  },
  'stock engine.io': async () => {
    const httpServer = http.createServer((_, response) => response.writeHead(404).end());
    const engine = attach(httpServer, { pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT });
    engine.on('connection', (socket) => {
      socket.on('message', (data) => socket.send(data));
      // A closed polling transport otherwise keeps a 30 s timer that holds this test process open.
      socket.transport.closeTimeout = PING_TIMEOUT;
    });
    await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${httpServer.address().port}`,
      stop: async () => {
        engine.close();
        httpServer.closeAllConnections();
        await new Promise((resolve) => httpServer.close(resolve));
      },
    };
  },
};

for (const [name, start] of Object.entries(targets)) {
  describe(`Engine.IO v4 conformance: ${name}`, () => {
    let server;
    let polling;  // (extra) => polling URL
    let websocket;  // (extra) => websocket URL
    before(async () => {
      server = await start();
      polling = (extra = '') => engineioUrl(server.url, 'polling', extra);
      websocket = (extra = '') => engineioUrl(server.url.replace(/^http/, 'ws'), 'websocket', extra);
    });
    after(() => server.stop());

    // A poll may also carry the server's ping (every 300 ms): a slow machine must not fail an echo.
    const withoutPings = (payload) => payload.split('\x1e').filter((p) => p !== '2').join('\x1e');

    // The next websocket message that is not a heartbeat ping; pings met on the way are answered,
    // as a client would (an unanswered one closes the session 200 ms later).
    async function nextMessage(socket, what) {
      for (;;) {
        const message = await socket.next(what);
        if (message !== '2') return message;
        socket.send('3');
      }
    }

    const post = (sid, body) => request(polling(`&sid=${sid}`), { method: 'POST', body });
    const poll = (sid, init) => request(polling(`&sid=${sid}`), init);

    function assertOpenInfo(info, upgrades) {
      assert.deepEqual(Object.keys(info).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
      assert.equal(typeof info.sid, 'string');
      assert.deepEqual(info.upgrades, upgrades);
      assert.equal(info.pingInterval, PING_INTERVAL);
      assert.equal(info.pingTimeout, PING_TIMEOUT);
      assert.equal(info.maxPayload, 1000000);
    }

    async function openWebsocket(extra = '') {
      const socket = new BufferedWebSocket(websocket(extra));
      const open = await socket.next('the open packet');
      assert.ok(open.startsWith('0'), open);
      return { socket, info: JSON.parse(open.slice(1)) };
    }

    // Opens a websocket for polling session `sid` and completes the upgrade.
    async function upgraded(sid) {
      const socket = new BufferedWebSocket(websocket(`&sid=${sid}`));
      await socket.waitOpen();
      socket.send('2probe');
      assert.equal(await socket.next('3probe'), '3probe');
      socket.send('5');
      socket.send('4hello');
      // The echo comes back on the websocket only once the session has switched to it.
      assert.equal(await nextMessage(socket, 'the echo after the upgrade'), '4hello');
      return socket;
    }

    describe('handshake over HTTP long-polling', () => {
      test('opens a session: open packet with sid, upgrades, heartbeat and maxPayload', async () => {
        const { open, response } = await openPolling(server.url);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'text/plain; charset=UTF-8');
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assertOpenInfo(open, ['websocket']);
      });

      test('a missing or invalid EIO is refused with 400', async () => {
        assert.equal((await request(`${server.url}/engine.io/?transport=polling`)).status, 400);
        assert.equal((await request(`${server.url}/engine.io/?EIO=abc&transport=polling`)).status, 400);
      });

      test('a missing or unknown transport is refused with 400', async () => {
        assert.equal((await request(`${server.url}/engine.io/?EIO=4`)).status, 400);
        assert.equal((await request(`${server.url}/engine.io/?EIO=4&transport=abc`)).status, 400);
      });

      test('a handshake with POST or PUT is refused with 400', async () => {
        assert.equal((await request(polling(), { method: 'POST' })).status, 400);
        assert.equal((await request(polling(), { method: 'PUT' })).status, 400);
      });
    });

    describe('handshake over websocket', () => {
      test('opens a session: the first message is the open packet, with no upgrades', async () => {
        const { socket, info } = await openWebsocket();
        assertOpenInfo(info, []);
        socket.close();
      });

      test('a missing or invalid EIO closes the websocket', async () => {
        for (const query of ['transport=websocket', 'EIO=abc&transport=websocket']) {
          const url = `${server.url.replace(/^http/, 'ws')}/engine.io/?${query}`;
          await new BufferedWebSocket(url).waitClosed();
        }
      });

      test('a missing or unknown transport closes the websocket', async () => {
        for (const query of ['EIO=4', 'EIO=4&transport=abc']) {
          const url = `${server.url.replace(/^http/, 'ws')}/engine.io/?${query}`;
          await new BufferedWebSocket(url).waitClosed();
        }
      });
    });

    describe('messages over HTTP long-polling', () => {
      for (const [what, payload] of [
        ['one text packet', '4hello'],
        ['several text packets', '4test1\x1e4test2\x1e4test3'],
        ['text and binary packets', '4hello\x1ebAQIDBA=='],
      ]) {
        test(`a payload of ${what} is posted ("ok") and polled back`, async () => {
          const { sid } = await openPolling(server.url);
          const pushed = await post(sid, payload);
          assert.equal(pushed.status, 200);
          assert.equal(pushed.text, 'ok');
          const polled = await poll(sid);
          assert.equal(polled.status, 200);
          assert.equal(withoutPings(polled.text), payload);
        });
      }

      test('an invalid packet format closes the session', async () => {
        const { sid } = await openPolling(server.url);
        const pushed = await post(sid, 'abc');
        // The suite tolerates 400 or a dropped request; both servers answer 200 "ok".
        assert.equal(pushed?.status, 200);
        assert.equal((await poll(sid)).status, 400);
      });

      test('a second poll while one is pending closes the session', async () => {
        const { sid } = await openPolling(server.url);
        const first = poll(sid);
        await delay(ORDERING_DELAY_MS);
        const second = await request(polling(`&sid=${sid}&t=burst`));
        const firstAnswer = await first;
        assert.equal(firstAnswer.status, 200);
        assert.equal(firstAnswer.text, '1');
        assert.equal(second.status, 400);
        assert.equal((await poll(sid)).status, 400);
      });

      test('a cancelled poll closes the session', async () => {
        const { sid } = await openPolling(server.url);
        const controller = new AbortController();
        const cancelled = poll(sid, { signal: controller.signal });
        await delay(ORDERING_DELAY_MS);
        controller.abort();
        assert.equal(await cancelled, null);
        assert.equal((await poll(sid)).status, 400);
      });
    });

    describe('messages over websocket', () => {
      test('a text packet is echoed', async () => {
        const { socket } = await openWebsocket();
        socket.send('4hello');
        assert.equal(await nextMessage(socket), '4hello');
        socket.close();
      });

      test('a binary packet is echoed as binary', async () => {
        const { socket } = await openWebsocket();
        socket.send(Uint8Array.from([1, 2, 3, 4]));
        assert.deepEqual(await nextMessage(socket), Buffer.from([1, 2, 3, 4]));
        socket.close();
      });

      test('an invalid packet format closes the websocket', async () => {
        const { socket } = await openWebsocket();
        socket.send('abc');
        await socket.waitClosed();
      });
    });

    describe('heartbeat over HTTP long-polling', () => {
      test('the server pings, the client pongs, three times', async () => {
        const { sid } = await openPolling(server.url);
        for (let i = 0; i < 3; i++) {
          const pinged = await poll(sid);
          assert.equal(pinged.status, 200);
          assert.equal(pinged.text, '2');
          assert.equal((await post(sid, '3')).status, 200);
        }
      });

      test('a client that stays away past pingInterval + pingTimeout loses its session', async () => {
        const { sid } = await openPolling(server.url);
        // Staying idle is the point of the test.
        await delay(PING_INTERVAL + PING_TIMEOUT + ORDERING_DELAY_MS);
        assert.equal((await poll(sid)).status, 400);
      });
    });

    describe('heartbeat over websocket', () => {
      test('the server pings, the client pongs, three times', async () => {
        const { socket } = await openWebsocket();
        for (let i = 0; i < 3; i++) {
          assert.equal(await socket.next('a ping'), '2');
          socket.send('3');
        }
        socket.close();
      });

      test('a client that never pongs is closed', async () => {
        const socket = new BufferedWebSocket(websocket());
        await socket.waitClosed(PING_INTERVAL + PING_TIMEOUT + 2000);
      });
    });

    describe('close', () => {
      test('a close packet posted while a poll waits: the poll gets a noop, the session is gone', async () => {
        const { sid } = await openPolling(server.url);
        const waiting = poll(sid);
        await delay(ORDERING_DELAY_MS);
        assert.equal((await post(sid, '1')).status, 200);
        const released = await waiting;
        assert.equal(released.status, 200);
        assert.equal(released.text, '6');
        assert.equal((await poll(sid)).status, 400);
      });

      test('a close packet over websocket closes it', async () => {
        const { socket } = await openWebsocket();
        socket.send('1');
        await socket.waitClosed();
      });
    });

    describe('upgrade from HTTP long-polling to websocket', () => {
      test('probe, noop to the poll, upgrade, then messages over the websocket', async () => {
        const { sid } = await openPolling(server.url);
        const socket = new BufferedWebSocket(websocket(`&sid=${sid}`));
        await socket.waitOpen();
        socket.send('2probe');
        assert.equal(await socket.next('3probe'), '3probe');
        const released = await poll(sid);
        assert.equal(released.status, 200);
        assert.equal(withoutPings(released.text), '6');
        socket.send('5');
        socket.send('4hello');
        assert.equal(await nextMessage(socket), '4hello');
        socket.close();
      });

      test('HTTP requests naming the sid are refused after the upgrade', async () => {
        const { sid } = await openPolling(server.url);
        const socket = await upgraded(sid);
        assert.equal((await poll(sid)).status, 400);
        socket.send('4again');
        assert.equal(await nextMessage(socket), '4again');
        socket.close();
      });

      test('a second websocket naming the sid is closed after the upgrade', async () => {
        const { sid } = await openPolling(server.url);
        const socket = await upgraded(sid);
        const intruder = new BufferedWebSocket(websocket(`&sid=${sid}`));
        await intruder.waitClosed();
        socket.send('4again');
        assert.equal(await nextMessage(socket), '4again');
        socket.close();
      });
    });
  });
}
