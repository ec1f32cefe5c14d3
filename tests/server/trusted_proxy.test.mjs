// --trust-proxy: behind a reverse proxy that sets X-Forwarded-For (or Forwarded), per-address
// limits apply to each real client rather than to the proxy, what a client writes into the header
// itself is not believed, and the header is ignored from peers that are not trusted. IPv6 clients
// count per /64.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { startForwardingProxy } from './support/forwarding_proxy.mjs';
import { getFrom } from './support/raw_tcp.mjs';

const HANDSHAKE = '/engine.io/?EIO=4&transport=polling';
const LIMIT_ARGS = ['--max-sessions-per-ip', '2', '--trust-proxy', '127.0.0.1/32'];

function sidOf(answer) {
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body.slice(1)).sid;
}

function refusedAsTooMany(answer) {
  assert.equal(answer.status, 503);
  assert.deepEqual(JSON.parse(answer.body), { code: 4, message: 'Too many sessions' });
}

for (const header of ['x-forwarded-for', 'forwarded']) {
  describe(`behind a proxy setting ${header}`, () => {
    let server;
    let proxy;
    before(async () => {
      server = await startServer({ args: [...QUICK_SESSION_ARGS, ...LIMIT_ARGS, '--proxy-header', header] });
      proxy = await startForwardingProxy(server.url, { header });
    });
    after(async () => {
      await proxy?.close();
      await server?.stop();
    });

    test('the session limit applies to each client, not to the proxy', async () => {
      const viaProxy = (localAddress) => getFrom(proxy.url, HANDSHAKE, { localAddress });
      const first = sidOf(await viaProxy('127.0.0.2'));
      sidOf(await viaProxy('127.0.0.2'));
      refusedAsTooMany(await viaProxy('127.0.0.2'));
      // Another client behind the same proxy is not affected.
      const other = sidOf(await viaProxy('127.0.0.3'));
      sidOf(await viaProxy('127.0.0.3'));
      // Logs name the client.
      await server.waitForLog(new RegExp(`connect sid=${first} remote=127\\.0\\.0\\.2 transport=polling`));
      await server.waitForLog(new RegExp(`connect sid=${other} remote=127\\.0\\.0\\.3 transport=polling`));
      await server.waitForLog(/handshake refused remote=127\.0\.0\.2 code=4/);
    });

    test('an address the client wrote itself is not believed', async () => {
      const forged = header === 'forwarded' ? { forwarded: 'for=10.9.9.9' } : { 'x-forwarded-for': '10.9.9.9' };
      const sid = sidOf(await getFrom(proxy.url, HANDSHAKE, { localAddress: '127.0.0.4', headers: forged }));
      await server.waitForLog(new RegExp(`connect sid=${sid} remote=127\\.0\\.0\\.4 transport=polling`));
    });

    // The proxy appends the client's address to the line the client sent: an open quote, a bad
    // port or a broken Forwarded element the client wrote must not swallow it or stand in for it.
    const hostile =
      header === 'forwarded'
        ? ['for=6.6.6.6;x="', 'for="6.6.6.6', '"', 'for=6.6.6.6;for=7.7.7.7', 'for="[2001:db8::1]:"', 'x=\\']
        : ['6.6.6.6:"', '[2001:db8::1]:"', '"', '6.6.6.6:80x', '"6.6.6.6', '6.6.6.6\\'];
    for (const [i, sent] of hostile.entries()) {
      test(`a hostile ${header} value cannot hide the client: ${sent}`, async () => {
        const client = `127.0.1.${i + 1}`;
        const sid = sidOf(await getFrom(proxy.url, HANDSHAKE, { localAddress: client, headers: { [header]: sent } }));
        await server.waitForLog(new RegExp(`connect sid=${sid} remote=${client.replaceAll('.', '\\.')} transport=polling`));
      });
    }

    test('a broken element from the trusted peer itself is not believed', async () => {
      const broken = header === 'forwarded' ? 'for=6.6.6.6;x="' : '6.6.6.6:"';
      const sid = sidOf(await getFrom(server.url, HANDSHAKE, { localAddress: '127.0.0.1', headers: { [header]: broken } }));
      await server.waitForLog(new RegExp(`connect sid=${sid} remote=127\\.0\\.0\\.1(:\\d+)? transport=polling`));
    });
  });
}

describe('a kept-alive connection from a trusted proxy', () => {
  let server;
  let proxy;
  before(async () => {
    server = await startServer({
      args: [...QUICK_SESSION_ARGS, '--trust-proxy', '127.0.0.1/32', '--max-connections-per-ip', '1'],
    });
    proxy = await startForwardingProxy(server.url);
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test('is charged to its client only while it carries a request of that client', async () => {
    // The proxy keeps its upstream connection open after this request...
    assert.equal((await getFrom(proxy.url, '/healthz', { localAddress: '127.0.0.6' })).status, 200);
    // ...which no longer takes the client's one place: the client may connect directly.
    const direct = await getFrom(server.url, '/healthz', { localAddress: '127.0.0.6' });
    assert.equal(direct.status, 200);
    // And the proxy's connection is still usable, for this client or another.
    assert.equal((await getFrom(proxy.url, '/healthz', { localAddress: '127.0.0.7' })).status, 200);
    assert.equal((await getFrom(proxy.url, '/healthz', { localAddress: '127.0.0.6' })).status, 200);
  });
});

describe('headers from a peer that is not trusted', () => {
  let server;
  before(async () => {
    server = await startServer({ args: [...QUICK_SESSION_ARGS, ...LIMIT_ARGS] });
  });
  after(() => server?.stop());

  test('are ignored: the peer is the client, whatever it claims', async () => {
    const direct = (n) =>
      getFrom(server.url, HANDSHAKE, {
        localAddress: '127.0.0.5',
        headers: { 'x-forwarded-for': `10.0.0.${n}`, forwarded: `for=10.1.0.${n}` },
      });
    const sid = sidOf(await direct(1));
    sidOf(await direct(2));
    refusedAsTooMany(await direct(3));
    await server.waitForLog(new RegExp(`connect sid=${sid} remote=127\\.0\\.0\\.5:\\d+ transport=polling`));
  });
});

describe('IPv6 clients', () => {
  test('count per /64 toward the per-address limits; IPv4 clients per address', async () => {
    const server = await startServer({ args: [...QUICK_SESSION_ARGS, ...LIMIT_ARGS] });
    try {
      // The test speaks as the trusted proxy itself, naming each client in the header.
      const as = (client) => getFrom(server.url, HANDSHAKE, { headers: { 'x-forwarded-for': client } });
      sidOf(await as('2001:db8:1:2::1'));
      sidOf(await as('2001:db8:1:2::2'));
      // A third address of the same /64 is the same client.
      refusedAsTooMany(await as('2001:db8:1:2:ffff:ffff:ffff:ffff'));
      // The next /64 is another.
      sidOf(await as('2001:db8:1:3::1'));
      // IPv4 addresses next to each other are different clients.
      sidOf(await as('192.0.2.1'));
      sidOf(await as('192.0.2.1'));
      refusedAsTooMany(await as('192.0.2.1'));
      sidOf(await as('192.0.2.2'));
    } finally {
      await server.stop();
    }
  });
});
