// Prometheus /metrics: on --metrics-port, or behind --metrics-token on the main port; the named
// series are present and move when the matching thing happens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { claims, hs256, HS256_SECRET, unsigned } from '../lib/tokens.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import http from 'node:http';
import { EnvelopePeer, RawEngineioSocket, within } from './support/peers.mjs';

// The status of a GET sent with exactly these headers (fetch would not send Host as given).
function getStatus(url, requestPath, headers) {
  const { hostname, port } = new URL(url);
  return within(
    new Promise((resolve, reject) => {
      http
        .get({ hostname, port, path: requestPath, headers, agent: false }, (response) => {
          response.resume();
          resolve(response.statusCode);
        })
        .on('error', reject);
    }),
    `GET ${requestPath}`,
  );
}

const SERIES = [
  'rtcwire_sessions',
  'rtcwire_connections{transport="websocket"}',
  'rtcwire_connections{transport="sse"}',
  'rtcwire_connections{transport="polling"}',
  'rtcwire_messages_received_total',
  'rtcwire_messages_sent_total',
  'rtcwire_received_bytes_total',
  'rtcwire_sent_bytes_total',
  'rtcwire_refused_requests_total{reason="origin"}',
  'rtcwire_refused_requests_total{reason="host"}',
  'rtcwire_tls_handshake_failures_total',
  'rtcwire_buffered_bytes',
  'rtcwire_websocket_reads_paused',
  'rtcwire_event_loop_lag_seconds',
  'rtcwire_event_loop_lag_max_seconds',
];

// Every sample of an exposition as name{labels} -> value.
function parse(text) {
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

async function scrape(url, headers = {}) {
  const response = await within(fetch(url, { headers }), `a scrape of ${url}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parse(await response.text());
}

describe('--metrics-port', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--metrics-port', '0', '--jwt-secret', HS256_SECRET],
    });
  });
  after(() => server.stop());

  test('every named series is exposed', async () => {
    assert.match(server.metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const samples = await scrape(server.metricsUrl);
    for (const name of SERIES) assert.ok(samples.has(name), `${name} is missing`);
  });

  test('sessions, connections, messages and bytes move with traffic', async () => {
    const before = await scrape(server.metricsUrl);
    const peer = await EnvelopePeer.connect(server.url, { transports: ['polling'] });
    peer.send({ v: 1, t: 'hello', sdk: 'metrics/1', auth: hs256(claims()) });
    await peer.expect('welcome');
    await peer.join('metrics-room');
    const during = await scrape(server.metricsUrl);
    assert.equal(during.get('rtcwire_sessions'), before.get('rtcwire_sessions') + 1);
    assert.equal(
      during.get('rtcwire_connections{transport="polling"}'),
      before.get('rtcwire_connections{transport="polling"}') + 1,
    );
    assert.ok(during.get('rtcwire_messages_received_total') >= before.get('rtcwire_messages_received_total') + 2);
    assert.ok(during.get('rtcwire_messages_sent_total') >= before.get('rtcwire_messages_sent_total') + 2);
    assert.ok(during.get('rtcwire_received_bytes_total') > before.get('rtcwire_received_bytes_total'));
    assert.ok(during.get('rtcwire_sent_bytes_total') > before.get('rtcwire_sent_bytes_total'));
    await peer.close();
  });

  test('refused origins, hosts and tokens are counted', async () => {
    const before = await scrape(server.metricsUrl);
    await fetch(`${server.url}/engine.io/?EIO=4&transport=polling`, { headers: { Origin: 'http://evil.example' } });
    const rebinding = await getStatus(server.url, '/healthz', { Host: 'rebind.example' });
    assert.equal(rebinding, 403);
    const peer = await EnvelopePeer.connect(server.url);
    peer.send({ v: 1, t: 'hello', sdk: 'metrics/1', auth: unsigned(claims()) });
    await peer.expect('error');
    const after = await scrape(server.metricsUrl);
    assert.equal(
      after.get('rtcwire_refused_requests_total{reason="origin"}'),
      before.get('rtcwire_refused_requests_total{reason="origin"}') + 1,
    );
    assert.equal(
      after.get('rtcwire_refused_requests_total{reason="host"}'),
      before.get('rtcwire_refused_requests_total{reason="host"}') + 1,
    );
    assert.equal(
      after.get('rtcwire_refused_tokens_total{code="unauthorized"}'),
      (before.get('rtcwire_refused_tokens_total{code="unauthorized"}') ?? 0) + 1,
    );
  });

  test('resumes are counted by outcome and evictions by reason', async () => {
    const before = await scrape(server.metricsUrl);
    const socket = await RawEngineioSocket.open(server.url);
    socket.send(`4${JSON.stringify({ v: 1, t: 'hello', sdk: 'm', auth: hs256(claims()), resume: { session: 'gone', token: 'gone', ack: 0 } })}`);
    const welcome = await socket.nextEnvelope();
    assert.equal(welcome.resumeError, 'session_expired');
    const expiring = await EnvelopePeer.connect(server.url);
    expiring.send({ v: 1, t: 'hello', sdk: 'm', auth: hs256(claims({}, 1)) });
    await expiring.expect('welcome');
    await expiring.expectError('token_expired', 3000);
    const after = await scrape(server.metricsUrl);
    assert.equal(
      after.get('rtcwire_resumes_total{outcome="session_expired"}'),
      (before.get('rtcwire_resumes_total{outcome="session_expired"}') ?? 0) + 1,
    );
    assert.equal(
      after.get('rtcwire_evictions_total{reason="token_expired"}'),
      (before.get('rtcwire_evictions_total{reason="token_expired"}') ?? 0) + 1,
    );
    socket.terminate();
  });

  test('the metrics port serves nothing but /metrics, and the main port has no /metrics', async () => {
    const port = new URL(server.metricsUrl).port;
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 404);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
  });
});

describe('--metrics-token', () => {
  let server;
  const token = 'scrape-token-0123456789abcdef';
  before(async () => {
    server = await startServer({ args: [...QUICK_SESSION_ARGS, '--metrics-token', token] });
  });
  after(() => server.stop());

  test('/metrics needs the bearer token', async () => {
    const missing = await fetch(`${server.url}/metrics`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${token.slice(0, -1)}x` } });
    assert.equal(wrong.status, 401);
    const samples = await scrape(`${server.url}/metrics`, { Authorization: `Bearer ${token}` });
    for (const name of SERIES) assert.ok(samples.has(name), `${name} is missing`);
  });
});
