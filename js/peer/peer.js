// A remote peer of the room, as the app sees it: its state and events, and the calls that go to the
// core through the client (`host`). The connection, negotiation and channels live in the core and
// in platform/peer_connections.js; this object only forwards.
import { emit, Listenable } from '../emitter.js';

export const PEER_EVENT_NAMES = ['state', 'message', 'channel', 'track', 'transfer', 'error'];
// The client's handle on what the app may not do: change the state, emit events.
export const peerControl = Symbol('peerControl');
const constructionKey = Symbol('RtcwirePeer');

export function createPeer(host, { peer, user, polite }) {
  return new RtcwirePeer(constructionKey, host, peer, user ?? null, polite === true);
}

export class RtcwirePeer extends Listenable {
  #host;
  #id;
  #user;
  #polite;
  #state = 'new';

  constructor(key, host, id, user, polite) {
    if (key !== constructionKey) throw new TypeError('peers come from the client');
    super(PEER_EVENT_NAMES);
    this.#host = host;
    this.#id = id;
    this.#user = user;
    this.#polite = polite;
    this[peerControl] = {
      setState: (state) => {
        this.#state = state;
        emit(this, 'state', state);
      },
      emit: (name, ...args) => emit(this, name, ...args),
    };
  }

  /** The peer's id in the room (its client's peerId). */
  get id() {
    return this.#id;
  }
  /** Its user (its token's `sub`), or null. */
  get user() {
    return this.#user;
  }
  /** Whether this side yields when both sides offer at once (perfect negotiation). */
  get polite() {
    return this.#polite;
  }
  /** 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed' */
  get state() {
    return this.#state;
  }

  /** Sends `data` on the peer's reliable ordered channel (queued until it opens). */
  send(data) {
    this.#host.send(this.#id, data);
  }
  /** Opens an app channel to this peer; the remote app gets a 'channel' event. */
  channel(label, options) {
    return this.#host.openChannel(this.#id, label, options);
  }
  /** Streams a Blob (a File) to this peer: see docs/api.md, "Files". */
  sendFile(blob, options) {
    return this.#host.sendFile(this.#id, blob, options);
  }
  /** Restarts ICE now (the core also does by itself when the connection fails). */
  restartIce() {
    this.#host.restartIce(this.#id);
  }
  /** A summary of the connection's statistics. */
  getStats() {
    return this.#host.stats(this.#id);
  }
  /** Connects to this peer (only needed with `peers.autoConnect: false`). */
  connect() {
    this.#host.connect(this.#id);
  }
  /** Hangs up this peer only; the state becomes 'closed'. */
  close() {
    this.#host.close(this.#id);
  }
}
