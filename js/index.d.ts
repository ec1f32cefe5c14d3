// Type declarations for the public API of rtcwire (hand-written: the JS sources are plain ES modules).

/** Any value JSON can carry, as messages deliver it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What publish(), send() and signal() accept: a JSON value, or an object (such as an interface
 * type) that JSON.stringify encodes. Values it cannot encode throw invalid_argument.
 */
export type JsonInput = JsonValue | object;

export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'disconnected'
  | 'closed';

/**
 * How the session reaches the server: a WebSocket, Server-Sent Events downstream with POSTs
 * upstream, or HTTP long-polling.
 */
export type TransportName = 'websocket' | 'sse' | 'polling';

/** Where an error lies: the app's misuse, the server (refusal or protocol violation), or the network. */
export type ErrorOrigin = 'local' | 'remote' | 'transport';

/** Stable error codes, shared with the C++ core and the server (see docs/api.md). */
export type ErrorCode =
  | 'malformed_packet'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'unsupported_version'
  | 'unknown_type'
  | 'message_too_large'
  | 'invalid_room'
  | 'invalid_peer'
  | 'not_in_room'
  | 'peer_not_found'
  | 'not_connected'
  | 'invalid_state'
  | 'handshake_timeout'
  | 'ping_timeout'
  | 'transport_closed'
  | 'transport_error'
  | 'server_closed'
  | 'invalid_argument'
  | 'internal'
  | 'session_expired'
  | 'buffer_overflow'
  | 'buffer_full'
  | 'invalid_sequence'
  | 'going_away'
  | 'too_many_sessions'
  | 'rate_limited'
  | 'server_busy'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden_room'
  | 'forbidden_publish'
  | 'hash_mismatch'
  | 'transfer_rejected'
  | 'transfer_cancelled'
  | 'invalid_transfer'
  | 'too_many_transfers'
  | 'invalid_signal'
  | 'ice_failed'
  | 'channel_closed'
  | 'negotiation_failed'
  | 'peer_closed'
  | 'turn_not_configured'
  | 'turn_failed'
  | 'ice_servers_unavailable'
  | 'invalid_ice_servers';

export class RtcwireError extends Error {
  readonly name: 'RtcwireError';
  readonly code: ErrorCode;
  readonly origin: ErrorOrigin;
  constructor(code: ErrorCode, origin: ErrorOrigin, message: string, options?: ErrorOptions);
}

export interface ConnectOptions {
  /**
   * Milliseconds each transport attempt may take from opening to the server's welcome, an
   * integer from 1 to 3600000 (default 5000). A transport that has not completed the Engine.IO
   * handshake by then counts as failed and the next one is tried.
   */
  handshakeTimeout?: number;
  /**
   * The transport ladder, tried in this order: 1 to 3 distinct names (default
   * ['websocket', 'sse', 'polling']). With 'websocket' in the list, a session that starts on
   * 'sse' or 'polling' is upgraded to websocket when the server offers it.
   */
  transports?: readonly TransportName[];
  /**
   * Reconnection after an established connection is lost: exponential backoff with full jitter
   * (each wait is random between 0 and min(maxDelay, initialDelay * factor^(attempt-1))); the
   * first attempt after a silent drop (ping_timeout) waits only 0 to min(initialDelay, 50) ms.
   * Defaults: initialDelay 500 ms, factor 2, maxDelay 10000 ms, unlimited attempts;
   * `maxAttempts: 0` never reconnects. While the browser is offline the client waits for the
   * network; when it comes back it retries at once.
   */
  reconnect?: ReconnectOptions;
  /**
   * Bytes of requests (encoded envelopes) kept until the server acknowledges them, so a resumed
   * session can send them again: an integer from 1 to 268435456 (default 1048576). A request
   * that would go past it throws buffer_full and is not sent.
   */
  resumeBufferBytes?: number;
  /** The connection token (JWT), or a function giving one, called again to refresh it. */
  token?: string | (() => string | Promise<string>);
  /** Stand-ins for browser globals (Node, tests): see docs/api.md. */
  platform?: Partial<Platform>;
  /** The WebRTC peer layer: see docs/api.md, "Peers". */
  peers?: PeerOptions;
}

export interface PeerOptions {
  /** Connect to every peer of the room by itself (default true); false: call peer.connect(). */
  autoConnect?: boolean;
  /**
   * STUN/TURN servers (up to 32; stun:, stuns:, turn:, turns: URLs, TURN ones with username and
   * credential), as RTCPeerConnection takes them (default none: host candidates only). Connections
   * use these, then the provider's, then the server's (welcome) TURN credentials.
   */
  iceServers?: RTCIceServer[];
  /**
   * Where fresh ICE servers come from: a URL (GET, JSON) or an async function, called at connect()
   * and again at 80% of the answer's `ttl`; 10 s at most per call. On failure the last good list
   * stays, the client emits `ice_servers_unavailable` and retries (2 s doubling to 60 s).
   */
  iceServersProvider?: string | (() => Promise<IceServersProviderAnswer>);
  /** 'relay' sends everything through TURN (default 'all'). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Milliseconds a connection may stay disconnected before an ICE restart, 0 to 600000 (default 3000). */
  restartGraceMs?: number;
  /** ICE restarts in a row before the peer is 'failed', 0 to 100 (default 5). */
  maxIceRestarts?: number;
}

/** A list, or the Twilio/Cloudflare/TURN REST shape: one server or a list, and seconds valid. */
export type IceServersProviderAnswer = RTCIceServer[] | { iceServers: RTCIceServer[] | RTCIceServer; ttl?: number };

export interface Platform {
  WebSocket: new (url: string) => WebSocket;
  EventSource: new (url: string) => EventSource;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  AbortController: new () => AbortController;
  now: () => number;
  setTimeout: (callback: () => void, delay: number) => unknown;
  clearTimeout: (handle: any) => void;
  getRandomValues: (words: Uint32Array) => void;
  addEventListener: (name: string, listener: () => void) => void;
  removeEventListener: (name: string, listener: () => void) => void;
  isOnline: () => boolean;
  pageUrl: () => string | undefined;
  /** The peer layer's connections (in Node, e.g. werift's RTCPeerConnection). */
  RTCPeerConnection: new (configuration?: RTCConfiguration) => RTCPeerConnection;
}

export interface ReconnectOptions {
  /** Milliseconds, 1 to 600000. */
  initialDelay?: number;
  /** 1 to 10. */
  factor?: number;
  /** Milliseconds, at least initialDelay, at most 3600000. */
  maxDelay?: number;
  /** Attempts before giving up ('disconnected'); absent: never give up. */
  maxAttempts?: number;
}

/** What a state change adds: the reconnect schedule, or whether a session was resumed. */
export interface StateDetails {
  /** 'reconnecting': the attempt that comes next (1 for the first). */
  attempt?: number;
  /** 'reconnecting': milliseconds until that attempt; null while the browser is offline. */
  retryIn?: number | null;
  /**
   * 'connected': true when the previous session continues (same peer id and room, nothing lost);
   * false for a new session (after a reconnect, a `resync` event follows).
   */
  resumed?: boolean;
}

/** A request the old session never got acknowledged, as it was sent. */
export type UndeliveredRequest =
  | { type: 'join'; room: string }
  | { type: 'leave' }
  | { type: 'publish'; data: JsonValue }
  | { type: 'direct'; to: string; data: JsonValue }
  | { type: 'signal'; to: string; data: JsonValue };

/** Why a session could not be resumed, and what it left undelivered. */
export interface Resync {
  /** e.g. session_expired (the server forgot the session) or buffer_overflow. */
  reason: RtcwireError;
  /** Oldest first; the server may or may not have processed them. */
  undelivered: UndeliveredRequest[];
}

export interface JoinedRoom {
  room: string;
  /** The other peers already in the room, oldest first. */
  peers: readonly string[];
}

export interface Message {
  from: string;
  /** 'room' for publish(), 'direct' for send(). */
  kind: 'room' | 'direct';
  data: JsonValue;
}

export interface Signal {
  from: string;
  data: JsonValue;
}

/** Listener arguments of each event. */
export interface RtcwireEvents {
  /** The connection state changed; `error` says why, for 'disconnected'. */
  state: [state: ConnectionState, error: RtcwireError | undefined, details: StateDetails];
  /**
   * Connected again with a new session because the old one could not be resumed (just before
   * `state` 'connected' with resumed false; requests already work): the room, presence and
   * anything the app built on them are gone; join again and rebuild. Pending join() promises
   * reject with `reason`.
   */
  resync: [resync: Resync];
  /**
   * The session's transport, once connected (right after `state` 'connected') and again after an
   * upgrade to websocket.
   */
  transport: [transport: TransportName];
  joined: [joined: JoinedRoom];
  left: [room: string];
  'peer-joined': [peerId: string];
  'peer-left': [peerId: string];
  message: [message: Message];
  signal: [signal: Signal];
  /** A remote peer of the room exists (when it joins, or is in the room this client joins). */
  peer: [peer: RtcwirePeer];
  /**
   * An error that did not change the state, e.g. the server refused a request. A peer's errors
   * (ice_failed, invalid_signal, ...) come here too, after that peer's own 'error' event.
   */
  error: [error: RtcwireError];
}

export type RtcwireEventName = keyof RtcwireEvents;
export type RtcwireListener<E extends RtcwireEventName> = (...args: RtcwireEvents[E]) => void;

export class RtcwireClient {
  private constructor();

  readonly state: ConnectionState;
  /** The transport the session runs over while connected (it changes on an upgrade); null otherwise. */
  readonly transport: TransportName | null;
  /** This client's id in its session, given by the server; kept while reconnecting; null before. */
  readonly peerId: string | null;
  /** The joined room, or null. */
  readonly room: string | null;
  /** The other peers in the room, in the order they appeared (a frozen snapshot). */
  readonly peers: readonly string[];
  /** The largest message (encoded envelope, in bytes) the server accepts; null until connected. */
  readonly maxMessageBytes: number | null;
  /** Bytes sent (or queued while reconnecting) that the server has not acknowledged yet. */
  readonly bufferedAmount: number;
  /** A peer's user (its token's `sub`), or null. */
  userOf(peerId: string): string | null;
  /** The remote peers of the room, in the order they appeared (a new array each time). */
  readonly remotePeers: RtcwirePeer[];
  /** The remote peer `peerId`, or null (unknown, or closed). */
  peer(peerId: string): RtcwirePeer | null;
  /**
   * Sends the tracks of `stream` to every peer, now and to peers that come later, in place of the
   * previous stream's (renegotiating as needed); null stops sending. Resolves once applied.
   */
  setLocalStream(stream: MediaStream | null): Promise<void>;
  /**
   * Replaces a track of the local stream on every connection without renegotiating (null: send
   * nothing, e.g. to mute video; replaceTrack(track, track) unmutes). Throws invalid_argument if
   * `oldTrack` is not a local track.
   */
  replaceTrack(oldTrack: MediaStreamTrack, newTrack: MediaStreamTrack | null): Promise<void>;
  /** A connection token for the next hello, or, while connected, a refresh. */
  useToken(token: string): void;
  /**
   * Replaces `peers.iceServers` (and the policy, when given) at run time: every live connection
   * takes a changed list by setConfiguration and an ICE restart, keeping its channels and media.
   * Throws invalid_argument (bad list or policy; nothing changes).
   */
  setIceServers(iceServers: RTCIceServer[], options?: { iceTransportPolicy?: RTCIceTransportPolicy }): void;

  /** Adds a listener; returns a function that removes it. */
  on<E extends RtcwireEventName>(name: E, listener: RtcwireListener<E>): () => void;
  /** Adds a listener for the next event only; returns a function that removes it. */
  once<E extends RtcwireEventName>(name: E, listener: RtcwireListener<E>): () => void;
  off<E extends RtcwireEventName>(name: E, listener: RtcwireListener<E>): void;

  /**
   * Joins `room` (1 to 128 bytes of UTF-8, no control, format or separator characters), leaving any other room. Resolves once
   * the server confirms; rejects with the server's refusal (e.g. forbidden_room, also an 'error'
   * event), or if the session is lost (resync) or the client gives up first.
   * While reconnecting the request is queued for the resumed session. Throws RtcwireError
   * synchronously on misuse (invalid_room, not_connected, buffer_full).
   */
  join(room: string): Promise<JoinedRoom>;
  /**
   * Leaves the room. Resolves once the server confirms, the session is lost, or the client gives
   * up. Throws not_in_room.
   */
  leave(): Promise<void>;
  /**
   * Sends `data` to every other peer of the room (queued while reconnecting). Throws not_in_room,
   * message_too_large, buffer_full, ...
   */
  publish(data: JsonInput): void;
  /** Sends `data` to one peer of the room, relayed by the server. Throws peer_not_found, ... */
  send(peerId: string, data: JsonInput): void;
  /** Sends WebRTC signalling `data` to one peer of the room. */
  signal(peerId: string, data: JsonInput): void;
  /** Connects again after a disconnection; resolves once connected, rejects on failure. */
  reconnect(): Promise<void>;
  /** Closes the connection for good and frees the client's resources. Idempotent. */
  close(): void;
}

/**
 * Connects to an rtcwire-server. `url` is http(s) or ws(s), resolved against the page's location
 * (default: the page's origin). Tries the transports in order until one completes the handshake
 * (a transport that worked for this server recently goes first). Resolves with a connected
 * client; rejects with an RtcwireError (the last transport's error when all failed).
 */
export function connect(url?: string | URL, options?: ConnectOptions): Promise<RtcwireClient>;

/** 'new' | 'connecting' | 'connected' | 'reconnecting' (ICE restart running) | 'failed' | 'closed'. */
export type PeerState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** What a data channel carries: text, or bytes (a Blob is sent as its bytes). */
export type PeerData = string | ArrayBuffer | ArrayBufferView | Blob;

/** A remote track, with the remote streams it belongs to. */
export interface RemoteTrack {
  track: MediaStreamTrack;
  streams: MediaStream[];
}

/** Listener arguments of each peer event. */
export interface RtcwirePeerEvents {
  state: [state: PeerState];
  /** A message from the peer's peer.send(): a string, or an ArrayBuffer for bytes. */
  message: [data: string | ArrayBuffer];
  /** An app channel the remote app opened. */
  channel: [channel: RtcwireChannel];
  track: [track: RemoteTrack];
  /** A file the peer offers: accept() or reject() it. */
  transfer: [transfer: IncomingTransfer];
  error: [error: RtcwireError];
}

export type RtcwirePeerEventName = keyof RtcwirePeerEvents;

export interface ChannelOptions {
  /** Default true. */
  ordered?: boolean;
  /** Partial reliability: at most this many retransmissions (not with maxPacketLifeTime). */
  maxRetransmits?: number;
  /** Partial reliability: milliseconds a message may be retransmitted for. */
  maxPacketLifeTime?: number;
  protocol?: string;
}

export interface SendFileOptions {
  /** Default: the File's name. */
  name?: string;
  /** MIME type; default: the Blob's. */
  type?: string;
  /** Aborting cancels the transfer on both sides. */
  signal?: AbortSignal;
}

export interface TransferProgress {
  bytes: number;
  total: number;
  /** Bytes per second, on average since the transfer was accepted. */
  rate: number;
}

export interface OutgoingTransfer {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  on(name: 'progress', listener: (progress: TransferProgress) => void): () => void;
  once(name: 'progress', listener: (progress: TransferProgress) => void): () => void;
  off(name: 'progress', listener: (progress: TransferProgress) => void): void;
  /** Resolves once the receiver has every byte and the same SHA-256 (lowercase hex); rejects with the error. */
  readonly done: Promise<{ bytes: number; sha256: string }>;
  /** Stops the transfer; `done` rejects with transfer_cancelled. */
  cancel(): void;
}

export interface IncomingTransfer {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly type: string;
  /** Receives the file; resolves once every byte arrived and the SHA-256 matched (else hash_mismatch). */
  accept(): Promise<{ blob: Blob; bytes: number; sha256: string }>;
  reject(): void;
  cancel(): void;
  on(name: 'progress', listener: (progress: TransferProgress) => void): () => void;
  once(name: 'progress', listener: (progress: TransferProgress) => void): () => void;
  off(name: 'progress', listener: (progress: TransferProgress) => void): void;
}

/** peer.getStats(): the connection summarised. Bitrates are null on the first call. */
export interface PeerStats {
  rttMs: number | null;
  bytesSent: number;
  bytesReceived: number;
  /** Bits per second since the previous getStats() of this peer. */
  sendBitrate: number | null;
  receiveBitrate: number | null;
  /** The selected candidate pair; null before one is. */
  candidatePair: {
    local: RTCIceCandidateType | null;
    remote: RTCIceCandidateType | null;
    protocol: string | null;
    relayProtocol: string | null;
  } | null;
  dataChannels: {
    open: number;
    messagesSent: number;
    messagesReceived: number;
    bytesSent: number;
    bytesReceived: number;
  };
  media: { audio: MediaStats; video: MediaStats };
}

/** Sums over the RTP streams of one kind. */
export interface MediaStats {
  bytesSent: number;
  bytesReceived: number;
  packetsLost: number;
  framesEncoded: number;
  framesDecoded: number;
  framesPerSecond: number | null;
}

/** A remote peer of the room; from client.on('peer') or client.peer(id). */
export class RtcwirePeer {
  private constructor();
  readonly id: string;
  /** Its user (its token's `sub`), or null. */
  readonly user: string | null;
  /** Whether this side yields when both offer at once (perfect negotiation). */
  readonly polite: boolean;
  readonly state: PeerState;

  on<E extends RtcwirePeerEventName>(name: E, listener: (...args: RtcwirePeerEvents[E]) => void): () => void;
  once<E extends RtcwirePeerEventName>(name: E, listener: (...args: RtcwirePeerEvents[E]) => void): () => void;
  off<E extends RtcwirePeerEventName>(name: E, listener: (...args: RtcwirePeerEvents[E]) => void): void;

  /**
   * Sends on the peer's reliable ordered channel (queued while it opens, even before the
   * connection exists, and under backpressure). Throws message_too_large (over the connection's
   * maxMessageSize: messages are never split), peer_closed, buffer_full, invalid_argument (not a
   * string, ArrayBuffer, view or Blob).
   */
  send(data: PeerData): void;
  /** Opens an app channel; the remote app gets it as a 'channel' event. Throws invalid_argument. */
  channel(label: string, options?: ChannelOptions): RtcwireChannel;
  sendFile(file: Blob, options?: SendFileOptions): OutgoingTransfer;
  /** Restarts ICE now (done by itself when the connection fails). */
  restartIce(): void;
  getStats(): Promise<PeerStats>;
  /** Connects (only needed with peers.autoConnect false). */
  connect(): void;
  /** Hangs up this peer only. */
  close(): void;
}

export type ChannelState = 'connecting' | 'open' | 'closed';

export interface RtcwireChannelEvents {
  open: [];
  message: [data: string | ArrayBuffer];
  close: [];
}

export type RtcwireChannelEventName = keyof RtcwireChannelEvents;

/** An app data channel to one peer. */
export class RtcwireChannel {
  private constructor();
  readonly label: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly state: ChannelState;
  /** Bytes sent but not on the wire yet (queued, or held by the browser). */
  readonly bufferedAmount: number;

  on<E extends RtcwireChannelEventName>(name: E, listener: (...args: RtcwireChannelEvents[E]) => void): () => void;
  once<E extends RtcwireChannelEventName>(name: E, listener: (...args: RtcwireChannelEvents[E]) => void): () => void;
  off<E extends RtcwireChannelEventName>(name: E, listener: (...args: RtcwireChannelEvents[E]) => void): void;

  /** Queued until open; throws message_too_large, channel_closed, invalid_argument. */
  send(data: PeerData): void;
  close(): void;
}
