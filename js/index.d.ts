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
  | 'too_many_transfers';

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
   * (each wait is random between 0 and min(maxDelay, initialDelay * factor^(attempt-1))).
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
}

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
  /** An error that did not change the state, e.g. the server refused a request. */
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
  /** A connection token for the next hello, or, while connected, a refresh. */
  useToken(token: string): void;

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
