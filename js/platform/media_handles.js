// Media objects (tracks and streams, local and remote) by integer handle, so the core can name
// them without holding them. An object keeps its handle for the client's lifetime.
export class MediaHandles {
  #byHandle = new Map();
  #byObject = new Map();
  #next = 1;

  /** The object's handle, given on first sight. */
  register(object) {
    let handle = this.#byObject.get(object);
    if (handle === undefined) {
      handle = this.#next++;
      this.#byObject.set(object, handle);
      this.#byHandle.set(handle, object);
    }
    return handle;
  }

  /** The handle of an object seen before, or undefined. */
  handleOf(object) {
    return this.#byObject.get(object);
  }

  get(handle) {
    return this.#byHandle.get(handle);
  }
}
