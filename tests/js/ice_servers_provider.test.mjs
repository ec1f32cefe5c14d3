// peer/ice_servers_provider.js: the app's iceServersProvider (a URL or an async function) as one
// call that resolves with JSON text for the core, or rejects with a short reason; 10 s at most.
import test from 'node:test';
import assert from 'node:assert/strict';
import { iceServersProvider } from '../../js/peer/ice_servers_provider.js';
import { RtcwireError } from '../../js/errors.js';

// fetch answers what the test says; the 10 s timer fires when the test says.
function fakePlatform(answer) {
  const timers = new Map();
  let nextTimer = 1;
  const platform = {
    fetched: [],
    AbortController,
    fetch: (url, init) => {
      platform.fetched.push({ url, init });
      return answer(init);
    },
    setTimeout: (call, ms) => {
      timers.set(nextTimer, { call, ms });
      return nextTimer++;
    },
    clearTimeout: (id) => timers.delete(id),
    timers,
  };
  return platform;
}

const reasonOf = (promise) =>
  promise.then(
    () => assert.fail('resolved'),
    (reason) => reason,
  );

test('a URL is fetched with GET, no cache and a signal; the body text goes to the core', async () => {
  const platform = fakePlatform(async () => new Response('{"iceServers":[{"urls":"stun:s"}],"ttl":60}'));
  const provide = iceServersProvider('https://creds.example/turn?key=secret', platform);
  assert.equal(await provide(), '{"iceServers":[{"urls":"stun:s"}],"ttl":60}');
  assert.equal(platform.fetched[0].url, 'https://creds.example/turn?key=secret');
  assert.equal(platform.fetched[0].init.cache, 'no-store');
  assert.ok(platform.fetched[0].init.signal instanceof AbortSignal);
  assert.equal(platform.timers.size, 0, 'the timeout is cleared');
});

test('an HTTP error or a network failure rejects with a reason that does not name the URL', async () => {
  const url = 'https://creds.example/turn?key=secret';
  const failing = iceServersProvider(url, fakePlatform(async () => new Response('no', { status: 503 })));
  assert.equal(await reasonOf(failing()), 'HTTP 503');
  const offline = iceServersProvider(url, fakePlatform(async () => Promise.reject(new TypeError('fetch failed'))));
  const reason = await reasonOf(offline());
  assert.equal(reason, 'fetch failed');
  assert.ok(!reason.includes('secret'));
});

test('no answer in 10 s: the request is aborted and the call rejects', async () => {
  let signal;
  const platform = fakePlatform((init) => {
    signal = init.signal;
    return new Promise(() => {});
  });
  const pending = reasonOf(iceServersProvider('https://creds.example/', platform)());
  const [[, timer]] = platform.timers;
  assert.equal(timer.ms, 10000);
  timer.call();
  assert.equal(await pending, 'no answer in 10 s');
  assert.equal(signal.aborted, true);
});

test('a function: its result as JSON text; a throw or a hang rejects', async () => {
  const platform = fakePlatform(() => assert.fail('no fetch for a function'));
  const list = [{ urls: 'turn:t', username: 'u', credential: 'c' }];
  assert.equal(await iceServersProvider(async () => list, platform)(), JSON.stringify(list));
  assert.equal(await iceServersProvider(async () => undefined, platform)(), 'null');
  const thrown = iceServersProvider(async () => {
    throw new Error('credentials API down');
  }, platform);
  assert.equal(await reasonOf(thrown()), 'credentials API down');
  const hanging = reasonOf(iceServersProvider(() => new Promise(() => {}), platform)());
  [...platform.timers.values()].at(-1).call();
  assert.equal(await hanging, 'no answer in 10 s');
});

test('anything but a URL or a function is invalid_argument', () => {
  for (const provider of ['', 42, {}, null]) {
    assert.throws(
      () => iceServersProvider(provider, fakePlatform(() => {})),
      (error) => error instanceof RtcwireError && error.code === 'invalid_argument',
    );
  }
});
