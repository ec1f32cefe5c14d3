// Test peers for rtcwire-server: the stock engine.io-client speaking rtcwire envelopes, and a raw
// `ws` websocket for what a well-behaved client would never send. Every wait is bounded.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Socket } from 'engine.io-client';
import WebSocket from 'ws';

export const WAIT_MS = 3000;

/**
 * A server envelope as the tests compare it: the ack the server piggybacks on every sequenced
 * envelope (docs/protocol.md §2.1) is left out; `piggybackedAck` tests read it from the raw text.
 * welcome, ack and goaway keep theirs: there it is their own field.
 */
export function parseEnvelope(text) {
  const envelope = JSON.parse(text);
  if (envelope !== null && typeof envelope === 'object' && 'seq' in envelope) delete envelope.ack;
  return envelope;
}

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
export function within(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Items arriving over time; `next` takes the first one (queued or future) matching `match`. */
export class Inbox {
  #items = [];
  #waiters = [];

  push(item) {
    const waiter = this.#waiters.find((w) => w.match(item));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(item);
    } else {
      this.#items.push(item);
    }
  }

  next(match = () => true, what = 'the next item', ms = WAIT_MS) {
    const index = this.#items.findIndex(match);
    if (index >= 0) return Promise.resolve(this.#items.splice(index, 1)[0]);
    const waiter = { match };
    const arrived = new Promise((resolve) => {
      waiter.resolve = resolve;
    });
    this.#waiters.push(waiter);
    return within(arrived, what, ms).finally(() => {
      const at = this.#waiters.indexOf(waiter);
      if (at >= 0) this.#waiters.splice(at, 1);
    });
  }

  /** Everything received and not yet taken. */
  pending() {
    return [...this.#items];
  }
}

/**
 * An engine.io-client socket exchanging rtcwire envelopes; websocket only unless `transports` says
 * otherwise. Other options go to the engine.io-client Socket.
 */
export class EnvelopePeer {
  constructor(url, { transports = ['websocket'], ...options } = {}) {
    this.socket = new Socket(url, { transports, reconnection: false, ...options });
    this.inbox = new Inbox();
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (reason, description) => resolve({ reason, description }));
    });
    this.handshake = new Promise((resolve) => this.socket.once('handshake', resolve));
    this.lastSeq = 0;
    this.socket.on('message', (data) => {
      if (typeof data !== 'string') {
        this.inbox.push({ binary: data });
        return;
      }
      const envelope = parseEnvelope(data);
      // The hub resends what this peer never acknowledged (protocol.md §2.1): like the SDK, take
      // each seq once.
      if (typeof envelope?.seq === 'number') {
        if (envelope.seq <= this.lastSeq) return;
        this.lastSeq = envelope.seq;
      }
      this.inbox.push(envelope);
    });
  }

  static async connect(url, options) {
    const peer = new EnvelopePeer(url, options);
    await within(
      new Promise((resolve, reject) => {
        peer.socket.once('open', resolve);
        peer.socket.once('error', reject);
      }),
      'the engine.io-client socket to open',
    );
    return peer;
  }

  /** Connects and says hello; resolves with the peer, its `welcome` envelope kept as `welcome`. */
  static async welcomed(url, options) {
    const peer = await EnvelopePeer.connect(url, options);
    peer.send({ v: 1, t: 'hello', sdk: 'server-tests/1' });
    peer.welcome = await peer.expect('welcome');
    peer.id = peer.welcome.peer;
    return peer;
  }

  send(envelope) {
    this.socket.send(typeof envelope === 'string' ? envelope : JSON.stringify(envelope));
  }

  /** The next envelope of type `type` (and matching `match`). */
  expect(type, match = () => true, ms = WAIT_MS) {
    return this.inbox.next((e) => e.t === type && match(e), `a '${type}' envelope`, ms);
  }

  async expectError(code, ms = WAIT_MS) {
    const error = await this.expect('error', () => true, ms);
    if (error.code !== code) {
      throw new Error(`expected error ${code}, got ${JSON.stringify(error)}`);
    }
    return error;
  }

  async join(room) {
    this.send({ v: 1, t: 'join', room });
    return this.expect('joined', (e) => e.room === room);
  }

  close() {
    this.socket.close();
    return within(this.closed, 'the engine.io-client socket to close');
  }
}

/** A raw websocket to /engine.io/: frames arrive in `frames`, closing resolves `closed`. */
export class RawEngineioSocket {
  constructor(url, query = 'EIO=4&transport=websocket') {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/engine.io/?${query}`, {
      perMessageDeflate: false,
      autoPong: true,
    });
    this.frames = new Inbox();
    this.ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { binary: data } : data.toString());
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on('error', () => {});  // surfaces as 'close', which the tests await
  }

  static async open(url) {
    const socket = new RawEngineioSocket(url);
    await within(new Promise((resolve) => socket.ws.once('open', resolve)), 'the raw websocket');
    const open = await socket.frames.next((f) => typeof f === 'string', 'the open packet');
    if (!open.startsWith('0')) throw new Error(`expected an open packet, got ${open}`);
    socket.openInfo = JSON.parse(open.slice(1));
    return socket;
  }

  send(frame, options = {}) {
    this.ws.send(frame, options);
  }

  /** The next Engine.IO message packet ('4...'), parsed as an envelope. */
  async nextEnvelope(ms = WAIT_MS) {
    const frame = await this.frames.next(
      (f) => typeof f === 'string' && f.startsWith('4'),
      'a message packet',
      ms,
    );
    return parseEnvelope(frame.slice(1));
  }

  waitClosed(what = 'the server to close the websocket', ms = WAIT_MS) {
    return within(this.closed, what, ms);
  }

  terminate() {
    this.ws.terminate();
  }
}

/**
 * Sends a websocket upgrade request by hand and resolves with the HTTP answer when it is not a
 * 101 (status, headers, body), so refused upgrades can be inspected.
 */
export function upgradeRequest(url, requestPath) {
  const { hostname, port } = new URL(url);
  return within(
    new Promise((resolve, reject) => {
      const request = http.request({
        hostname,
        port,
        path: requestPath,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        },
      });
      request.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve({ status: response.statusCode, headers: response.headers, body: '' });
      });
      request.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      });
      request.on('error', reject);
      request.end();
    }),
    `the answer to the upgrade of ${requestPath}`,
  );
}

/** A plain HTTP request whose path is sent exactly as given (no URL normalisation). */
export function rawRequest(url, requestPath, method = 'GET') {
  const { hostname, port } = new URL(url);
  return within(
    new Promise((resolve, reject) => {
      const request = http.request({ hostname, port, path: requestPath, method, agent: false });
      request.on('response', (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      });
      request.on('error', reject);
      request.end();
    }),
    `the answer to ${method} ${requestPath}`,
  );
}
