// All js/ takes from its environment: the browser's globals, looked up at each use (a page may
// replace window.WebSocket), unless connect's `platform` option replaces them (in Node, werift's
// RTCPeerConnection stands in for the browser's).
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
  get RTCPeerConnection() {
    return globalThis.RTCPeerConnection;
  },
  fetch: (...args) => globalThis.fetch(...args),
  now: () => performance.now(),
  setTimeout: (...args) => setTimeout(...args),
  clearTimeout: (...args) => clearTimeout(...args),
  getRandomValues: (...args) => crypto.getRandomValues(...args),
  addEventListener: (...args) => globalThis.addEventListener?.(...args),
  removeEventListener: (...args) => globalThis.removeEventListener?.(...args),
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
