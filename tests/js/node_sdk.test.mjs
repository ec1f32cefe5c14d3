// The SDK as a Node app would run it: the real Wasm core, a real rtcwire-server on loopback, the
// `ws` package as the platform's WebSocket and Node's own fetch for long-polling.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { connect } from '../../js/index.js';
import { startServer } from '../lib/server_process.mjs';
import { loadRealCore } from './lib/real_core.mjs';

let server;
before(async () => {
  await loadRealCore();
  server = await startServer();
});
after(() => server?.stop());

test('two Node clients, one over ws and one over fetch long-polling, talk through a room', async () => {
  const overWebSocket = await connect(server.url, {
    transports: ['websocket'],
    platform: { WebSocket },
  });
  const overPolling = await connect(server.url, { transports: ['polling'] });
  try {
    assert.deepEqual([overWebSocket.transport, overPolling.transport], ['websocket', 'polling']);
    await overWebSocket.join('node-room');
    const seen = new Promise((resolve) => overWebSocket.once('peer-joined', resolve));
    const { peers } = await overPolling.join('node-room');
    assert.deepEqual(peers, [overWebSocket.peerId]);
    assert.equal(await seen, overPolling.peerId);

    const toPolling = new Promise((resolve) => overPolling.once('message', resolve));
    overWebSocket.publish({ hello: 'from ws' });
    assert.deepEqual(await toPolling, {
      from: overWebSocket.peerId,
      kind: 'room',
      data: { hello: 'from ws' },
    });
    const toWebSocket = new Promise((resolve) => overWebSocket.once('message', resolve));
    overPolling.send(overWebSocket.peerId, 'from polling');
    assert.deepEqual(await toWebSocket, {
      from: overPolling.peerId,
      kind: 'direct',
      data: 'from polling',
    });
  } finally {
    overWebSocket.close();
    overPolling.close();
  }
});
