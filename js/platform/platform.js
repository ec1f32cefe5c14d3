// All that js/ takes from its environment. Defaults: the browser's globals, looked up at each use
// (a page may replace window.WebSocket); connect's `platform` option replaces any of them.
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
  getRandomValues: (words) => crypto.getRandomValues(words),
  addEventListener: (name, listener) => globalThis.addEventListener?.(name, listener),
  removeEventListener: (name, listener) => globalThis.removeEventListener?.(name, listener),
  isOnline: () => globalThis.navigator?.onLine !== false,
  pageUrl: () => globalThis.location?.href,
};

export function platformWith(overrides = {}) {
  if (overrides === null || typeof overrides !== 'object') {
    throw localError('invalid_argument', 'platform must be an object');
  }
  const platform = Object.create(browser);
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in browser) || (value !== undefined && typeof value !== 'function')) {
      throw localError('invalid_argument', `platform.${name} is not a platform function`);
    }
    if (value) Object.defineProperty(platform, name, { value });
  }
  return platform;
}
