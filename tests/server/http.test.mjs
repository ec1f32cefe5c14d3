// HTTP routes: /healthz, Engine.IO handshake errors (compared with the stock engine.io server),
// static files with MIME types, and path traversal.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attach } from 'engine.io';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, rawRequest, upgradeRequest, within } from './support/peers.mjs';

let server;
let stock;  // a stock engine.io server: the reference for handshake errors
let stockUrl;
let dir;
const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-static-'));
  await mkdir(path.join(dir, 'site/sub'), { recursive: true });
  await mkdir(path.join(dir, 'js'));
  await writeFile(path.join(dir, 'secret.txt'), 'outside the mounts');
  await writeFile(path.join(dir, 'site/index.html'), '<!doctype html><title>root</title>');
  await writeFile(path.join(dir, 'site/sub/index.html'), '<!doctype html><title>sub</title>');
  await writeFile(path.join(dir, 'site/core.wasm'), WASM);
  await writeFile(path.join(dir, 'site/style.css'), 'body{}');
  await writeFile(path.join(dir, 'site/data.json'), '{}');
  await writeFile(path.join(dir, 'js/index.mjs'), 'export const x = 1;\n');
  await writeFile(path.join(dir, 'js/index.d.ts'), 'export declare const x: number;\n');
  await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'site/leak.txt'));
  await symlink(dir, path.join(dir, 'site/up'));
  // Websocket only, as the stock reference below: the HTTP transports have their own tests.
  server = await startServer({
    args: [...QUICK_SESSION_ARGS, 
      '--static',
      path.join(dir, 'site'),
      '--static',
      `/js=${path.join(dir, 'js')}`,
      '--transports',
      'websocket',
    ],
  });

  const httpServer = http.createServer((_, response) => response.writeHead(404).end());
  stock = attach(httpServer, { transports: ['websocket'] });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  stockUrl = `http://127.0.0.1:${httpServer.address().port}`;
  stock.httpServer = httpServer;
});

after(async () => {
  await server?.stop();
  stock?.close();
  stock?.httpServer.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/healthz', () => {
  test('answers 200 with status ok and the session count', async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await response.json(), { status: 'ok', sessions: 0 });
  });
});

describe('Engine.IO handshake errors', () => {
  // Plain HTTP requests: the stock server answers each with a JSON {code, message} body.
  const plainRequests = [
    ['GET', '/engine.io/?EIO=4&transport=polling'],
    ['GET', '/engine.io/?EIO=4'],
    ['GET', '/engine.io/?EIO=4&transport=bogus'],
    ['GET', '/engine.io/?EIO=4&transport=websocket'],
    ['GET', '/engine.io/?EIO=3&transport=websocket'],
    ['GET', '/engine.io/?EIO=4&transport=websocket&sid=unknown-sid'],
    ['POST', '/engine.io/?EIO=4&transport=websocket'],
  ];
  for (const [method, requestPath] of plainRequests) {
    test(`${method} ${requestPath} is refused exactly as the stock server does`, async () => {
      const ours = await rawRequest(server.url, requestPath, method);
      const theirs = await rawRequest(stockUrl, requestPath, method);
      assert.equal(ours.status, theirs.status);
      assert.match(ours.headers['content-type'], /^application\/json/);
      assert.deepEqual(JSON.parse(ours.body), JSON.parse(theirs.body));
    });
  }

  test('the codes and messages are the stock ones', async () => {
    const answer = async (p, m) => JSON.parse((await rawRequest(server.url, p, m)).body);
    assert.deepEqual(await answer('/engine.io/?EIO=4&transport=polling'), {
      code: 0,
      message: 'Transport unknown',
    });
    assert.deepEqual(await answer('/engine.io/?EIO=4&transport=websocket&sid=x'), {
      code: 1,
      message: 'Session ID unknown',
    });
    assert.deepEqual(await answer('/engine.io/?EIO=4&transport=websocket', 'POST'), {
      code: 2,
      message: 'Bad handshake method',
    });
  });

  // Upgrades: the stock server answers 400 with the bare message; ours adds the JSON code.
  for (const [query, code, message] of [
    ['EIO=4&transport=websocket&sid=unknown-sid', 1, 'Session ID unknown'],
    ['EIO=4&transport=polling', 0, 'Transport unknown'],
    ['EIO=4', 0, 'Transport unknown'],
  ]) {
    test(`a websocket upgrade with ${query} is refused with code ${code}, as the stock server does`, async () => {
      const ours = await upgradeRequest(server.url, `/engine.io/?${query}`);
      const theirs = await upgradeRequest(stockUrl, `/engine.io/?${query}`);
      assert.equal(theirs.status, 400);
      assert.equal(theirs.body, message);
      assert.equal(ours.status, 400);
      assert.deepEqual(JSON.parse(ours.body), { code, message });
    });
  }

  for (const eio of ['3', '5', '']) {
    test(`a websocket upgrade with EIO=${eio} is refused: Unsupported protocol version`, async () => {
      const ours = await upgradeRequest(server.url, `/engine.io/?EIO=${eio}&transport=websocket`);
      assert.equal(ours.status, 400);
      assert.deepEqual(JSON.parse(ours.body), { code: 5, message: 'Unsupported protocol version' });
    });
  }

  test('an upgrade naming a live websocket session is accepted and closed, as the stock server does', async () => {
    const peer = await EnvelopePeer.connect(server.url);
    const ours = await upgradeRequest(
      server.url,
      `/engine.io/?EIO=4&transport=websocket&sid=${peer.socket.id}`,
    );
    assert.equal(ours.status, 101);
    peer.send({ v: 1, t: 'hello', sdk: 'still-here' });
    await peer.expect('welcome');
    await peer.close();
  });
});

describe('static files', () => {
  const get = (p, method) => rawRequest(server.url, p, method);

  test('.wasm is application/wasm, byte for byte, with Cache-Control: no-cache', async () => {
    const response = await get('/core.wasm');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/wasm');
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.deepEqual(response.body, WASM);
  });

  test('.mjs under a prefix mount is text/javascript', async () => {
    const response = await get('/js/index.mjs');
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'], /^text\/javascript/);
    assert.equal(response.body.toString(), 'export const x = 1;\n');
  });

  test('other types: html, css, json, .d.ts', async () => {
    assert.match((await get('/style.css')).headers['content-type'], /^text\/css/);
    assert.match((await get('/data.json')).headers['content-type'], /^application\/json/);
    assert.match((await get('/js/index.d.ts')).headers['content-type'], /^text\/plain/);
    assert.match((await get('/index.html')).headers['content-type'], /^text\/html/);
  });

  test('a directory serves its index.html; without the slash it redirects', async () => {
    const root = await get('/');
    assert.equal(root.status, 200);
    assert.match(root.body.toString(), /<title>root<\/title>/);
    const sub = await get('/sub/');
    assert.match(sub.body.toString(), /<title>sub<\/title>/);
    const redirect = await get('/sub');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/sub/');
  });

  test('HEAD sends the headers and no body', async () => {
    const response = await get('/core.wasm', 'HEAD');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-length'], String(WASM.length));
    assert.equal(response.body.length, 0);
  });

  test('missing files are 404, other methods 405', async () => {
    assert.equal((await get('/nope.js')).status, 404);
    assert.equal((await get('/js/nope.mjs')).status, 404);
    assert.equal((await get('/core.wasm', 'POST')).status, 405);
  });

  for (const attempt of [
    '/../secret.txt',
    '/js/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/js/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/js/..%5c..%5csecret.txt',
    '/%00index.html',
    '/bad%zzescape',
  ]) {
    test(`traversal attempt ${attempt} is refused`, async () => {
      const response = await get(attempt);
      assert.ok([400, 404].includes(response.status), `status ${response.status}`);
      assert.doesNotMatch(response.body.toString(), /outside the mounts/);
    });
  }

  test('symlinks leading out of the mount are 404', async () => {
    assert.equal((await get('/leak.txt')).status, 404);
    assert.equal((await get('/up/secret.txt')).status, 404);
  });

  test('keep-alive: several requests on one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const { port } = new URL(server.url);
    const sockets = new Set();
    for (const p of ['/healthz', '/core.wasm', '/nope', '/js/index.mjs']) {
      await within(
        new Promise((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port, path: p, agent }, (response) => {
              sockets.add(response.socket);
              response.resume();
              response.on('end', resolve);
            })
            .on('error', reject);
        }),
        `GET ${p}`,
      );
    }
    agent.destroy();
    assert.equal(sockets.size, 1);
  });

  test('unknown paths are 404', async () => {
    assert.equal((await get('/engine.io')).status, 404);
    assert.equal((await get('/healthz/more')).status, 404);
  });
});
