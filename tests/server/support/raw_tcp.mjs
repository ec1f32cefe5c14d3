// Raw TCP clients for tests that need exact bytes on the wire or a chosen source address
// (127.0.0.0/8 is all loopback, so 127.0.0.2 is "another client" of a server on 127.0.0.1).
import http from 'node:http';
import net from 'node:net';
import { within, WAIT_MS } from './peers.mjs';

/**
 * Opens a TCP connection from `localAddress`; resolves once connected with the socket, the bytes it
 * received so far (`received()`) and `closed`, which resolves when the server ends the connection.
 */
export function openConnection(url, { localAddress = '127.0.0.1' } = {}) {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port), localAddress });
  const chunks = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});  // a reset surfaces as 'close', which the tests await
  const closed = new Promise((resolve) => socket.once('close', resolve));
  return within(
    new Promise((resolve, reject) => {
      socket.once('connect', () =>
        resolve({ socket, closed, received: () => Buffer.concat(chunks).toString('latin1') }),
      );
      socket.once('close', () => reject(new Error(`connection from ${localAddress} failed`)));
    }),
    `a TCP connection from ${localAddress}`,
  );
}

/** Sends `bytes` and resolves with everything received once the server closes the connection. */
export async function exchangeUntilClosed(url, bytes, { localAddress, ms = WAIT_MS } = {}) {
  const connection = await openConnection(url, { localAddress });
  connection.socket.write(bytes);
  await within(connection.closed, 'the server to close the connection', ms);
  return connection.received();
}

/** A GET with a chosen source address and headers; resolves with {status, headers, body}. */
export function getFrom(url, path, { localAddress = '127.0.0.1', headers = {}, ms = WAIT_MS } = {}) {
  const { hostname, port } = new URL(url);
  return within(
    new Promise((resolve, reject) => {
      const request = http.get({ hostname, port, path, localAddress, headers, agent: false });
      request.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      });
      request.on('error', reject);
    }),
    `GET ${path} from ${localAddress}`,
    ms,
  );
}

/** The status lines of the HTTP responses in `text`, in order (bodies here never contain one). */
export function statusLines(text) {
  return text.match(/HTTP\/1\.[01] \d{3}[^\r\n]*/g) ?? [];
}
