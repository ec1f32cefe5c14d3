// The fault-injecting proxy the resilience tests rely on: it must forward faithfully, and its
// faults must be the ones it claims (reset = RST on both sides, stall = silence without FIN).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startFaultProxy } from '../lib/fault_proxy.mjs';
import { within } from './support/peers.mjs';

let echo;
let proxy;
const upstreamEvents = [];

before(async () => {
  // An echo server that also records what happened to its side of each connection.
  echo = net.createServer({ allowHalfOpen: true }, (socket) => {
    const record = { data: '', ended: false, error: null };
    record.whenFailed = new Promise((resolve) => socket.on('error', resolve));
    upstreamEvents.push(record);
    socket.on('data', (chunk) => {
      record.data += chunk;
      socket.write(chunk);
    });
    socket.on('end', () => {
      record.ended = true;
      socket.end();
    });
    socket.on('error', (error) => {
      record.error = error.code;
    });
  });
  await new Promise((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await startFaultProxy({ targetPort: echo.address().port });
});

after(async () => {
  await proxy?.close();
  await new Promise((resolve) => echo?.close(resolve));
});

function open() {
  const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
  socket.setEncoding('utf8');
  socket.received = '';
  socket.on('data', (chunk) => {
    socket.received += chunk;
  });
  socket.whenClosed = new Promise((resolve) => socket.on('close', resolve));
  socket.whenFailed = new Promise((resolve) => socket.on('error', (error) => resolve(error.code)));
  return within(
    new Promise((resolve) => socket.once('connect', () => resolve(socket))),
    'a connection through the proxy',
  );
}

function echoed(socket, text) {
  return within(
    new Promise((resolve) => {
      const check = () => {
        if (socket.received.includes(text)) {
          socket.off('data', check);
          resolve();
        }
      };
      socket.on('data', check);
      check();
    }),
    `the echo of ${text}`,
  );
}

test('forwards both ways and passes a FIN on', async () => {
  const socket = await open();
  socket.write('hello');
  await echoed(socket, 'hello');
  socket.end();
  await within(socket.whenClosed, 'the close');
  assert.equal(upstreamEvents.at(-1).data, 'hello');
  assert.equal(upstreamEvents.at(-1).ended, true);
});

test('resetAll resets both sides', async () => {
  const socket = await open();
  socket.write('ping');
  await echoed(socket, 'ping');
  const record = upstreamEvents.at(-1);
  const resetsBefore = proxy.resets;
  proxy.resetAll();
  assert.equal(await within(socket.whenFailed, 'the client-side reset'), 'ECONNRESET');
  await within(record.whenFailed, 'the server-side reset');
  assert.equal(record.error, 'ECONNRESET');
  assert.equal(proxy.resets, resetsBefore + 1);
  // New connections still pass.
  const fresh = await open();
  fresh.write('again');
  await echoed(fresh, 'again');
  fresh.destroy();
});

test('stallAll silences open connections without closing them; new ones still pass', async () => {
  const stalled = await open();
  stalled.write('before');
  await echoed(stalled, 'before');
  const record = upstreamEvents.at(-1);
  proxy.stallAll();
  stalled.write('lost');
  stalled.end();
  // A fresh connection makes a full round trip after the stalled bytes were written.
  const fresh = await open();
  fresh.write('witness');
  await echoed(fresh, 'witness');
  assert.equal(record.data, 'before');
  assert.equal(record.ended, false);
  assert.equal(record.error, null);
  assert.equal(stalled.received, 'before');
  fresh.destroy();
  stalled.destroy();
});

test('a delay holds chunks back but keeps their order', async () => {
  proxy.setDelay(30);
  try {
    const socket = await open();
    const sentAt = Date.now();
    const parts = Array.from({ length: 20 }, (_, i) => `<${i}>`);
    for (const part of parts) socket.write(part);
    await echoed(socket, parts.at(-1));
    assert.equal(socket.received, parts.join(''));
    // Both directions are delayed: the round trip took at least two delays.
    assert.ok(Date.now() - sentAt >= 60);
    socket.destroy();
  } finally {
    proxy.setDelay(0);
  }
});

test('resetRandomly resets at the given intervals until stopped', async () => {
  const socket = await open();
  const stop = proxy.resetRandomly({ minMs: 10, maxMs: 20 });
  try {
    assert.equal(await within(socket.whenFailed, 'a random reset'), 'ECONNRESET');
  } finally {
    stop();
  }
});
