// Process behaviour: flags, signals, and back-pressure from a client that stops reading.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { serverBinary, startServer } from '../lib/server_process.mjs';
import { EnvelopePeer, RawEngineioSocket, within } from './support/peers.mjs';
import { QUICK_SESSION_ARGS, UNLIMITED_RATE_ARGS } from './support/session_args.mjs';

function run(args) {
  return within(
    new Promise((resolve, reject) => {
      const child = spawn(serverBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    }),
    `rtcwire-server ${args.join(' ')} to exit`,
  );
}

test('--help prints the usage and exits 0', async () => {
  const { code, stdout } = await run(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /--max-message-bytes/);
  assert.match(stdout, /--ping-interval/);
  assert.match(stdout, /--resume-window/);
  assert.match(stdout, /--drain-timeout/);
});

for (const args of [
  ['--port', 'eighty'],
  ['--port', '70000'],
  ['--ping-interval', '0'],
  ['--max-payload', '-5'],
  ['--static', '/definitely/not/a/dir'],
  ['--host', 'not an address'],
  ['--frobnicate'],
  ['--port'],
]) {
  test(`${args.join(' ')} is refused with a message on stderr and exit code 2`, async () => {
    const { code, stdout, stderr } = await run(args);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^rtcwire-server: .+\n$/);
  });
}

// The drain in detail (goaway ordering, refused connections, the drain timeout): resume.test.mjs.
for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} sends goaway to the open sessions and exits 0 once they close`, async () => {
    const server = await startServer();
    const peer = await EnvelopePeer.welcomed(server.url);
    await peer.join('closing-time');
    const stopped = server.stop(signal);
    assert.deepEqual(await peer.expect('goaway'), { v: 1, t: 'goaway', reconnectInMs: 10000, ack: 0 });
    await peer.close();
    const { code } = await stopped;
    assert.equal(code, 0);
    assert.match(server.stderr(), new RegExp(`${signal}: draining 1 session\\(s\\)`));
    assert.match(server.stderr(), new RegExp(`disconnect .*peer=${peer.id}.*client close`));
  });
}

test('a client that stops reading (yet acks) is disconnected; the publisher is not blocked', async () => {
  const server = await startServer({
    // A resume buffer larger than a batch of publishes, so the blind acks below keep it from
    // overflowing.
    args: [...QUICK_SESSION_ARGS, '--max-message-bytes', '500000', '--max-payload', '1000000',
      '--resume-buffer', '20000000', ...UNLIMITED_RATE_ARGS],
  });
  try {
    const reader = await RawEngineioSocket.open(server.url);
    reader.send('4' + JSON.stringify({ v: 1, t: 'hello', sdk: 'stalled' }));
    const { peer: stalled } = await reader.nextEnvelope();
    reader.send('4' + JSON.stringify({ v: 1, t: 'join', room: 'firehose' }));
    await reader.nextEnvelope();
    reader.ws.pause();  // stops reading the socket: the server's sends pile up

    const publisher = await EnvelopePeer.welcomed(server.url);
    await publisher.join('firehose');
    const big = { v: 1, t: 'publish', data: 'z'.repeat(400000) };
    // Loopback socket buffers swallow several MB before the server's queue starts to grow.
    for (let sent = 0; !/client not reading/.test(server.stderr()); ) {
      assert.ok(sent < 400, 'the stalled client was never disconnected');
      for (let i = 0; i < 10; i++, sent++) publisher.send(big);
      publisher.send({ v: 1, t: 'direct', to: 'nobody', data: sent });
      await publisher.expectError('peer_not_found', 10000);
      // Acked blindly (joined and peer-joined were seq 1 and 2), so the resume buffer never
      // overflows: the send queue cap is what ends the session.
      reader.send('4' + JSON.stringify({ v: 1, t: 'ack', ack: 2 + sent }));
    }
    await server.waitForLog(new RegExp(`disconnect .*peer=${stalled}.*client not reading`));
    await publisher.expect('peer-left', (e) => e.peer === stalled);
    publisher.send({ v: 1, t: 'leave' });
    await publisher.expect('left');
    reader.terminate();
    await publisher.close();
  } finally {
    await server.stop();
  }
});
