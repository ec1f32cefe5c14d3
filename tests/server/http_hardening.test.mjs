// HTTP framing and static files under attack: any Transfer-Encoding other than a lone final
// `chunked` is a 400 and the connection closes (RFC 9112 §6), so a body can never be read as a
// second request; dotfiles are never served from --static folders.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { rawRequest } from './support/peers.mjs';
import { exchangeUntilClosed, openConnection, statusLines } from './support/raw_tcp.mjs';

let server;
let dir;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-hardening-'));
  await mkdir(path.join(dir, 'site/.git'), { recursive: true });
  await writeFile(path.join(dir, 'site/index.html'), '<!doctype html><title>root</title>');
  await writeFile(path.join(dir, 'site/.env'), 'SECRET=1');
  await writeFile(path.join(dir, 'site/.git/config'), '[core]');
  await symlink(path.join(dir, 'site/.env'), path.join(dir, 'site/env.txt'));
  server = await startServer({ args: [...QUICK_SESSION_ARGS, '--static', path.join(dir, 'site')] });
});

after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

// A request whose body smuggles a second request, and the request that follows it.
const smuggled = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
function post(transferEncoding, { version = '1.1', extra = '' } = {}) {
  const body = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
  return (
    `POST /healthz HTTP/${version}\r\nHost: 127.0.0.1\r\n` +
    `Transfer-Encoding: ${transferEncoding}\r\n${extra}\r\n${body}${smuggled}`
  );
}

describe('Transfer-Encoding', () => {
  const refused = [
    ['an unknown coding', 'xchunked'],
    ['chunked not last', 'chunked, gzip'],
    ['a coding before chunked', 'gzip, chunked'],
    ['chunked twice', 'chunked, chunked'],
    ['an empty value', ' '],
    ['identity', 'identity'],
  ];
  for (const [what, value] of refused) {
    test(`${what} (${JSON.stringify(value)}) is answered 400 and the connection closes`, async () => {
      const answer = await exchangeUntilClosed(server.url, post(value));
      assert.deepEqual(statusLines(answer), ['HTTP/1.1 400 Bad Request']);
      assert.match(answer, /\r\nConnection: close\r\n/i);
    });
  }

  test('split over two fields, chunked then xchunked, is refused', async () => {
    const answer = await exchangeUntilClosed(server.url, post('chunked', { extra: 'Transfer-Encoding: xchunked\r\n' }));
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 400 Bad Request']);
  });

  test('chunked with a Content-Length as well is refused', async () => {
    const answer = await exchangeUntilClosed(server.url, post('chunked', { extra: 'Content-Length: 5\r\n' }));
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 400 Bad Request']);
  });

  test('chunked on HTTP/1.0 is refused', async () => {
    const answer = await exchangeUntilClosed(server.url, post('chunked', { version: '1.0' }));
    assert.match(statusLines(answer)[0] ?? '', / 400 Bad Request$/);
    assert.equal(statusLines(answer).length, 1);
  });

  test('a lone final chunked is read as the body, and the next request is served in turn', async () => {
    const connection = await openConnection(server.url);
    connection.socket.write(post('Chunked') + 'GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await connection.closed;
    // The POST (405, its body read in full), the request after its body, the last one.
    const lines = statusLines(connection.received());
    assert.deepEqual(lines, ['HTTP/1.1 405 Method Not Allowed', 'HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
  });

  test('the server stays up', async () => {
    const health = await rawRequest(server.url, '/healthz');
    assert.equal(health.status, 200);
  });
});

describe('dotfiles from --static', () => {
  for (const requestPath of ['/.env', '/.git/config', '/%2eenv', '/.git/', '/env.txt', '//.env']) {
    test(`${requestPath} is not found`, async () => {
      const response = await rawRequest(server.url, requestPath);
      assert.equal(response.status, 404);
      assert.doesNotMatch(response.body.toString(), /SECRET|core/);
    });
  }

  test('other files are still served', async () => {
    const response = await rawRequest(server.url, '/');
    assert.equal(response.status, 200);
    assert.match(response.body.toString(), /<title>root/);
  });
});
