// A platform for js/ with nothing real in it: a clock that moves only when the test says, and
// WebSockets, EventSources and fetch() that the test plays the network side of.
import { EventEmitter, once } from 'node:events';

export function fakePlatform({ online = true } = {}) {
  const changes = new EventEmitter();
  const timers = new Map(); // handle -> { at, callback }
  const pageListeners = new Map(); // event name -> Set of listeners
  let nextHandle = 1;
  let now = 1000;

  const platform = {
    sockets: [],
    eventSources: [],
    requests: [],
    online,

    // Resolve with the `index`th (from 0) WebSocket / EventSource / request js/ creates, now or
    // once it does.
    socket: (index) => nth(platform.sockets, 'socket', index),
    eventSource: (index) => nth(platform.eventSources, 'eventSource', index),
    request: (index) => nth(platform.requests, 'request', index),

    /** Moves the clock by `ms`, firing each timer that falls due, in deadline order, at its time. */
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= until);
        if (due.length === 0) break;
        const [handle, timer] = due.reduce((a, b) => (b[1].at < a[1].at ? b : a));
        timers.delete(handle);
        now = Math.max(now, timer.at);
        timer.callback();
      }
      now = until;
    },
    get pendingTimers() {
      return timers.size;
    },
    listenerCount: (name) => pageListeners.get(name)?.size ?? 0,
    /** Fires a page event ('pagehide', 'online', 'offline') at js/'s listeners. */
    dispatch(name) {
      if (name === 'online') platform.online = true;
      if (name === 'offline') platform.online = false;
      for (const listener of [...(pageListeners.get(name) ?? [])]) listener(new Event(name));
    },
  };

  async function nth(list, change, index) {
    while (list.length <= index) await once(changes, change);
    return list[index];
  }

  // What connect()'s `platform` option receives.
  platform.overrides = {
    now: () => now,
    setTimeout(callback, delay) {
      const handle = nextHandle++;
      timers.set(handle, { at: now + delay, callback });
      return handle;
    },
    clearTimeout: (handle) => timers.delete(handle),
    getRandomValues(words) {
      words.fill(7);
    },
    addEventListener(name, listener) {
      if (!pageListeners.has(name)) pageListeners.set(name, new Set());
      pageListeners.get(name).add(listener);
    },
    removeEventListener: (name, listener) => pageListeners.get(name)?.delete(listener),
    isOnline: () => platform.online,
    pageUrl: () => undefined,
    WebSocket: class FakeWebSocket {
      readyState = 0;
      sent = [];
      closeCode = null;
      constructor(url) {
        this.url = url;
        platform.sockets.push(this);
        changes.emit('socket', this);
      }
      send(text) {
        if (this.readyState !== 1) throw new Error('send on a socket that is not open');
        this.sent.push(text);
        changes.emit('frame', this, text);
      }
      /** Resolves with the next frame js/ sends on this socket that passes `wanted`. */
      nextFrame(wanted = () => true) {
        return new Promise((resolve) => {
          const check = (socket, text) => {
            if (socket !== this || !wanted(text)) return;
            changes.off('frame', check);
            resolve(text);
          };
          changes.on('frame', check);
        });
      }
      close(code) {
        this.closeCode = code;
        this.readyState = 3;
      }
      // The network's side.
      accept() {
        this.readyState = 1;
        this.onopen?.(new Event('open'));
      }
      receive(data) {
        this.onmessage?.({ data });
      }
      drop() {
        this.readyState = 3;
        this.onerror?.(new Event('error'));
        this.onclose?.({ code: 1006 });
      }
    },
    EventSource: class FakeEventSource {
      closed = false;
      constructor(url) {
        this.url = url;
        platform.eventSources.push(this);
        changes.emit('eventSource', this);
      }
      close() {
        this.closed = true;
      }
      accept() {
        this.onopen?.(new Event('open'));
      }
      receive(data) {
        this.onmessage?.({ data });
      }
      fail() {
        this.onerror?.(new Event('error'));
      }
    },
    // Each request waits for the test to respond() or fail() it; an abort rejects it as fetch does.
    fetch(url, init = {}) {
      return new Promise((resolve, reject) => {
        const request = {
          url,
          init,
          aborted: false,
          answered: false,
          respond(status, body) {
            request.answered = true;
            resolve(new Response(body, { status }));
          },
          fail() {
            request.answered = true;
            reject(new TypeError('fetch failed'));
          },
        };
        init.signal?.addEventListener('abort', () => {
          request.aborted = true;
          reject(init.signal.reason);
        });
        platform.requests.push(request);
        changes.emit('request', request);
      });
    },
    AbortController,
  };
  return platform;
}
