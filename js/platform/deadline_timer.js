// One setTimeout for the core's earliest deadline (a platform.now() time in ms).
// The core's deadline moves on almost every input (a ping or ack timer pushed back), so a timeout
// is set again only when the deadline comes earlier; one that fires before a later deadline is
// set again then, and one whose deadline went away fires without effect.
export class DeadlineTimer {
  #platform;
  #onExpired;
  #deadline = null; // what the core asks for
  #armedFor = null; // what the running timeout was set for
  #handle = null;

  constructor(platform, onExpired) {
    this.#platform = platform;
    this.#onExpired = onExpired;
  }

  arm(deadline) {
    this.#deadline = deadline;
    if (deadline === null || (this.#handle !== null && this.#armedFor <= deadline)) return;
    this.#clear();
    this.#start(deadline);
  }

  cancel() {
    this.#deadline = null;
    this.#clear();
  }

  #start(deadline) {
    this.#armedFor = deadline;
    // Rounded up: the core counts whole milliseconds, so firing early would only re-arm.
    const delay = Math.max(0, Math.ceil(deadline - this.#platform.now()));
    this.#handle = this.#platform.setTimeout(() => this.#fired(), delay);
  }

  #fired() {
    const reached = this.#armedFor;
    this.#handle = null;
    this.#armedFor = null;
    if (this.#deadline === null) return;
    if (this.#deadline > reached) return this.#start(this.#deadline);
    this.#deadline = null;
    this.#onExpired();
  }

  #clear() {
    if (this.#handle !== null) this.#platform.clearTimeout(this.#handle);
    this.#handle = null;
    this.#armedFor = null;
  }
}
