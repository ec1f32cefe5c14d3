// Server-driven Engine.IO heartbeat: pings every pingInterval, pong due within pingTimeout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, RawEngineioSocket, within } from './support/peers.mjs';

let server;
before(async () => {
  server = await startServer({ args: [...QUICK_SESSION_ARGS, '--ping-interval', '200', '--ping-timeout', '200'] });
});
after(() => server.stop());

test('a client that answers pings stays connected across several intervals', async () => {
  const peer = await EnvelopePeer.welcomed(server.url);
  let pings = 0;
  const fivePings = new Promise((resolve) => {
    peer.socket.on('ping', () => {
      if (++pings === 5) resolve();
    });
  });
  // Five intervals of 200 ms, each one longer than the pong deadline of a silent client.
  await within(fivePings, 'five server pings', 5000);
  assert.equal(peer.socket.readyState, 'open');
  await peer.join('still-here');
  await peer.close();
});

test('a client that never answers pings is closed with "ping timeout"', async () => {
  const raw = await RawEngineioSocket.open(server.url);
  raw.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'silent' }));
  const welcome = await raw.nextEnvelope();
  assert.equal(await raw.frames.next((f) => f === '2', 'a ping packet'), '2');
  await raw.waitClosed('the server to close a silent client', 3000);
  await server.waitForLog(new RegExp(`disconnect .*peer=${welcome.peer}.*reason="ping timeout"`));
});

test('message traffic does not stand in for the pong: a chatty client that never pongs is closed', async () => {
  const raw = await RawEngineioSocket.open(server.url);
  raw.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'chatty' }));
  await raw.nextEnvelope();
  await raw.frames.next((f) => f === '2', 'a ping packet');
  const pingAnsweredLate = setInterval(() => raw.send('4' + JSON.stringify({ v: 1, t: 'leave' })), 50);
  try {
    await raw.waitClosed('the server to close a client that never pongs', 3000);
  } finally {
    clearInterval(pingAnsweredLate);
  }
});
