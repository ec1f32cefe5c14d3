// Built-in TLS: https and wss on the same port as plain HTTP, every transport over TLS with the
// stock engine.io-client, and a certificate reload on SIGHUP that keeps the sessions.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { makeTestCertificates } from '../lib/test_certificates.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';

let certs;
let first;
let second;
let server;
let live;  // the certificate files the server reads, replaced before a reload

before(async () => {
  certs = await makeTestCertificates();
  first = await certs.issue('first');
  second = await certs.issue('second');
  live = { cert: path.join(certs.dir, 'live.pem'), key: path.join(certs.dir, 'live.key') };
  await copyFile(first.cert, live.cert);
  await copyFile(first.key, live.key);
  server = await startServer({ args: [...QUICK_SESSION_ARGS, '--tls-cert', live.cert, '--tls-key', live.key] });
});
after(async () => {
  await server?.stop();
  await certs?.remove();
});

// The fingerprint of the certificate a new TLS connection is served.
function servedFingerprint() {
  return within(
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: certs.ca }, () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        socket.destroy();
        resolve(fingerprint);
      });
      socket.on('error', reject);
    }),
    'a TLS handshake',
  );
}

async function fingerprintOf(file) {
  return new X509Certificate(await readFile(file)).fingerprint256;
}

test('the server announces https and still answers plain HTTP on the same port', async () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const plain = await within(
    new Promise((resolve, reject) => {
      http.get(`http://127.0.0.1:${server.port}/healthz`, resolve).on('error', reject);
    }),
    'a plain /healthz',
  );
  assert.equal(plain.statusCode, 200);
  plain.resume();
});

test('the stock engine.io-client works over wss and https polling', async () => {
  const overWss = await EnvelopePeer.welcomed(server.url, { transports: ['websocket'], ca: certs.ca });
  const overPolling = await EnvelopePeer.welcomed(server.url, { transports: ['polling'], ca: certs.ca });
  await overWss.join('tls-room');
  await overPolling.join('tls-room');
  overWss.send({ v: 1, t: 'publish', data: 'over wss' });
  assert.equal((await overPolling.expect('publish')).data, 'over wss');
  await Promise.all([overWss.close(), overPolling.close()]);
});

test('SSE streams over https', async () => {
  const response = await within(
    new Promise((resolve, reject) => {
      https
        .get(`${server.url}/engine.io/?EIO=4&transport=sse`, { ca: certs.ca }, resolve)
        .on('error', reject);
    }),
    'the SSE response',
  );
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/event-stream');
  const firstEvent = await within(
    new Promise((resolve) => response.once('data', (chunk) => resolve(chunk.toString()))),
    'the first event',
  );
  assert.match(firstEvent, /^data: "0\{.*sid/);
  response.destroy();
});

test('a client that does not trust the certificate gets no session, and TLS 1.1 is refused', async () => {
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port }, resolve);
      socket.on('error', reject);
    }),
    (error) => /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/.test(error.code),
  );
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: server.port, ca: certs.ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1',
          ciphers: 'DEFAULT@SECLEVEL=0' },
        () => {
          socket.destroy();
          resolve();
        },
      );
      socket.on('error', reject);
    }),
  );
});

test('SIGHUP reloads the certificate for new connections and keeps every session', async () => {
  assert.equal(await servedFingerprint(), await fingerprintOf(first.cert));
  const before = await EnvelopePeer.welcomed(server.url, { transports: ['websocket'], ca: certs.ca });
  await before.join('reload-room');

  await copyFile(second.cert, live.cert);
  await copyFile(second.key, live.key);
  process.kill(server.pid, 'SIGHUP');
  await server.waitForLog(/SIGHUP: TLS certificate reloaded/);
  assert.equal(await servedFingerprint(), await fingerprintOf(second.cert));

  // The session made before the reload carries on with one made after it.
  const afterReload = await EnvelopePeer.welcomed(server.url, { transports: ['websocket'], ca: certs.ca });
  await afterReload.join('reload-room');
  assert.equal((await before.expect('peer-joined')).peer, afterReload.id);
  afterReload.send({ v: 1, t: 'publish', data: 'after the reload' });
  assert.equal((await before.expect('publish')).data, 'after the reload');

  // A broken file is not loaded: the last good certificate stays in use.
  await writeFile(live.cert, 'not a certificate');
  process.kill(server.pid, 'SIGHUP');
  await server.waitForLog(/SIGHUP: TLS reload failed/);
  assert.equal(await servedFingerprint(), await fingerprintOf(second.cert));
  await Promise.all([before.close(), afterReload.close()]);
});

test('a missing certificate stops the server at start', async () => {
  await assert.rejects(
    startServer({ args: ['--tls-cert', path.join(certs.dir, 'absent.pem'), '--tls-key', live.key] }),
    /cannot load the certificate/,
  );
  await assert.rejects(startServer({ args: ['--tls-cert', live.cert] }), /go together/);
});
