// Origin and Host allow-lists: bad origins get 403 on all three transports, allowed ones work,
// CORS headers only for allowed origins, Host names outside the list are refused (DNS rebinding).
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';

// One request with exactly these headers; resolves with status, headers and body.
function request(url, { path: requestPath, method = 'GET', headers = {}, upgrade = false }) {
  const { hostname, port } = new URL(url);
  const allHeaders = upgrade
    ? {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      }
    : headers;
  return within(
    new Promise((resolve, reject) => {
      const outgoing = http.request({ hostname, port, path: requestPath, method, headers: allHeaders, agent: false });
      outgoing.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve({ status: response.statusCode, headers: response.headers, body: '' });
      });
      outgoing.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
        // An SSE stream does not end: its header is the answer.
        if (response.headers['content-type'] === 'text/event-stream') {
          outgoing.destroy();
          resolve({ status: response.statusCode, headers: response.headers, body });
        }
      });
      outgoing.on('error', reject);
      outgoing.end();
    }),
    `the answer to ${method} ${requestPath}`,
  );
}

const TRANSPORTS = {
  websocket: (url, headers) => request(url, { path: '/engine.io/?EIO=4&transport=websocket', headers, upgrade: true }),
  polling: (url, headers) => request(url, { path: '/engine.io/?EIO=4&transport=polling', headers }),
  sse: (url, headers) => request(url, { path: '/engine.io/?EIO=4&transport=sse', headers }),
};

function badOrigins(port) {
  return {
    'other host': `http://evil.example:${port}`,
    'other port': `http://127.0.0.1:${port + 1}`,
    'other scheme': `https://127.0.0.1:${port}`,
    null: 'null',
    'look-alike suffix': `http://127.0.0.1.evil.example:${port}`,
    'pattern that must not match': `http://app.example.com.evil.example:${port}`,
  };
}

describe('default: same origin only', () => {
  let server;
  before(async () => {
    server = await startServer({ args: QUICK_SESSION_ARGS });
  });
  after(() => server.stop());

  for (const [transport, send] of Object.entries(TRANSPORTS)) {
    test(`${transport}: six bad origins get 403 and no CORS header`, async () => {
      for (const [why, origin] of Object.entries(badOrigins(server.port))) {
        const answer = await send(server.url, { Origin: origin });
        assert.equal(answer.status, 403, `${why}: ${origin}`);
        assert.equal(answer.headers['access-control-allow-origin'], undefined, why);
      }
    });

    test(`${transport}: the server's own origin and requests without Origin are served`, async () => {
      const own = await send(server.url, { Origin: `http://127.0.0.1:${server.port}` });
      assert.equal(own.status, transport === 'websocket' ? 101 : 200);
      const none = await send(server.url, {});
      assert.equal(none.status, transport === 'websocket' ? 101 : 200);
      assert.equal(none.headers['access-control-allow-origin'], undefined);
    });
  }

  test('each refused origin is logged once', async () => {
    const origin = 'http://logged-once.example';
    await TRANSPORTS.polling(server.url, { Origin: origin });
    await TRANSPORTS.polling(server.url, { Origin: origin });
    await server.waitForLog(/refused origin="http:\/\/logged-once\.example"/);
    const lines = server.stderr().split('\n').filter((line) => line.includes('logged-once.example'));
    assert.equal(lines.length, 1, lines.join('\n'));
  });

  test('bound to loopback, other Host names are refused (DNS rebinding), loopback names served', async () => {
    const rebound = await request(server.url, { path: '/healthz', headers: { Host: `attacker.example:${server.port}` } });
    assert.equal(rebound.status, 403);
    const engine = await TRANSPORTS.polling(server.url, { Host: `attacker.example:${server.port}` });
    assert.equal(engine.status, 403);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      assert.equal((await request(server.url, { path: '/healthz', headers: { Host: host } })).status, 200, host);
    }
  });
});

describe('--allowed-origins with exact origins and patterns', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: [
        ...QUICK_SESSION_ARGS,
        '--allowed-origins',
        'https://app.example.com,https://*.example.org',
        '--allowed-hosts',
        'localhost,127.0.0.1,signal.example.com',
      ],
    });
  });
  after(() => server.stop());

  test('allowed origins are served on all three transports, with CORS for exactly that origin', async () => {
    for (const origin of ['https://app.example.com', 'https://a.example.org', 'https://a.b.example.org']) {
      for (const [transport, send] of Object.entries(TRANSPORTS)) {
        const answer = await send(server.url, { Origin: origin });
        assert.equal(answer.status, transport === 'websocket' ? 101 : 200, `${transport} ${origin}`);
        if (transport !== 'websocket') {
          assert.equal(answer.headers['access-control-allow-origin'], origin);
          assert.match(answer.headers.vary ?? '', /Origin/);
        }
      }
    }
  });

  test('near misses of the list are refused', async () => {
    for (const origin of [
      'https://example.org', // the pattern needs a label before the suffix
      'https://evilexample.org',
      'http://app.example.com', // other scheme
      'https://app.example.com:8443', // other port
      'https://app.example.com.evil.example',
      `http://127.0.0.1:${server.port}`, // the server's own origin is not in the list
    ]) {
      for (const send of Object.values(TRANSPORTS)) {
        assert.equal((await send(server.url, { Origin: origin })).status, 403, origin);
      }
    }
  });

  test('a CORS preflight is answered for an allowed origin only', async () => {
    const path = '/engine.io/?EIO=4&transport=polling';
    const allowed = await request(server.url, {
      path,
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
    const refused = await request(server.url, { path, method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
  });

  test('--allowed-hosts lets its names in and keeps others out', async () => {
    assert.equal((await request(server.url, { path: '/healthz', headers: { Host: 'signal.example.com' } })).status, 200);
    assert.equal((await request(server.url, { path: '/healthz', headers: { Host: 'other.example.com' } })).status, 403);
  });

  test('the stock engine.io-client from an allowed origin opens a session', async () => {
    const peer = await EnvelopePeer.welcomed(server.url, {
      transports: ['polling'],
      extraHeaders: { Origin: 'https://x.example.org' },
    });
    await peer.join('from-allowed-origin');
    await peer.close();
  });
});

test('bad --allowed-origins values are refused at start', async () => {
  for (const value of ['example.com', 'ftp://example.com', 'https://example.com/path', 'https://*']) {
    await assert.rejects(startServer({ args: ['--allowed-origins', value] }), /--allowed-origins/, value);
  }
});
