// A stock Node `engine.io` server (the npm package, written by others) speaking a minimal rtcwire
// envelope v1 in JS: hello -> welcome, join -> joined (+ presence), leave -> left, publish relayed
// to the room, direct relayed to one peer. Its http.Server also serves the e2e test app at /app/
// and the SDK at /dist (the bundle, as packed), so the page and Engine.IO share one origin.
//
//   const server = await startStockServer({ transports: ['polling', 'websocket'] });
//   ... server.url, server.refusals (requests engine.io refused), server.sessions ...
//   await server.stop();
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Server } from 'engine.io';
import { assertBundleFresh } from '../../lib/fresh_bundle.mjs';
import { repoRoot } from '../../lib/server_process.mjs';

assertBundleFresh();

const MAX_MESSAGE_BYTES = 65536;
const MOUNTS = [
  ['/app/', 'tests/e2e/fixtures/'],
  ['/dist/', 'dist/'],
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

async function serveStatic(request, response) {
  const { pathname } = new URL(request.url, 'http://localhost');
  const mount = MOUNTS.find(([prefix]) => pathname.startsWith(prefix));
  const relative = mount && decodeURIComponent(pathname.slice(mount[0].length)) || 'index.html';
  const root = mount && path.join(repoRoot, mount[1]);
  const file = root && path.join(root, relative);
  if (!file || !file.startsWith(root)) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
}

// Server envelopes that travel with a seq (docs/protocol.md §2.1).
const UNSEQUENCED = new Set(['welcome', 'ack', 'goaway']);

// The rtcwire envelope over one engine.io socket; `rooms` maps room name -> Set of peers. It
// numbers what it sends and acks what it receives, but keeps nothing for a resume: a client that
// asks to resume gets a new session.
class Peer {
  constructor(socket, rooms, peers) {
    this.socket = socket;
    this.id = randomBytes(12).toString('base64url');
    this.room = null;
    this.rooms = rooms;
    this.peers = peers;
    this.welcomed = false;
    this.sentSeq = 0;
    this.receivedSeq = 0;
    socket.on('message', (data) => this.#receive(data));
    socket.on('close', () => {
      this.#leave();
      this.peers.delete(this.id);
    });
  }

  send(envelope) {
    const sequenced = !UNSEQUENCED.has(envelope.t) && this.welcomed;
    const seq = sequenced ? { seq: ++this.sentSeq } : {};
    this.socket.send(JSON.stringify({ v: 1, ...seq, ...envelope }));
  }

  #receive(data) {
    let envelope;
    try {
      envelope = JSON.parse(String(data));
    } catch {
      this.send({ t: 'error', code: 'malformed_json', message: 'not JSON' });
      return;
    }
    if (envelope?.v !== 1) {
      this.send({ t: 'error', code: 'unsupported_version', message: 'v must be 1' });
      return;
    }
    if (!this.welcomed && envelope.t !== 'hello') {
      this.send({ t: 'error', code: 'invalid_state', message: 'hello first' });
      return;
    }
    if (Number.isInteger(envelope.seq)) {
      if (envelope.seq <= this.receivedSeq) return;
      this.receivedSeq = envelope.seq;
      this.send({ t: 'ack', ack: this.receivedSeq });
    }
    switch (envelope.t) {
      case 'hello':
        this.welcomed = true;
        this.peers.set(this.id, this);
        this.send({
          t: 'welcome',
          peer: this.id,
          session: randomBytes(16).toString('base64url'),
          token: randomBytes(16).toString('base64url'),
          maxMessageBytes: MAX_MESSAGE_BYTES,
          resumed: false,
          ack: 0,
          ...(envelope.resume ? { resumeError: 'session_expired' } : {}),
        });
        break;
      case 'ack':
        break;
      case 'join': {
        this.#leave();
        const members = this.rooms.get(envelope.room) ?? new Set();
        this.rooms.set(envelope.room, members);
        this.send({ t: 'joined', room: envelope.room, peers: [...members].map((peer) => peer.id) });
        for (const peer of members) peer.send({ t: 'peer-joined', peer: this.id });
        members.add(this);
        this.room = envelope.room;
        break;
      }
      case 'leave': {
        const room = this.room;
        this.#leave();
        this.send({ t: 'left', room });
        break;
      }
      case 'publish':
        for (const peer of this.rooms.get(this.room) ?? []) {
          if (peer !== this) peer.send({ t: 'publish', from: this.id, data: envelope.data });
        }
        break;
      case 'direct':
      case 'signal': {
        const target = this.peers.get(envelope.to);
        if (!target || target.room !== this.room || this.room === null) {
          this.send({ t: 'error', code: 'peer_not_found', message: 'no such peer in your room' });
          break;
        }
        target.send({ t: envelope.t, from: this.id, data: envelope.data });
        break;
      }
      default:
        this.send({ t: 'error', code: 'unknown_type', message: `unknown type ${envelope.t}` });
    }
  }

  #leave() {
    const members = this.rooms.get(this.room);
    this.room = null;
    if (!members) return;
    members.delete(this);
    for (const peer of members) peer.send({ t: 'peer-left', peer: this.id });
  }
}

/** `options` go to the engine.io Server (transports, pingInterval, pingTimeout, ...). */
export async function startStockServer(options = {}) {
  const httpServer = http.createServer((request, response) => {
    serveStatic(request, response).catch(() => response.destroy());
  });
  const engine = new Server(options);
  engine.attach(httpServer, { path: '/engine.io/' });
  const rooms = new Map();
  const peers = new Map();
  const sessions = [];
  const refusals = [];
  engine.on('connection', (socket) => sessions.push(new Peer(socket, rooms, peers)));
  engine.on('connection_error', ({ req, code, message }) => {
    refusals.push({ url: req.url, code, message });
  });
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', resolve);
  });
  const { port } = httpServer.address();
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    sessions,
    refusals,
    async stop() {
      engine.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}
