// Named events with listener lists. As with EventTarget, a listener is added at most once per
// event. A throwing listener neither stops the other listeners nor reaches the SDK's own
// processing: its exception is rethrown on its own, as an uncaught error.
import { localError } from './errors.js';

export class Emitter {
  // event name -> Map(listener -> whether it is for the next event only)
  #listeners;

  constructor(eventNames) {
    this.#listeners = new Map(eventNames.map((name) => [name, new Map()]));
  }

  on(name, listener) {
    this.#listenersOf(name, listener).set(listener, false);
    return () => this.off(name, listener);
  }

  once(name, listener) {
    this.#listenersOf(name, listener).set(listener, true);
    return () => this.off(name, listener);
  }

  off(name, listener) {
    this.#listenersOf(name, listener).delete(listener);
  }

  emit(name, ...args) {
    const listeners = this.#listeners.get(name);
    // As with EventTarget: a listener added during this event waits for the next one, and one
    // removed during it is not called.
    for (const [listener, once] of [...listeners]) {
      if (!listeners.has(listener)) continue;
      if (once) listeners.delete(listener);
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #listenersOf(name, listener) {
    const listeners = this.#listeners.get(name);
    if (!listeners) throw localError('invalid_argument', `unknown event '${String(name)}'`);
    if (typeof listener !== 'function') {
      throw localError('invalid_argument', 'an event listener must be a function');
    }
    return listeners;
  }
}

// The on/once/off of an object whose events the SDK raises. Only SDK code emits them, through
// emit(): it is not part of the package's exports, so an app cannot fake an event.
const emitters = new WeakMap();

export class Listenable {
  constructor(eventNames) {
    emitters.set(this, new Emitter(eventNames));
  }

  on(name, listener) {
    return emitters.get(this).on(name, listener);
  }

  once(name, listener) {
    return emitters.get(this).once(name, listener);
  }

  off(name, listener) {
    emitters.get(this).off(name, listener);
  }
}

export const emit = (target, name, ...args) => emitters.get(target).emit(name, ...args);
