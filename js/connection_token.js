// The app's connection token: a string, or an (async) function the client calls for a fresh one
// when the server says the current one is about to expire or refused it. Only the token travels;
// it is sent in hello and refresh envelopes, never in a URL.
import { localError } from './errors.js';

export class ConnectionToken {
  #source;
  #pending = null;

  constructor(source) {
    if (typeof source !== 'string' && typeof source !== 'function') {
      throw localError('invalid_argument', 'token must be a string or a function returning one');
    }
    if (source === '') throw localError('invalid_argument', 'token must not be empty');
    this.#source = source;
  }

  /** Whether a new token can be asked for (a function), rather than the same string again. */
  get refreshable() {
    return typeof this.#source === 'function';
  }

  /**
   * The current token: the string, or what the function returns (awaited). Concurrent calls share
   * one call of the function. Rejects with an RtcwireError 'unauthorized' when the function fails
   * or returns something that is not a non-empty string.
   */
  next() {
    if (typeof this.#source === 'string') return Promise.resolve(this.#source);
    this.#pending ??= this.#call().finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #call() {
    let token;
    try {
      token = await this.#source();
    } catch (cause) {
      throw localError('unauthorized', `the token function failed: ${cause?.message ?? cause}`, {
        cause,
      });
    }
    if (typeof token !== 'string' || token === '') {
      throw localError('unauthorized', 'the token function must return a non-empty string');
    }
    return token;
  }
}
