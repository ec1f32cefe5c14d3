// One setTimeout for the core's earliest deadline (a performance.now() time in ms).
export class DeadlineTimer {
  #onExpired;
  #deadline = null;
  #handle = null;

  constructor(onExpired) {
    this.#onExpired = onExpired;
  }

  arm(deadline) {
    if (deadline === this.#deadline) return;
    this.cancel();
    if (deadline === null) return;
    this.#deadline = deadline;
    // Rounded up: the core counts whole milliseconds, so firing early would only re-arm.
    const delay = Math.max(0, Math.ceil(deadline - performance.now()));
    this.#handle = setTimeout(() => {
      this.#handle = null;
      this.#deadline = null;
      this.#onExpired();
    }, delay);
  }

  cancel() {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = null;
    this.#deadline = null;
  }
}
