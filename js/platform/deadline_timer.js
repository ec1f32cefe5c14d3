// One setTimeout for the core's earliest deadline (a platform.now() time in ms).
export class DeadlineTimer {
  #platform;
  #onExpired;
  #deadline = null;
  #handle = null;

  constructor(platform, onExpired) {
    this.#platform = platform;
    this.#onExpired = onExpired;
  }

  arm(deadline) {
    if (deadline === this.#deadline) return;
    this.cancel();
    if (deadline === null) return;
    this.#deadline = deadline;
    // Rounded up: the core counts whole milliseconds, so firing early would only re-arm.
    const delay = Math.max(0, Math.ceil(deadline - this.#platform.now()));
    this.#handle = this.#platform.setTimeout(() => {
      this.#handle = null;
      this.#deadline = null;
      this.#onExpired();
    }, delay);
  }

  cancel() {
    if (this.#handle !== null) this.#platform.clearTimeout(this.#handle);
    this.#handle = null;
    this.#deadline = null;
  }
}
