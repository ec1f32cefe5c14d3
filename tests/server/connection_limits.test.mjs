// Connection limits under a flood, with a control pair of well-behaved clients in a room of their
// own throughout: idle keep-alive connections from one address (127.0.0.2) past
// --max-connections-per-ip are closed at once and the rest after --http-idle-timeout; a flood
// past --max-connections is refused; and out of file descriptors (EMFILE, the limit lowered with
// prlimit) the server sheds waiting connections instead of spinning on accept. The refusals are
// logged, rate-limited. A static file being sent holds a second descriptor, counted like a
// connection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';
import { getFrom, openConnection } from './support/raw_tcp.mjs';

const ATTACKER = '127.0.0.2';

/** Two welcomed peers in `room`, and a check that `count` directs between them all arrive in order. */
async function controlPair(url, room) {
  const alice = await EnvelopePeer.welcomed(url);
  const bob = await EnvelopePeer.welcomed(url);
  await alice.join(room);
  await bob.join(room);
  await alice.expect('peer-joined', (e) => e.peer === bob.id);
  let sent = 0;
  return {
    async exchange(count) {
      for (let i = 0; i < count; i += 1) {
        alice.send({ v: 1, t: 'direct', to: bob.id, data: { n: sent + i } });
      }
      for (let i = 0; i < count; i += 1) {
        const direct = await bob.expect('direct');
        assert.deepEqual(direct.data, { n: sent + i }, 'the control pair lost or reordered a message');
      }
      sent += count;
    },
    async close() {
      await alice.close();
      await bob.close();
    },
  };
}

/** Opens `count` connections from `localAddress` at once; those refused may close at any time. */
async function flood(url, count, localAddress) {
  const settled = await Promise.allSettled(
    Array.from({ length: count }, () => openConnection(url, { localAddress })),
  );
  return settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
}

function countLines(stderr, re) {
  return stderr.split('\n').filter((line) => re.test(line)).length;
}

describe('an idle keep-alive flood from one address', () => {
  test('is cut to --max-connections-per-ip at once and to nothing after the idle timeout; others are unharmed', async () => {
    const server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--max-connections-per-ip', '50', '--http-idle-timeout', '1500'],
    });
    try {
      const pair = await controlPair(server.url, 'control');
      const connections = await flood(server.url, 600, ATTACKER);
      // Half of them send one keep-alive request and then idle; the rest never send a byte.
      for (const [i, c] of connections.entries()) {
        if (i % 2 === 0) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      }
      await pair.exchange(50);
      const health = await getFrom(server.url, '/healthz');
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).status, 'ok');

      // Past the limit: refused and logged, rate-limited, with the count of what was left out.
      await server.waitForLog(/connection refused remote=127\.0\.0\.2 code=too_many_connections_per_ip/);
      const reported = await server.waitForStderr(
        (stderr) => /log lines suppressed kind=refused\.too_many_connections_per_ip count=\d+/.test(stderr),
        'the suppressed refusals',
      );
      assert.ok(countLines(reported, /connection refused/) <= 40, 'refusals are rate-limited in the log');

      // Every attacker connection ends: refused at once, or idle past the timeout.
      await within(Promise.all(connections.map((c) => c.closed)), 'every flood connection to close', 10000);
      await pair.exchange(50);
      // The address may connect again.
      assert.equal((await getFrom(server.url, '/healthz', { localAddress: ATTACKER })).status, 200);
      await pair.close();
    } finally {
      await server.stop();
    }
  });

  test('a slow request header is cut off by the idle timeout too', async () => {
    const server = await startServer({ args: [...QUICK_SESSION_ARGS, '--http-idle-timeout', '300'] });
    try {
      const slow = await openConnection(server.url, { localAddress: ATTACKER });
      slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => slow.socket.write('X-Drip: 1\r\n'), 50);
      await within(slow.closed, 'the server to close a header dripping in', 5000);
      clearInterval(drip);
      assert.equal(slow.received(), '');
    } finally {
      await server.stop();
    }
  });
});

describe('--max-connections', () => {
  test('a flood from many addresses is refused past the total; the control pair keeps working', async () => {
    const server = await startServer({ args: [...QUICK_SESSION_ARGS, '--max-connections', '40'] });
    try {
      const pair = await controlPair(server.url, 'control');
      const sources = ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
      const connections = (await Promise.all(sources.map((s) => flood(server.url, 30, s)))).flat();
      await server.waitForLog(/connection refused remote=127\.0\.0\.\d code=too_many_connections/);
      await pair.exchange(50);
      for (const c of connections) c.socket.destroy();
      await within(Promise.all(connections.map((c) => c.closed)), 'the flood to end');
      // The places are given back: new clients get in.
      const health = await within(
        (async () => {
          for (;;) {
            const answer = await getFrom(server.url, '/healthz').catch(() => null);
            if (answer) return answer;
          }
        })(),
        '/healthz after the flood',
      );
      assert.equal(health.status, 200);
      await pair.exchange(10);
      await pair.close();
    } finally {
      await server.stop();
    }
  });
});

describe('out of file descriptors', () => {
  test('waiting connections are shed, accept does not spin, and service resumes when descriptors free up', async () => {
    const server = await startServer({ args: QUICK_SESSION_ARGS });
    try {
      const pair = await controlPair(server.url, 'control');
      // The control pair and the server's own files fit; a flood does not.
      execFileSync('prlimit', ['--pid', String(server.pid), '--nofile=40:40']);
      const connections = await flood(server.url, 120, ATTACKER);
      await server.waitForLog(/connection shed reason="Too many open files"/);
      // Shed connections are closed by the server rather than left waiting in the backlog.
      await within(Promise.race(connections.map((c) => c.closed)), 'a shed connection to close');
      await pair.exchange(20);
      assert.ok(countLines(server.stderr(), /accept failed/) <= 1, `accept does not fail in a loop:\n${server.stderr()}`);
      for (const c of connections) c.socket.destroy();
      await within(Promise.all(connections.map((c) => c.closed)), 'the flood to end');
      assert.equal((await getFrom(server.url, '/healthz')).status, 200);
      await pair.exchange(20);
      await pair.close();
    } finally {
      await server.stop();
    }
  });
});

describe('out of file descriptors on the metrics port', () => {
  test('a scrape that could not be accepted is served once descriptors free up', async () => {
    const server = await startServer({ args: [...QUICK_SESSION_ARGS, '--metrics-port', '0'] });
    try {
      execFileSync('prlimit', ['--pid', String(server.pid), '--nofile=40:40']);
      const connections = await flood(server.url, 120, ATTACKER);
      await server.waitForLog(/connection shed/);
      const scrape = fetch(server.metricsUrl).then((response) => response.status);
      await server.waitForLog(/metrics accept failed reason="Too many open files"/);
      for (const c of connections) c.socket.destroy();
      assert.equal(await within(scrape, 'the scrape to be served'), 200);
      assert.equal((await within(fetch(server.metricsUrl), 'a second scrape')).status, 200);
    } finally {
      await server.stop();
    }
  });
});

describe('static files', () => {
  test('an open file counts toward the connection limits and is given back once its reader goes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-static-slots-'));
    // Far more than the socket buffers hold, so a reader that stops keeps the file open.
    await writeFile(path.join(dir, 'big.bin'), Buffer.alloc(64 * 1024 * 1024));
    await writeFile(path.join(dir, 'small.txt'), 'small');
    const server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--static', dir, '--max-connections-per-ip', '3'],
    });
    try {
      const reader = await openConnection(server.url, { localAddress: ATTACKER });
      reader.socket.write('GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await within(new Promise((resolve) => reader.socket.once('data', resolve)), 'the file to start');
      reader.socket.pause();
      // The reader's connection and its file take two of the address's three places; a second
      // connection takes the third, so the file it asks for would be one descriptor too many.
      const second = await getFrom(server.url, '/small.txt', { localAddress: ATTACKER });
      assert.equal(second.status, 503);
      // Other addresses are not affected.
      assert.equal((await getFrom(server.url, '/small.txt')).body, 'small');

      reader.socket.destroy();
      await reader.closed;
      const served = await within(
        (async () => {
          for (;;) {
            // Refused (closed) or 503 until the server has seen the reader go.
            const answer = await getFrom(server.url, '/small.txt', { localAddress: ATTACKER }).catch(() => null);
            if (answer?.status === 200) return answer;
          }
        })(),
        'the file places to be given back',
      );
      assert.equal(served.body, 'small');
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
