// SHA-256 of a file as its slices pass, in order. A slice may come again (the sender reads again
// from a resume point): only the bytes past what was hashed count, so the digest is that of the
// whole file, each byte once.
let noble = null;

// '@noble/hashes' is loaded at the first transfer: a page that never moves a file does not need
// it mapped (docs/api.md, "Files").
// A failed load (module not mapped, network) is tried again at the next transfer.
export function loadSha256() {
  noble ??= Promise.all([import('@noble/hashes/sha2.js'), import('@noble/hashes/utils.js')]).then(
    ([{ sha256 }, { bytesToHex }]) => ({ sha256, bytesToHex }),
    (error) => {
      noble = null;
      throw error;
    },
  );
  return noble;
}

export const SHA256_UNAVAILABLE =
  "SHA-256 is unavailable: '@noble/hashes' could not be loaded (map it in the page's import map, or bundle it)";

export class ForwardHash {
  #hash;
  #toHex;
  #length = 0;
  #hex = null;

  /** @param {{sha256: any, bytesToHex: (bytes: Uint8Array) => string}} noble from loadSha256() */
  constructor({ sha256, bytesToHex }) {
    this.#hash = sha256.create();
    this.#toHex = bytesToHex;
  }

  /** How many bytes, from the start, are hashed. */
  get length() {
    return this.#length;
  }

  /** Hashes what `bytes`, found at `offset`, add past the bytes hashed so far. */
  update(offset, bytes) {
    if (offset > this.#length) throw new RangeError(`slice at ${offset} skips bytes from ${this.#length}`);
    const seen = this.#length - offset;
    if (seen >= bytes.byteLength) return;
    this.#hash.update(bytes.subarray(seen));
    this.#length += bytes.byteLength - seen;
  }

  /** The digest as lowercase hex; the hash takes no more bytes after it. */
  hex() {
    this.#hex ??= this.#toHex(this.#hash.digest());
    return this.#hex;
  }
}
