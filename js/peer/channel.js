// An app data channel to one peer (peer.channel(), or the remote app's, from the peer's 'channel'
// event). The core decides when queued messages go (backpressure); this object only forwards.
import { emit, Listenable } from '../emitter.js';

export const CHANNEL_EVENT_NAMES = ['open', 'message', 'close'];
export const channelControl = Symbol('channelControl');
const constructionKey = Symbol('RtcwireChannel');

export function createChannel(host, handle, { label, ordered, maxRetransmits, maxPacketLifeTime }, state) {
  return new RtcwireChannel(constructionKey, host, handle, {
    label,
    ordered: ordered !== false,
    maxRetransmits: maxRetransmits ?? null,
    maxPacketLifeTime: maxPacketLifeTime ?? null,
    state,
  });
}

export class RtcwireChannel extends Listenable {
  #host;
  #handle;
  #label;
  #ordered;
  #maxRetransmits;
  #maxPacketLifeTime;
  #state;

  constructor(key, host, handle, { label, ordered, maxRetransmits, maxPacketLifeTime, state }) {
    if (key !== constructionKey) throw new TypeError('channels come from peer.channel()');
    super(CHANNEL_EVENT_NAMES);
    this.#host = host;
    this.#handle = handle;
    this.#label = label;
    this.#ordered = ordered;
    this.#maxRetransmits = maxRetransmits;
    this.#maxPacketLifeTime = maxPacketLifeTime;
    this.#state = state;
    this[channelControl] = {
      setState: (next) => {
        if (next === this.#state) return;
        this.#state = next;
        emit(this, next === 'open' ? 'open' : 'close');
      },
      emit: (name, ...args) => emit(this, name, ...args),
    };
  }

  get label() {
    return this.#label;
  }
  get ordered() {
    return this.#ordered;
  }
  get maxRetransmits() {
    return this.#maxRetransmits;
  }
  get maxPacketLifeTime() {
    return this.#maxPacketLifeTime;
  }
  /** 'connecting' | 'open' | 'closed' */
  get state() {
    return this.#state;
  }
  /** Bytes sent on this channel that are not on the wire yet (queued here or in the browser). */
  get bufferedAmount() {
    return this.#host.bufferedAmount(this.#handle);
  }

  /** Sends `data` (queued until the channel opens). Throws message_too_large, channel_closed, ... */
  send(data) {
    this.#host.enqueue(this.#handle, data);
  }
  /** Closes the channel on both sides. Idempotent. */
  close() {
    if (this.#state !== 'closed') this.#host.closeChannel(this.#handle);
  }
}
