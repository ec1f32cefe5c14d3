// Access control in real Chromium: the SDK over https with wss, sse and polling against the
// server's built-in TLS; a page on another origin cannot get a session; a short-lived token is
// refreshed three times during one session without a reconnect.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTestCertificates } from '../lib/test_certificates.mjs';
import { claims, hs256, HS256_SECRET } from '../lib/tokens.mjs';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

let certs;
let server;
let browser;
let context;

before(async () => {
  certs = await makeTestCertificates();
  const { cert, key } = await certs.issue('e2e');
  server = await startAppServer(['--tls-cert', cert, '--tls-key', key, '--jwt-secret', HS256_SECRET]);
  browser = await launchChromium();
  // The test CA is not in Chromium's store: certificate errors are ignored in this context only.
  context = await browser.newContext({ ignoreHTTPSErrors: true });
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await certs?.remove();
});

// A page of the test app whose `makeToken(lifetimeSeconds, extraClaims)` is signed here, in the
// test process, and counted.
async function appPage(url = server.url) {
  const page = await openPage(context, `${url}/app/`);
  page.tokensMade = 0;
  const waiters = new Set();
  await page.exposeFunction('makeToken', (lifetime, extra) => {
    page.tokensMade++;
    for (const check of waiters) check();
    return hs256(claims(extra ?? {}, lifetime));
  });
  // Resolves once the page has asked for `count` tokens.
  page.untilTokens = (count, timeoutMs) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (page.tokensMade < count) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`only ${page.tokensMade} tokens asked for in ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return page;
}

test('the SDK connects over https with each transport, and rooms work across them', async () => {
  assert.match(server.url, /^https:/);
  const pages = [];
  for (const transport of ['websocket', 'sse', 'polling']) {
    const page = await appPage();
    const connected = await page.evaluate(
      (name) => connectApp(undefined, { transports: [name], token: () => makeToken(300, { sub: name }) }),
      transport,
    );
    assert.equal(connected.state, 'connected', transport);
    assert.equal(connected.transport, transport);
    await page.evaluate(() => app.client.join('tls-room'));
    pages.push(page);
  }
  await pages[0].evaluate(() => app.client.publish({ over: 'https' }));
  for (const page of pages.slice(1)) {
    const message = await page.evaluate(() => app.until('the publish', (a) => a.messages()[0]));
    assert.deepEqual(message.data, { over: 'https' });
  }
  // Peers are shown with their users.
  const users = await pages[2].evaluate(() => app.client.peers.map((peer) => app.client.userOf(peer)));
  assert.deepEqual(users.sort(), ['sse', 'websocket']);
  await Promise.all(pages.map((page) => page.close()));
});

test('a page on another origin cannot get a session, on any transport', async () => {
  // https://localhost:PORT is another origin than https://127.0.0.1:PORT, the server's own.
  const port = new URL(server.url).port;
  const page = await appPage(`https://localhost:${port}`);
  const sessionsOpened = () => server.stderr().match(/\bconnect sid=/g)?.length ?? 0;
  const sessionsBefore = sessionsOpened();
  for (const transport of ['websocket', 'sse', 'polling']) {
    const outcome = await page.evaluate(
      ({ target, name }) =>
        rtcwire
          .connect(target, { transports: [name], token: () => makeToken(300), reconnect: { maxAttempts: 0 } })
          .then(
            () => 'connected',
            (error) => plain(error),
          ),
      { target: server.url, name: transport },
    );
    assert.notEqual(outcome, 'connected', transport);
    assert.equal(outcome.name, 'RtcwireError', transport);
    assert.equal(outcome.origin, 'transport', `${transport}: ${JSON.stringify(outcome)}`);
  }
  await server.waitForLog(/refused origin="https:\/\/localhost:\d+"/);
  // No attempt got as far as an Engine.IO session.
  assert.equal(sessionsOpened(), sessionsBefore);
  await page.close();
});

test('a short-lived token is refreshed three times during one session without a reconnect', async () => {
  const page = await appPage();
  // Tokens of 3 s: each refresh comes about 0.75 s before the current one expires.
  const connected = await page.evaluate(() =>
    connectApp(undefined, { token: () => makeToken(3, { sub: 'refresher' }) }),
  );
  assert.equal(connected.state, 'connected');
  await page.evaluate(() => app.client.join('refresh-room'));
  // The first token and three refreshes.
  await page.untilTokens(4, 20000);
  // The first token has long expired: the session lives on the refreshed ones.
  const after = await page.evaluate(async () => {
    await app.client.join('after-refreshes');
    return { state: app.client.state, peerId: app.client.peerId, states: app.events('state').map(([s]) => s) };
  });
  assert.equal(after.state, 'connected');
  assert.equal(after.peerId, connected.peerId);
  assert.deepEqual(after.states, [], 'no state change: no reconnect');
  await page.close();
});

test('joins in flight are each answered by their own reply: a forbidden one rejects, the others resolve', async () => {
  const page = await appPage();
  const connected = await page.evaluate(() =>
    connectApp(undefined, { token: () => makeToken(60, { sub: 'joiner', rooms: ['lobby', 'team-*'] }) }),
  );
  assert.equal(connected.state, 'connected');
  // Three joins before any answer: the refused one sits between two of the same room.
  const outcomes = await page.evaluate(() =>
    Promise.allSettled([
      app.client.join('lobby'),
      app.client.join('kitchen'),
      app.client.join('team-blue'),
    ]).then((results) =>
      results.map((result) =>
        result.status === 'fulfilled'
          ? { room: result.value.room }
          : { code: result.reason.code, origin: result.reason.origin },
      ),
    ),
  );
  assert.deepEqual(outcomes, [
    { room: 'lobby' },
    { code: 'forbidden_room', origin: 'remote' },
    { room: 'team-blue' },
  ]);
  const errors = await page.evaluate(() => app.events('error').map(([error]) => error.code));
  assert.deepEqual(errors, ['forbidden_room']);
  assert.equal(await page.evaluate(() => app.client.room), 'team-blue');
  await page.close();
});
