// HTTP requests for the polling and SSE transports, keyed by the core's transport generation.
// GETs (long polls) are aborted when their generation is closed and then report nothing; POSTs
// always run to completion, so a final close packet still reaches the server.

// A response body is read up to this many bytes, far above any legal polling payload (the core
// checks those against the server's maxPayload): a server that sends more is not read to the end
// of memory, and the request counts as failed.
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
// In UTF-16 units: even at 3 bytes each, well inside the browsers' 64 KiB keepalive quota.
const KEEPALIVE_MAX_CHARS = 8 * 1024;

export class HttpRequests {
  // generation -> AbortController of its GETs
  #aborters = new Map();
  #sink;

  // `sink` receives response(generation, id, status, body); status 0 is a failure without a
  // response (network error, refused connection, blocked request).
  constructor(sink) {
    this.#sink = sink;
  }

  request(generation, id, method, url, body) {
    // Long polls must not wait on each other in the browser's HTTP cache: no-store (the core
    // also makes every GET URL unique).
    const init = { method, cache: 'no-store' };
    let signal = null;
    if (method === 'GET') {
      let aborter = this.#aborters.get(generation);
      if (!aborter) this.#aborters.set(generation, (aborter = new AbortController()));
      signal = init.signal = aborter.signal;
    } else {
      init.body = body;
      init.headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
      // A small POST outlives its page, so the close packet sent on pagehide reaches the server
      // (browsers allow 64 KiB of such requests in flight per page).
      init.keepalive = body.length <= KEEPALIVE_MAX_CHARS;
    }
    const report = (status, text) => {
      if (!signal?.aborted) this.#sink.response(generation, id, status, text);
    };
    let answer;
    try {
      answer = fetch(url, init);
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
    this.#aborters.get(generation)?.abort();
    this.#aborters.delete(generation);
  }

  abortAll() {
    for (const generation of [...this.#aborters.keys()]) this.abort(generation);
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
