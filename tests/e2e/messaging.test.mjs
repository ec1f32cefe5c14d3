// Rooms and messages between real pages through a real rtcwire-server, via the public API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppServer } from './support/app_server.mjs';
import { launchChromium, openPage } from './support/browser.mjs';

const MESSAGES_EACH_WAY = 100;

let server;
let browser;
const pages = {};

before(async () => {
  server = await startAppServer();
  browser = await launchChromium();
  for (const name of ['alice', 'bob', 'carol']) {
    pages[name] = await openPage(browser, `${server.url}/app/`);
    await pages[name].evaluate(() => connectApp());
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('two pages in one room see each other and exchange 100 messages each way, once and in order', async () => {
  const { alice, bob } = pages;
  const aliceId = await alice.evaluate(() => app.client.peerId);
  const bobId = await bob.evaluate(() => app.client.peerId);
  assert.match(aliceId, /^[A-Za-z0-9_-]+$/);
  assert.notEqual(aliceId, bobId);

  const aliceJoined = await alice.evaluate(() => app.client.join('e2e-room'));
  assert.deepEqual(aliceJoined, { room: 'e2e-room', peers: [] });
  const bobJoined = await bob.evaluate(() => app.client.join('e2e-room'));
  assert.deepEqual(bobJoined, { room: 'e2e-room', peers: [aliceId] });
  await alice.evaluate(
    (peer) => app.until(`peer-joined ${peer}`, ({ client }) => client.peers.includes(peer)),
    bobId,
  );
  assert.deepEqual(await alice.evaluate(() => [app.client.room, app.client.peers]), ['e2e-room', [bobId]]);
  assert.deepEqual(await bob.evaluate(() => [app.client.room, app.client.peers]), ['e2e-room', [aliceId]]);
  assert.deepEqual(await alice.evaluate(() => app.events('peer-joined')), [[bobId]]);

  const publishAll = (count) => {
    for (let seq = 0; seq < count; seq++) app.client.publish({ seq, text: `message ${seq}` });
  };
  await Promise.all([
    alice.evaluate(publishAll, MESSAGES_EACH_WAY),
    bob.evaluate(publishAll, MESSAGES_EACH_WAY),
  ]);
  const receive = (count) =>
    app.until(`${count} messages`, (recorded) => recorded.messages().length >= count && recorded.messages());
  const [atAlice, atBob] = await Promise.all([
    alice.evaluate(receive, MESSAGES_EACH_WAY),
    bob.evaluate(receive, MESSAGES_EACH_WAY),
  ]);
  const expected = (from) =>
    Array.from({ length: MESSAGES_EACH_WAY }, (_, seq) => ({
      from,
      kind: 'room',
      data: { seq, text: `message ${seq}` },
    }));
  assert.deepEqual(atAlice, expected(bobId));
  assert.deepEqual(atBob, expected(aliceId));

  // Direct messages reach only their target, tagged 'direct', and also keep their order.
  await alice.evaluate((peer) => {
    for (let seq = 0; seq < 10; seq++) app.client.send(peer, { direct: seq });
  }, bobId);
  const directs = await bob.evaluate(() =>
    app.until('10 direct messages', (recorded) => {
      const found = recorded.messages().filter((message) => message.kind === 'direct');
      return found.length >= 10 && found;
    }),
  );
  assert.deepEqual(
    directs,
    Array.from({ length: 10 }, (_, seq) => ({ from: aliceId, kind: 'direct', data: { direct: seq } })),
  );
});

test('listeners may call the client: replies sent from inside message events keep their order', async () => {
  const { alice, bob } = pages;
  const bobId = await bob.evaluate(() => app.client.peerId);
  await bob.evaluate(() => {
    app.client.on('message', ({ from, kind, data }) => {
      if (kind === 'direct' && typeof data.ping === 'number') app.client.send(from, { pong: data.ping });
    });
  });
  await alice.evaluate((peer) => {
    for (let ping = 0; ping < 50; ping++) app.client.send(peer, { ping });
  }, bobId);
  const pongs = await alice.evaluate(() =>
    app.until('50 pongs', (recorded) => {
      const found = recorded.messages().filter(({ data }) => typeof data.pong === 'number');
      return found.length >= 50 && found.map(({ data }) => data.pong);
    }),
  );
  assert.deepEqual(pongs, Array.from({ length: 50 }, (_, ping) => ping));
});

test('a page in another room receives nothing from the first room', async () => {
  const { alice, bob, carol } = pages;
  const carolJoined = await carol.evaluate(() => app.client.join('other-room'));
  assert.deepEqual(carolJoined, { room: 'other-room', peers: [] });
  await Promise.all(
    [alice, bob].map((page) => page.evaluate(() => app.client.publish({ text: 'not for carol' }))),
  );
  // The server relays each connection's messages in order: once each one's marker, published
  // after moving to carol's room, has arrived, anything leaked from the first room would have too.
  for (const page of [alice, bob]) {
    await page.evaluate(async () => {
      await app.client.join('other-room');
      app.client.publish({ marker: app.client.peerId });
    });
  }
  const ids = await Promise.all([alice, bob].map((page) => page.evaluate(() => app.client.peerId)));
  const received = await carol.evaluate(() =>
    app.until('both markers', (recorded) => recorded.messages().length >= 2 && recorded.messages()),
  );
  assert.deepEqual(received, ids.map((id) => ({ from: id, kind: 'room', data: { marker: id } })));
  assert.deepEqual(await carol.evaluate(() => app.events('peer-joined')), ids.map((id) => [id]));
  assert.deepEqual(await carol.evaluate(() => app.client.peers), ids);
});

test('leaving a room is confirmed and seen by the others', async () => {
  const { alice, bob, carol } = pages;
  const aliceId = await alice.evaluate(() => app.client.peerId);
  await alice.evaluate(() => app.client.leave());
  assert.deepEqual(await alice.evaluate(() => [app.client.room, app.client.peers, app.events('left')]), [
    null,
    [],
    [['other-room']],
  ]);
  for (const page of [bob, carol]) {
    await page.evaluate(
      (peer) => app.until(`peer-left ${peer}`, ({ client }) => !client.peers.includes(peer)),
      aliceId,
    );
  }
  for (const page of Object.values(pages)) assert.deepEqual(page.errors, []);
});
