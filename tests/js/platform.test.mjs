// connect()'s `platform` option: the app's replacements are checked, the rest are the globals.
import test from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../js/index.js';
import { platformWith } from '../../js/platform/platform.js';

const invalid = { name: 'RtcwireError', code: 'invalid_argument', origin: 'local' };

test('a platform that is not an object, names an unknown member or gives a non-function is refused', async () => {
  for (const platform of [null, 'browser', 42]) {
    await assert.rejects(connect('http://a.test/', { platform }), invalid);
  }
  await assert.rejects(connect('http://a.test/', { platform: { websocket: class {} } }), {
    ...invalid,
    message: 'platform.websocket is not a platform function',
  });
  await assert.rejects(connect('http://a.test/', { platform: { fetch: 'https://proxy' } }), {
    ...invalid,
    message: 'platform.fetch is not a platform function',
  });
});

test('members the app leaves out are the globals, looked up at each use', () => {
  const platform = platformWith({ now: () => 5 });
  assert.equal(platform.now(), 5);
  const previous = globalThis.WebSocket;
  try {
    class Replaced {}
    globalThis.WebSocket = Replaced;
    assert.equal(platform.WebSocket, Replaced);
    assert.equal(platformWith(undefined).WebSocket, Replaced);
  } finally {
    globalThis.WebSocket = previous;
  }
  assert.equal(platformWith({ WebSocket: undefined }).AbortController, AbortController);
});

test('a relative server URL needs a page: the platform gives its URL', async () => {
  await assert.rejects(connect('/rtc', { platform: { pageUrl: () => undefined } }), {
    ...invalid,
    message: "'/rtc' is not a valid server URL",
  });
});
