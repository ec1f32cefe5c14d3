// Everything js/ takes from its environment, in one object: the browser's globals by default, or
// the app's replacements (`connect`'s `platform` option: Node, tests, a wrapped fetch). The
// defaults look the globals up at each use, so a page that replaces window.WebSocket is honoured.
import { localError } from '../errors.js';

const browser = {
  get WebSocket() {
    return globalThis.WebSocket;
  },
  get EventSource() {
    return globalThis.EventSource;
  },
  get AbortController() {
    return globalThis.AbortController;
  },
  fetch: (url, init) => globalThis.fetch(url, init),
  now: () => performance.now(),
  setTimeout: (callback, delay) => setTimeout(callback, delay),
  clearTimeout: (handle) => clearTimeout(handle),
  // Fills a Uint32Array (the core's random seed).
  getRandomValues(words) {
    if (globalThis.crypto?.getRandomValues) crypto.getRandomValues(words);
    else for (let i = 0; i < words.length; i++) words[i] = Math.random() * 2 ** 32;
  },
  // The page's 'online', 'offline' and 'pagehide' events.
  addEventListener: (name, listener) => globalThis.addEventListener?.(name, listener),
  removeEventListener: (name, listener) => globalThis.removeEventListener?.(name, listener),
  isOnline: () => globalThis.navigator?.onLine !== false,
  // What a relative server URL is resolved against; undefined outside a page.
  pageUrl: () => globalThis.location?.href,
};

/** The platform with the app's `overrides` (each a function or class) in place of the globals. */
export function platformWith(overrides) {
  if (overrides === undefined) return browser;
  if (overrides === null || typeof overrides !== 'object') {
    throw localError('invalid_argument', 'platform must be an object');
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in browser)) throw localError('invalid_argument', `unknown platform member '${name}'`);
    if (value !== undefined && typeof value !== 'function') {
      throw localError('invalid_argument', `platform.${name} must be a function or a class`);
    }
  }
  const platform = Object.create(browser);
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined) Object.defineProperty(platform, name, { value });
  }
  return platform;
}
