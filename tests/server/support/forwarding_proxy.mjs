// A small reverse proxy for tests: listens on 127.0.0.1, forwards each HTTP request to `target`
// over kept-alive connections (so one upstream connection carries requests of several clients, as
// real proxies do), and appends the client's address to X-Forwarded-For, or adds a Forwarded
// element, as nginx and the like do. Plain HTTP requests only (no upgrades).
import http from 'node:http';

/**
 * @param {string} target  the server's base URL
 * @param {{header?: 'x-forwarded-for' | 'forwarded'}} [options]
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startForwardingProxy(target, { header = 'x-forwarded-for' } = {}) {
  const { hostname, port } = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2, localAddress: '127.0.0.1' });
  const server = http.createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers };
    const client = incoming.socket.remoteAddress;
    if (header === 'forwarded') {
      headers.forwarded = [headers.forwarded, `for=${client}`].filter(Boolean).join(', ');
    } else {
      headers['x-forwarded-for'] = [headers['x-forwarded-for'], client].filter(Boolean).join(', ');
    }
    delete headers.connection;
    const upstream = http.request({ hostname, port, path: incoming.url, method: incoming.method, headers, agent });
    upstream.on('response', (response) => {
      outgoing.writeHead(response.statusCode, response.headers);
      response.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
