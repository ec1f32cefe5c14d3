// The public client: forwards app calls and platform events to the Wasm core, executes the
// actions the core returns and turns its events into app events. All protocol logic is in the core.
import { Emitter } from './emitter.js';
import { errorFromValue, localError } from './errors.js';
import { channelControl, createChannel } from './peer/channel.js';
import { toPayload } from './peer/payload.js';
import { FileTransfers } from './peer/file_transfer.js';
import { createPeer, peerControl } from './peer/peer.js';
import { DeadlineTimer } from './platform/deadline_timer.js';
import { MediaHandles } from './platform/media_handles.js';
import { PeerConnections } from './platform/peer_connections.js';
import { Transports } from './platform/transports.js';

const EVENT_NAMES = [
  'state',
  'transport',
  'joined',
  'left',
  'peer-joined',
  'peer-left',
  'message',
  'signal',
  'resync',
  'peer',
  'error',
];
// The channels the core opens for itself on every connection: peer.send() and file transfers.
const DEFAULT_CHANNEL = 'rtcwire';
const FILES_CHANNEL = 'rtcwire-files';
// What peer.send() holds for a peer whose default channel does not exist yet (the side that
// answers has no connection until the offer comes): the core's high water for one channel.
const HELD_BYTES_MAX = 1024 * 1024;
const NO_PEERS = Object.freeze([]);
const constructionKey = Symbol('RtcwireClient');
// A client the app drops without close() (say, once disconnected) still frees its Wasm object.
const abandonedCores = new FinalizationRegistry((core) => core.delete());

// `rememberTransport(transport, until)` keeps the core's advice on which transport to start with
// next time (see index.js).
// `getToken`: gives fresh connection tokens (or null). `platform`: see platform/platform.js.
// `provideIceServers`: resolves with the iceServersProvider's JSON text, or rejects with why (or null).
export function createClient(core, rememberTransport, getToken, platform, provideIceServers = null) {
  return new RtcwireClient(constructionKey, core, rememberTransport, getToken, platform, provideIceServers);
}

export class RtcwireClient {
  #core;
  #platform;
  #emitter = new Emitter(EVENT_NAMES);
  #transports;
  #peerConnections;
  #media = new MediaHandles();
  // The handles the local stream holds (its tracks and the stream, one hold per track).
  #localMedia = [];
  #timer;
  #rememberTransport;
  #getToken;
  #provideIceServers;
  // Every core call replies with its answer and the outputs it produced (see #take). The replies
  // wait in #replies, oldest first, until #drain handles them; platform events that come meanwhile
  // wait in #queuedInputs (see #input).
  #draining = false;
  #replies = [];
  #queuedInputs = [];
  #onNetworkChange;
  #onPageHide;

  #state = 'idle';
  #transport = null;
  #peerId = null;
  #room = null;
  #peers = NO_PEERS;
  #users = new Map();
  #maxMessageBytes = null;

  #pendingConnects = [];
  // Joins by the request id the core gave them; its `joined` or `error` event names it back.
  #pendingJoins = new Map();
  #pendingLeaves = [];

  // The peer layer: remote peers by id, app channels by handle, getStats() answers by op.
  #remotePeers = new Map();
  #channels = new Map();
  #pendingStats = new Map();
  // peer id -> { messages: [payload], bytes }: peer.send() before the peer had a default channel.
  #held = new Map();
  // Promises of the track replacements started by the command being drained (see #mediaCommand).
  #mediaChanges = null;
  // File transfers (js/peer/file_transfer.js): the bytes of the transfers the core runs.
  #files = new FileTransfers({
    command: (call, accepted) => this.#command(call, accepted),
    input: (call, answered) => this.#input((now) => call(this.#core, now), answered),
    sendOnChannel: (channel, data) => this.#peerConnections.sendNow(channel, data),
    peer: (peerId) => this.peer(peerId),
    emitTransfer: (peer, transfer) => peer[peerControl].emit('transfer', transfer),
    error: (error) => this.#emitter.emit('error', error),
  });
  #peerHost = {
    send: (peerId, data) => this.#sendTo(peerId, data),
    openChannel: (peerId, label, options) => this.#openChannel(peerId, label, options),
    sendFile: (peerId, blob, options) => this.#files.send(peerId, blob, options),
    restartIce: (peerId) => this.#command((core, now) => core.peerRestartIce(peerId, now)),
    stats: (peerId) => this.#stats(peerId),
    connect: (peerId) => this.#command((core, now) => core.peerConnect(peerId, now)),
    close: (peerId) => this.#command((core, now) => core.peerClose(peerId, now)),
    enqueue: (channel, data) => this.#enqueue(channel, data),
    closeChannel: (channel) => this.#command((core, now) => core.channelClose(channel, now)),
    bufferedAmount: (channel) => this.#peerConnections.bufferedAmount(channel),
  };

  constructor(key, core, rememberTransport, getToken, platform, provideIceServers) {
    if (key !== constructionKey) throw new TypeError('use connect() to create an rtcwire client');
    this.#core = core;
    this.#platform = platform;
    this.#rememberTransport = rememberTransport;
    this.#getToken = getToken;
    this.#provideIceServers = provideIceServers;
    abandonedCores.register(this, core, this);
    this.#timer = new DeadlineTimer(platform, () => this.#input((now) => core.timerFired(now)));
    this.#transports = new Transports(platform, {
      open: (generation) => this.#input((now) => core.transportOpen(generation, now)),
      text: (generation, text) => this.#input((now) => core.transportText(generation, text, now)),
      binary: (generation, bytes) =>
        this.#input((now) => core.transportBinary(generation, bytes, now)),
      closed: (generation) => this.#input((now) => core.transportClosed(generation, now)),
      error: (generation, reason) =>
        this.#input((now) => core.transportError(generation, reason, now)),
      response: (generation, id, status, body) =>
        this.#input((now) => core.httpResponse(generation, id, status, body, now)),
    });
    this.#peerConnections = new PeerConnections(
      platform,
      {
        event: (event) =>
          this.#input(
            (now) => core.peerEvent(JSON.stringify(event), now),
            (reply) => this.#reportFailure(reply),
          ),
        message: (channel, data) => this.#deliver(channel, data),
      },
      this.#media,
    );
    // The browser knows when the network goes and comes back: hold retries while offline and
    // retry at once when it is back.
    this.#onNetworkChange = () =>
      this.#input((now) => core.networkChange(platform.isOnline(), now));
    platform.addEventListener('online', this.#onNetworkChange);
    platform.addEventListener('offline', this.#onNetworkChange);
    if (!platform.isOnline()) this.#take(core.networkChange(false, platform.now()));
    // A page that goes away says goodbye, so its room sees it leave now rather than after the
    // server's resume window (a lost connection, by contrast, is kept for a resume).
    this.#onPageHide = () => this.close();
    platform.addEventListener('pagehide', this.#onPageHide);
  }

  /** 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed' */
  get state() {
    return this.#state;
  }
  /** 'websocket' | 'sse' | 'polling' while connected (it changes on an upgrade); null otherwise. */
  get transport() {
    return this.#transport;
  }
  /** This client's id in its session, given by the server; kept while reconnecting. */
  get peerId() {
    return this.#peerId;
  }
  /** The joined room, or null. */
  get room() {
    return this.#room;
  }
  /** The other peers in the room, in the order they appeared (a frozen snapshot). */
  get peers() {
    return this.#peers;
  }
  /** A peer's user (its token's `sub`), or null. */
  userOf(peerId) {
    return this.#users.get(peerId) ?? null;
  }
  /** The largest envelope the server accepts, known once connected. */
  get maxMessageBytes() {
    return this.#maxMessageBytes;
  }
  /** Bytes sent (or queued while reconnecting) that the server has not acknowledged yet. */
  get bufferedAmount() {
    return this.#core ? this.#core.bufferedAmount() : 0;
  }
  /** The remote peers of the room (RtcwirePeer objects), in the order they appeared. */
  get remotePeers() {
    return [...this.#remotePeers.values()];
  }
  /** The remote peer `peerId`, or null. */
  peer(peerId) {
    return this.#remotePeers.get(peerId) ?? null;
  }

  on(name, listener) {
    return this.#emitter.on(name, listener);
  }
  once(name, listener) {
    return this.#emitter.once(name, listener);
  }
  off(name, listener) {
    this.#emitter.off(name, listener);
  }

  /** Connects again after a disconnection; resolves once connected. */
  reconnect() {
    let pending;
    return this.#request(
      (resolve, reject) => this.#pendingConnects.push((pending = { resolve, reject })),
      () => (this.#pendingConnects = this.#pendingConnects.filter((entry) => entry !== pending)),
      (core, now) => core.connect(now),
    );
  }

  /** Joins `room` (leaving any other); resolves with the room and the peers already there. */
  join(room) {
    requireString(room, 'room');
    let pending;
    const answer = new Promise((resolve, reject) => (pending = { resolve, reject }));
    this.#command(
      (core, now) => core.join(room, now),
      // The core's request id; the answer may be among the outputs of this very call.
      (request) => this.#pendingJoins.set(request, pending),
    );
    return answer;
  }

  /** Leaves the room; resolves once the server confirms, or once the connection is gone. */
  leave() {
    let pending;
    return this.#request(
      (resolve) => this.#pendingLeaves.push((pending = resolve)),
      () => (this.#pendingLeaves = this.#pendingLeaves.filter((entry) => entry !== pending)),
      (core, now) => core.leave(now),
    );
  }

  /** Sends `data` (any JSON value) to every other peer of the room. */
  publish(data) {
    const json = encodeData(data);
    this.#command((core, now) => core.publish(json, now));
  }

  /** Sends `data` (any JSON value) to one peer of the room, relayed by the server. */
  send(peerId, data) {
    requireString(peerId, 'peerId');
    const json = encodeData(data);
    this.#command((core, now) => core.send(peerId, json, now));
  }

  /** Sends WebRTC signalling `data` to one peer of the room. */
  signal(peerId, data) {
    requireString(peerId, 'peerId');
    const json = encodeData(data);
    this.#command((core, now) => core.signal(peerId, json, now));
  }

  /**
   * Sends the tracks of `stream` to every peer (and to peers that come later), replacing the
   * previous stream's; null stops sending. Resolves once the connections use them.
   */
  setLocalStream(stream) {
    if (stream !== null && typeof stream?.getTracks !== 'function') {
      throw localError('invalid_argument', 'stream must be a MediaStream or null');
    }
    const tracks = (stream?.getTracks() ?? []).map((track) => ({
      track: this.#media.hold(track),
      kind: track.kind,
      stream: this.#media.hold(stream),
    }));
    const json = JSON.stringify(tracks);
    return this.#holdingLocal(
      tracks.flatMap(({ track, stream: streamHandle }) => [track, streamHandle]),
      this.#localMedia,
      (core, now) => core.setLocalTracks(json, now),
    );
  }

  /** Replaces a local track on every connection (null: send nothing, e.g. mute); no renegotiation. */
  replaceTrack(oldTrack, newTrack) {
    const oldHandle = this.#media.handleOf(oldTrack);
    if (oldHandle === undefined) {
      throw localError('invalid_argument', 'oldTrack is not a track of the local stream');
    }
    if (newTrack !== null && typeof newTrack?.kind !== 'string') {
      throw localError('invalid_argument', 'newTrack must be a MediaStreamTrack or null');
    }
    // Handle 0 is never given: it stands for no track (a mute keeps the old track held).
    const newHandle = newTrack === null ? 0 : this.#media.hold(newTrack);
    return this.#holdingLocal(
      newHandle === 0 ? [] : [newHandle],
      newHandle === 0 ? [] : [oldHandle],
      (core, now) => core.replaceTrack(oldHandle, newHandle, now),
    );
  }

  // A local media change holding `held` (handles just held) in place of `replaced`: the holds
  // are kept if the core takes the change, given back if it refuses it.
  #holdingLocal(held, replaced, call) {
    let result;
    try {
      result = this.#mediaCommand(call);
    } catch (error) {
      held.forEach((handle) => this.#media.release(handle));
      throw error;
    }
    const local = [...this.#localMedia];
    for (const handle of replaced) {
      const at = local.indexOf(handle);
      if (at >= 0) local.splice(at, 1);
    }
    replaced.forEach((handle) => this.#media.release(handle));
    this.#localMedia = local.concat(held);
    return result;
  }

  /**
   * Replaces the app's ICE servers (and the policy, when given); live connections take a changed
   * list by setConfiguration and an ICE restart, without dropping channels or media.
   */
  setIceServers(iceServers, options = {}) {
    const policy = options?.iceTransportPolicy ?? '';
    if (!Array.isArray(iceServers) || typeof policy !== 'string') {
      throw localError('invalid_argument', 'setIceServers(iceServers[], {iceTransportPolicy?})');
    }
    const json = JSON.stringify(iceServers);
    this.#command((core, now) => core.setIceServers(json, policy, now));
  }

  /** A connection token for the next hello, or, while connected, a refresh. */
  useToken(token) {
    this.#command((core, now) => core.setToken(token, now));
  }

  /** Closes the connection for good and frees the core. Safe to call more than once. */
  close() {
    if (!this.#core) return;
    this.#take(this.#core.close(this.#platform.now()));
    this.#drain();
  }

  // An app command: `call(core, now)` calls the core and returns its reply. A local error throws
  // synchronously and changes nothing; otherwise `accepted(result)` runs before the outputs are
  // handled (so it can register what they may already answer).
  #command(call, accepted) {
    if (!this.#core) throw localError('not_connected', 'the client is closed');
    const { error, result } = this.#take(call(this.#core, this.#platform.now()));
    if (!error) accepted?.(result);
    this.#drain();
    if (error) throw errorFromValue(error);
  }

  // A command answered later by an event. The answer is awaited before the command runs: a
  // transport failing synchronously inside the command must still reach the promise.
  #request(register, unregister, call) {
    const answer = new Promise(register);
    try {
      this.#command(call);
    } catch (error) {
      unregister();
      throw error;
    }
    return answer;
  }

  // A media change: resolves once the track replacements it started are done (a failed one
  // leaves the old track on that connection: there is nothing the app could do about it).
  #mediaCommand(call) {
    const changes = (this.#mediaChanges = []);
    try {
      this.#command(call);
    } finally {
      this.#mediaChanges = null;
    }
    return Promise.allSettled(changes).then(() => undefined);
  }

  // Queues `data` on a data channel: the core counts it (backpressure, size limit) and says when
  // it goes; the bytes stay here.
  #enqueue(channel, data) {
    const { payload, bytes } = toPayload(data);
    this.#command(
      (core, now) => core.channelEnqueue(channel, bytes, now),
      // Before the outputs are handled: a channel-flush among them sends it.
      () => this.#peerConnections.enqueue(channel, payload, bytes),
    );
  }

  // peer.send(): on the newest default channel to that peer, or held until the core creates one.
  #sendTo(peerId, data) {
    const channel = this.#peerConnections.channelOf(peerId, DEFAULT_CHANNEL);
    if (channel !== null) {
      this.#enqueue(channel, data);
      return;
    }
    const state = this.#remotePeers.get(peerId)?.state;
    if (state === undefined || state === 'closed' || !this.#core) {
      throw localError('peer_closed', 'the connection to this peer is closed');
    }
    const { payload, bytes } = toPayload(data);
    const held = this.#held.get(peerId) ?? { messages: [], bytes: 0 };
    if (held.bytes + bytes > HELD_BYTES_MAX) {
      throw localError('buffer_full', 'too much data waits for the connection to this peer');
    }
    held.messages.push(payload);
    held.bytes += bytes;
    this.#held.set(peerId, held);
  }

  // The core created a default channel: what peer.send() held for its peer goes on it, in order.
  // A refusal now (say, message_too_large) is the peer's 'error' event: its send() has returned.
  #releaseHeld() {
    for (const [peerId, held] of this.#held) {
      const channel = this.#peerConnections.channelOf(peerId, DEFAULT_CHANNEL);
      if (channel === null) continue;
      this.#held.delete(peerId);
      for (const data of held.messages) {
        try {
          this.#enqueue(channel, data);
        } catch (error) {
          this.#remotePeers.get(peerId)?.[peerControl].emit('error', error);
        }
      }
    }
  }

  #openChannel(peerId, label, options = {}) {
    if (typeof label !== 'string') throw localError('invalid_argument', 'label must be a string');
    if (options === null || typeof options !== 'object') {
      throw localError('invalid_argument', 'channel options must be an object');
    }
    // The core checks the values.
    const { ordered, maxRetransmits, maxPacketLifeTime, protocol } = options;
    const settings = { ordered, maxRetransmits, maxPacketLifeTime, protocol };
    const json = JSON.stringify(settings);
    let channel;
    this.#command(
      (core, now) => core.channelOpen(peerId, label, json, now),
      // Registered before the outputs are handled: its events may be among them.
      (handle) => {
        channel = createChannel(this.#peerHost, handle, { label, ...settings }, 'connecting');
        this.#channels.set(handle, channel);
      },
    );
    return channel;
  }

  #stats(peerId) {
    let pending;
    const answer = new Promise((resolve, reject) => (pending = { resolve, reject, peerId }));
    this.#command(
      (core, now) => core.peerStats(peerId, now),
      (op) => this.#pendingStats.set(op, pending),
    );
    return answer;
  }

  #executePeerAction(action) {
    if (action.type.startsWith('file-')) {
      this.#files.execute(action);
      return;
    }
    const change = this.#peerConnections.execute(action);
    if (change) this.#mediaChanges?.push(change);
    if (action.type === 'channel-create' && action.label === DEFAULT_CHANNEL) this.#releaseHeld();
  }

  // A message from a data channel: bytes that never went through the core.
  #deliver({ peer, label, channel }, data) {
    if (label === DEFAULT_CHANNEL) this.#remotePeers.get(peer)?.[peerControl].emit('message', data);
    else if (label === FILES_CHANNEL) this.#files.receive(channel, data);
    else this.#channels.get(channel)?.[channelControl].emit('message', data);
  }

  // The core refused a peer event: the adapter sent something wrong. Not the app's fault, but
  // worth an 'error' event rather than silence.
  #reportFailure({ error }) {
    if (error) this.#emitter.emit('error', errorFromValue(error));
  }

  #forgetPeer(peerId, reason) {
    this.#remotePeers.delete(peerId);
    this.#held.delete(peerId);
    for (const [op, pending] of this.#pendingStats) {
      if (pending.peerId !== peerId) continue;
      this.#pendingStats.delete(op);
      pending.reject(reason);
    }
  }

  // A platform event: `call(now)` calls the core and returns its reply; `answered(reply)`, if
  // given, sees the reply's error or result before its outputs are handled. An event that comes
  // while replies are being handled (a platform object reporting synchronously while its action
  // is executed, say) waits until they all are, so it never overtakes them.
  #input(call, answered) {
    if (!this.#core) return;
    this.#queuedInputs.push({ call, answered });
    this.#drain();
  }

  // Each core call replies with one JSON text: {error?, result?, actions, peer, events, timeout}
  // (client/event_encoding.hpp). Its outputs join the queue here, in call order.
  #take(text) {
    const reply = JSON.parse(text);
    this.#replies.push(reply);
    return reply;
  }

  // Handles the queued replies, then the queued platform events one by one, until none are left.
  // A command from an event listener only calls the core: its reply waits behind the one being
  // handled, so events keep the core's order and every output is handled once.
  #drain() {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (;;) {
        const reply = this.#replies.shift();
        if (reply !== undefined) {
          this.#handle(reply);
          continue;
        }
        const input = this.#queuedInputs.shift();
        if (input === undefined) break;
        const answer = this.#take(input.call(this.#platform.now()));
        input.answered?.(answer);
      }
    } finally {
      this.#draining = false;
    }
    if (this.#state === 'closed') this.#release();
  }

  #handle({ actions, peer, timeout, events }) {
    for (const action of actions) this.#transports.execute(action);
    for (const action of peer) this.#executePeerAction(action);
    this.#timer.arm(timeout);
    for (const event of events) this.#dispatch(event);
  }

  #dispatch(event) {
    switch (event.type) {
      case 'state':
        this.#changeState(event);
        break;
      case 'transport':
        // While connecting, the 'connected' state names the transport that made it.
        if (this.#state !== 'connected' || event.transport === this.#transport) break;
        this.#transport = event.transport;
        this.#emitter.emit('transport', event.transport);
        break;
      case 'remember-transport':
        this.#rememberTransport(event.transport, event.until);
        break;
      case 'joined':
        this.#room = event.room;
        this.#peers = Object.freeze(event.peers);
        this.#users = new Map(Object.entries(event.users ?? {}));
        this.#settleJoin(event.request, (pending) =>
          pending.resolve({ room: event.room, peers: this.#peers }),
        );
        this.#emitter.emit('joined', { room: event.room, peers: this.#peers });
        break;
      case 'left':
        this.#leaveRoom();
        this.#emitter.emit('left', event.room);
        break;
      case 'peer-joined':
        this.#peers = Object.freeze([...this.#peers, event.peer]);
        if (event.user !== undefined) this.#users.set(event.peer, event.user);
        this.#emitter.emit('peer-joined', event.peer);
        break;
      case 'peer-left':
        this.#peers = Object.freeze(this.#peers.filter((peer) => peer !== event.peer));
        this.#users.delete(event.peer);
        this.#emitter.emit('peer-left', event.peer);
        break;
      case 'token-needed':
        this.#refreshToken();
        break;
      case 'ice-servers-needed':
        this.#provideIceServers?.().then(
          (json) => this.#input((now) => this.#core.iceServersProvided(json, now)),
          (reason) => this.#input((now) => this.#core.iceServersFailed(String(reason), now)),
        );
        break;
      case 'message':
        this.#emitter.emit('message', { from: event.from, kind: event.kind, data: event.data });
        break;
      case 'signal':
        this.#emitter.emit('signal', { from: event.from, data: event.data });
        break;
      case 'resync': {
        // The old session is gone with its room; its unanswered joins went with it.
        const reason = errorFromValue(event.reason);
        this.#rejectJoins(reason);
        this.#leaveRoom();
        this.#emitter.emit('resync', { reason, undelivered: event.undelivered });
        break;
      }
      case 'error': {
        // A refused join rejects its promise, and is an 'error' event like every refusal; a
        // peer's error is also that peer's 'error' event.
        const error = errorFromValue(event.error);
        this.#settleJoin(event.request, (pending) => pending.reject(error));
        if (event.peer !== undefined) this.#remotePeers.get(event.peer)?.[peerControl].emit('error', error);
        this.#emitter.emit('error', error);
        break;
      }
      case 'peer': {
        const peer = createPeer(this.#peerHost, event);
        this.#remotePeers.set(event.peer, peer);
        this.#emitter.emit('peer', peer);
        break;
      }
      case 'peer-state': {
        const peer = this.#remotePeers.get(event.peer);
        if (!peer) break;
        if (event.state === 'closed') {
          this.#forgetPeer(event.peer, localError('peer_closed', 'the connection to this peer closed'));
        }
        peer[peerControl].setState(event.state);
        break;
      }
      case 'channel': {
        // The core's own channels are reached through peer.send() and peer.sendFile().
        const peer = this.#remotePeers.get(event.peer);
        if (!peer || event.label === DEFAULT_CHANNEL || event.label === FILES_CHANNEL) break;
        const channel = createChannel(this.#peerHost, event.channel, event, 'open');
        this.#channels.set(event.channel, channel);
        peer[peerControl].emit('channel', channel);
        break;
      }
      case 'channel-state': {
        const channel = this.#channels.get(event.channel);
        if (!channel) break;
        if (event.state === 'closed') this.#channels.delete(event.channel);
        channel[channelControl].setState(event.state);
        break;
      }
      case 'track':
        this.#remotePeers.get(event.peer)?.[peerControl].emit('track', {
          track: this.#media.get(event.track),
          streams: event.streams.map((stream) => this.#media.get(Number(stream))),
        });
        break;
      case 'transfer':
      case 'transfer-progress':
      case 'transfer-done':
      case 'transfer-failed':
        this.#files.event(event);
        break;
      case 'peer-stats': {
        const pending = this.#pendingStats.get(event.op);
        if (!pending) break;
        this.#pendingStats.delete(event.op);
        if (event.stats) pending.resolve(event.stats);
        else pending.reject(localError('invalid_state', 'the browser gave no statistics for this connection'));
        break;
      }
    }
  }

  #changeState({ state, error, peerId, maxMessageBytes, transport, attempt, retryIn, resumed }) {
    this.#state = state;
    const reason = error ? errorFromValue(error) : undefined;
    let details = {};
    if (state === 'connected') {
      this.#peerId = peerId;
      this.#maxMessageBytes = maxMessageBytes;
      this.#transport = transport ?? null;
      details = { resumed: resumed === true };
      for (const pending of this.#pendingConnects.splice(0)) pending.resolve();
    } else if (state === 'reconnecting') {
      // The session, its room and the requests made meanwhile wait for the resume.
      details = { attempt, retryIn: retryIn ?? null };
      this.#transport = null;
    } else if (state === 'disconnected' || state === 'closed') {
      // No answer is coming without a reconnect(); the room is kept until the session is known
      // to be gone (a reconnect() may still resume it), except once closed.
      const cause =
        reason ?? localError('not_connected', 'the client was closed before the server answered');
      this.#transport = null;
      for (const pending of this.#pendingConnects.splice(0)) pending.reject(cause);
      this.#rejectJoins(cause);
      for (const resolve of this.#pendingLeaves.splice(0)) resolve();
      if (state === 'closed') {
        this.#peerId = null;
        this.#leaveRoom();
      }
    }
    this.#emitter.emit('state', state, reason, details);
    if (state === 'connected' && this.#transport !== null) {
      this.#emitter.emit('transport', this.#transport);
    }
  }

  // A failing token function is an 'error' event.
  #refreshToken() {
    this.#getToken
      ?.()
      .then((token) => this.#core && this.useToken(token))
      .catch((error) => this.#core && this.#emitter.emit('error', error));
  }

  // Settles the join the core named by `request`, if one is pending under it.
  #settleJoin(request, settle) {
    const pending = this.#pendingJoins.get(request);
    if (pending === undefined) return;
    this.#pendingJoins.delete(request);
    settle(pending);
  }

  #rejectJoins(reason) {
    const pending = [...this.#pendingJoins.values()];
    this.#pendingJoins.clear();
    for (const { reject } of pending) reject(reason);
  }

  #leaveRoom() {
    this.#room = null;
    this.#peers = NO_PEERS;
    this.#users = new Map();
    for (const resolve of this.#pendingLeaves.splice(0)) resolve();
  }

  // The core is gone after this: every later call sees a closed client.
  #release() {
    this.#platform.removeEventListener('online', this.#onNetworkChange);
    this.#platform.removeEventListener('offline', this.#onNetworkChange);
    this.#platform.removeEventListener('pagehide', this.#onPageHide);
    this.#queuedInputs.length = 0;
    this.#replies.length = 0;
    this.#timer.cancel();
    this.#transports.closeAll();
    this.#peerConnections.closeAll();
    // Peers the core did not report closed (it reports them as it closes) still end here.
    for (const [peerId, peer] of [...this.#remotePeers]) {
      this.#forgetPeer(peerId, localError('not_connected', 'the client is closed'));
      peer[peerControl].setState('closed');
    }
    abandonedCores.unregister(this);
    this.#core.delete();
    this.#core = null;
  }
}

function requireString(value, name) {
  if (typeof value !== 'string') throw localError('invalid_argument', `${name} must be a string`);
}

function encodeData(data) {
  let json;
  try {
    json = JSON.stringify(data);
  } catch (cause) {
    throw localError('invalid_argument', `data cannot be encoded as JSON: ${cause.message}`, {
      cause,
    });
  }
  if (json === undefined) throw localError('invalid_argument', 'data must be a JSON value');
  return json;
}
