// Media objects (tracks and streams, local and remote) by integer handle, so the core can name
// them without holding them. Each holder (the local stream, a connection's remote media) holds an
// object while it needs it; the handle goes when the last hold is released, so a long call that
// switches cameras or meets many peers does not keep every track it ever saw.
export class MediaHandles {
  #byHandle = new Map();
  #byObject = new Map();
  #holds = new Map();
  #next = 1;

  /** The object's handle (given on first sight), held once more until release(handle). */
  hold(object) {
    let handle = this.#byObject.get(object);
    if (handle === undefined) {
      handle = this.#next++;
      this.#byObject.set(object, handle);
      this.#byHandle.set(handle, object);
    }
    this.#holds.set(handle, (this.#holds.get(handle) ?? 0) + 1);
    return handle;
  }

  /** Ends one hold; the last one forgets the object. */
  release(handle) {
    const holds = this.#holds.get(handle);
    if (holds === undefined) return;
    if (holds > 1) {
      this.#holds.set(handle, holds - 1);
      return;
    }
    this.#holds.delete(handle);
    this.#byObject.delete(this.#byHandle.get(handle));
    this.#byHandle.delete(handle);
  }

  /** The handle of an object held now, or undefined. */
  handleOf(object) {
    return this.#byObject.get(object);
  }

  get(handle) {
    return this.#byHandle.get(handle);
  }

  /** How many objects are held (for tests). */
  get size() {
    return this.#byHandle.size;
  }
}
