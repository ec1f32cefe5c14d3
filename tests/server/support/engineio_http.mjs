// Raw Engine.IO clients for the HTTP transports and for websockets, for tests that check the wire
// itself: long-polling requests, an SSE stream read with fetch, and a buffered `ws` socket. Every
// wait is bounded.
import { Buffer } from 'node:buffer';
import WebSocket from 'ws';
import { Inbox, within, WAIT_MS } from './peers.mjs';

/** `${base}/engine.io/?EIO=4&transport=…` plus extra query text. */
export function engineioUrl(base, transport, extra = '') {
  return `${base}/engine.io/?EIO=4&transport=${transport}${extra}`;
}

/** An Engine.IO polling payload as packets: {type, data} for text, {binary: Buffer} for binary. */
export function decodePayload(payload) {
  return payload.split('\x1e').map((record) =>
    record.startsWith('b')
      ? { binary: Buffer.from(record.slice(1), 'base64') }
      : { type: record[0], data: record.slice(1) },
  );
}

/** A bounded fetch that resolves with {status, headers, text}; `null` when the request failed. */
export async function request(url, init = {}, ms = WAIT_MS) {
  return within(
    (async () => {
      try {
        const response = await fetch(url, { cache: 'no-store', ...init });
        return { status: response.status, headers: response.headers, text: await response.text() };
      } catch {
        return null;
      }
    })(),
    `${init.method ?? 'GET'} ${url}`,
    ms,
  );
}

/** Opens a polling session; resolves with its sid and the open packet's JSON. */
export async function openPolling(base, extra = '') {
  const response = await request(engineioUrl(base, 'polling', extra));
  if (response?.status !== 200 || !response.text.startsWith('0')) {
    throw new Error(`polling handshake failed: ${JSON.stringify(response)}`);
  }
  const open = JSON.parse(response.text.slice(1));
  return { sid: open.sid, open, response };
}

/** A websocket whose open/message/close events queue up until awaited. */
export class BufferedWebSocket {
  constructor(url) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.messages = new Inbox();
    this.opened = new Promise((resolve) => this.ws.once('open', resolve));
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('message', (data, isBinary) => this.messages.push(isBinary ? data : data.toString()));
    this.ws.on('error', () => {});  // surfaces as 'close', which the tests await
  }

  waitOpen(ms = WAIT_MS) {
    return within(this.opened, 'the websocket to open', ms);
  }

  waitClosed(ms = WAIT_MS) {
    return within(this.closed, 'the websocket to close', ms);
  }

  next(what = 'a websocket message', ms = WAIT_MS) {
    return this.messages.next(() => true, what, ms);
  }

  send(data) {
    this.ws.send(data);
  }

  close() {
    this.ws.terminate();
  }
}

/** An SSE stream read with fetch: events' payloads go to `packets`, comment lines to `comments`. */
export class SseClient {
  packets = new Inbox();
  comments = new Inbox();
  events = [];  // every data field as received (the JSON text)

  static async open(url, ms = WAIT_MS) {
    const client = new SseClient();
    client.controller = new AbortController();
    const response = await within(
      fetch(url, { signal: client.controller.signal, cache: 'no-store' }),
      `the SSE response of ${url}`,
      ms,
    );
    client.response = response;
    client.status = response.status;
    client.headers = response.headers;
    if (response.status !== 200) {
      client.text = await response.text();
      return client;
    }
    client.ended = client.#read(response.body);
    return client;
  }

  async #read(body) {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          this.#onEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      return 'ended';
    } catch {
      return 'aborted';
    }
  }

  #onEvent(block) {
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line);
      } else if (line.startsWith('data: ')) {
        const json = line.slice('data: '.length);
        this.events.push(json);
        for (const packet of decodePayload(JSON.parse(json))) this.packets.push(packet);
      }
    }
  }

  /** The next packet (matching `match`). */
  next(match = () => true, what = 'an SSE packet', ms = WAIT_MS) {
    return this.packets.next(match, what, ms);
  }

  waitEnded(ms = WAIT_MS) {
    return within(this.ended, 'the SSE response to end', ms);
  }

  close() {
    this.controller.abort();
  }
}
