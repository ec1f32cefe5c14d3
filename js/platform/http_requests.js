// HTTP requests of the polling and SSE transports, by transport generation. Closing a generation
// aborts its requests (a stuck one holds one of the browser's 6 connections per server), which
// then report nothing; only the parting POST with the close packet runs on.

// Bodies are read up to this, far above any legal polling payload (the core checks maxPayload):
// a server that sends more fails the request instead of filling memory.
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
// In UTF-16 units: even at 3 bytes each, well inside the browsers' 64 KiB keepalive quota.
const KEEPALIVE_MAX_CHARS = 8 * 1024;

export class HttpRequests {
  // generation -> AbortControllers of its requests in flight
  #inFlight = new Map();
  #platform;
  #sink;

  // `sink` receives response(generation, id, status, body); status 0 is a failure without a
  // response (network error, refused connection, blocked request).
  constructor(platform, sink) {
    this.#platform = platform;
    this.#sink = sink;
  }

  request(generation, id, method, url, body, parting = false) {
    // Long polls must not wait on each other in the browser's HTTP cache: no-store (the core
    // also makes every GET URL unique).
    const init = { method, cache: 'no-store' };
    if (method !== 'GET') {
      init.body = body;
      init.headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
      // A small POST outlives its page, so the close packet sent on pagehide reaches the server
      // (browsers allow 64 KiB of such requests in flight per page).
      init.keepalive = body.length <= KEEPALIVE_MAX_CHARS;
    }
    const aborter = new this.#platform.AbortController();
    if (!parting) {
      init.signal = aborter.signal;
      let requests = this.#inFlight.get(generation);
      if (!requests) this.#inFlight.set(generation, (requests = new Set()));
      requests.add(aborter);
    }
    const report = (status, text) => {
      if (aborter.signal.aborted) return;
      this.#forget(generation, aborter);
      this.#sink.response(generation, id, status, text);
    };
    let answer;
    try {
      answer = this.#platform.fetch(url, init);
    } catch {
      // fetch() missing or replaced by something that throws: a failed request.
      answer = Promise.reject();
    }
    const failed = () => report(0, '');
    Promise.resolve(answer).then(
      (response) => readBounded(response).then((text) => report(response.status, text), failed),
      failed,
    );
  }

  abort(generation) {
    const requests = this.#inFlight.get(generation);
    if (!requests) return;
    this.#inFlight.delete(generation);
    for (const aborter of requests) aborter.abort();
  }

  abortAll() {
    for (const generation of [...this.#inFlight.keys()]) this.abort(generation);
  }

  #forget(generation, aborter) {
    const requests = this.#inFlight.get(generation);
    if (!requests) return;
    requests.delete(aborter);
    if (requests.size === 0) this.#inFlight.delete(generation);
  }
}

// The body as text; rejects (reading no further) once it passes MAX_RESPONSE_BYTES.
async function readBounded(response) {
  if (!response.body) return response.text();
  const reader = response.body.getReader();
  const chunks = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_RESPONSE_BYTES) {
      reader.cancel().catch(() => {});
      throw new RangeError(`response body over ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(body);
}
