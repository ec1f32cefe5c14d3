// A real coturn (Debian's `turnserver`) for a test, on 127.0.0.1 only, stopped by its PID.
//
//   const turn = await startCoturn({ secret, tls: certs.issue('turn') });
//   turn.uris.udp / .tcp / .tls, turn.credentials('alice', 600) -> {username, credential}
//   await turn.stop();  await turn.restart();  // same ports, same secret
//
// Nothing here touches a system coturn: its own config file (empty: /etc/turnserver.conf is never
// read), pid file and user database in a temporary directory, and ports no service uses (a free
// listener port, never 3478; a relay range below Linux's ephemeral range).
// `--allow-loopback-peers` is for tests only: the pages relay to 127.0.0.1. Production configs deny
// loopback and private peers (docs/turnserver.conf.example).
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const turnserverBinary = process.env.RTCWIRE_TURNSERVER_BIN ?? '/usr/bin/turnserver';

const HOST = '127.0.0.1';
const RELAY_PORTS = 64;

/**
 * TURN REST API credentials (what coturn's use-auth-secret checks): username
 * `<unix expiry seconds>:<user>`, credential base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(secret, user, ttlSeconds, nowMs = Date.now()) {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * @param {{secret?: string, tls?: {cert: string, key: string}, realm?: string, startTimeoutMs?: number}} [options]
 *   tls: a certificate and key (files) for the TLS listener; without it there is none.
 * Allocation lifetimes stay coturn's: it grants Chromium 600 s whatever --max-allocate-lifetime
 * says, so stale credentials show only when a new allocation is needed (restart()).
 */
export async function startCoturn({
  secret = randomBytes(24).toString('hex'),
  tls,
  realm = 'rtcwire.test',
  startTimeoutMs = 10000,
} = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-coturn-'));
  const config = path.join(dir, 'turnserver.conf');
  await writeFile(config, '# empty: every option is on the command line\n');
  const port = await freeUdpAndTcpPort();
  const tlsPort = tls ? await freeUdpAndTcpPort() : null;
  const minPort = 20000 + Math.floor(Math.random() * 190) * RELAY_PORTS;

  const args = [
    '-c', config,
    '-n',
    '-v',
    '--listening-ip', HOST,
    '--relay-ip', HOST,
    '--listening-port', String(port),
    '--min-port', String(minPort),
    '--max-port', String(minPort + RELAY_PORTS - 1),
    '--use-auth-secret',
    '--static-auth-secret', secret,
    '--realm', realm,
    '--fingerprint',
    '--allow-loopback-peers',
    '--no-cli',
    '--no-dtls',
    '--no-multicast-peers',
    '--pidfile', path.join(dir, 'turnserver.pid'),
    '--db', path.join(dir, 'turndb'),
    '--log-file', 'stdout',
    '--simple-log',
    ...(tls
      ? ['--tls-listening-port', String(tlsPort), '--cert', tls.cert, '--pkey', tls.key, '--no-tlsv1', '--no-tlsv1_1']
      : ['--no-tls']),
  ];

  // The lines coturn prints once each listener is open (-v) and every relay thread runs.
  const readyLines = [
    `UDP listener opened on: ${HOST}:${port}`,
    `listener opened on : ${HOST}:${port}`,
    ...(tls ? [`TLS/TCP listener opened on : ${HOST}:${tlsPort}`] : []),
    'Total General servers',
  ];

  let running = null;
  let log = '';

  async function start() {
    log = '';
    const child = spawn(turnserverBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    running = { child, exited };
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`coturn not ready within ${startTimeoutMs} ms; log:\n${log.slice(-4000)}`)),
        startTimeoutMs,
      );
      const onOutput = (chunk) => {
        log += chunk;
        if (readyLines.every((line) => log.includes(line))) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code, signal) =>
        fail(new Error(`coturn exited (code ${code}, signal ${signal}) before it was ready; log:\n${log.slice(-4000)}`));
      function cleanup() {
        clearTimeout(timer);
        child.off('exit', onExit);
      }
      function fail(error) {
        cleanup();
        child.kill('SIGKILL');
        reject(error);
      }
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      child.once('exit', onExit);
    });
    // The listeners are open; a STUN Binding answered over UDP proves coturn serves requests.
    await stunBindingOverUdp(port);
  }

  async function stop() {
    if (!running) return;
    const { child, exited } = running;
    running = null;
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  }

  await start();
  return {
    secret,
    realm,
    port,
    tlsPort,
    uris: {
      udp: `turn:${HOST}:${port}?transport=udp`,
      tcp: `turn:${HOST}:${port}?transport=tcp`,
      tls: tls ? `turns:${HOST}:${tlsPort}?transport=tcp` : null,
    },
    get pid() {
      return running?.child.pid ?? null;
    },
    log: () => log,
    credentials: (user, ttlSeconds) => turnCredentials(secret, user, ttlSeconds),
    stop,
    /** Starts coturn again on the same ports (after stop(), or a kill by the test). */
    async restart() {
      await stop();
      await start();
    },
    /** Stops coturn and removes its directory. */
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// A port free for both UDP and TCP on 127.0.0.1 (coturn listens on both with one number).
async function freeUdpAndTcpPort() {
  for (;;) {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(0, HOST, resolve));
    const { port } = server.address();
    const socket = dgram.createSocket('udp4');
    const udpFree = await new Promise((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, HOST, () => resolve(true));
    });
    socket.close();
    await new Promise((resolve) => server.close(resolve));
    if (udpFree) return port;
  }
}

// One STUN Binding request (RFC 5389) to coturn's UDP listener; resolves on its success response.
function stunBindingOverUdp(port, timeoutMs = 5000) {
  const MAGIC_COOKIE = 0x2112a442;
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
  request.writeUInt32BE(MAGIC_COOKIE, 4);
  const transaction = randomBytes(12);
  transaction.copy(request, 8);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => done(new Error(`coturn answered no STUN Binding on ${HOST}:${port}`)), timeoutMs);
    function done(error) {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve();
    }
    socket.on('message', (message) => {
      if (message.length >= 20 && message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(transaction)) {
        done();
      }
    });
    socket.on('error', done);
    socket.send(request, port, HOST);
  });
}
