// What peer.send() and channel.send() accept, as the payload a data channel sends and its size.
// Buffers are copied: the payload may wait for backpressure, and the app may reuse its buffer.
import { localError } from '../errors.js';

const utf8 = new TextEncoder();

/** @returns {{payload: string | ArrayBuffer | Blob, bytes: number}} */
export function toPayload(data) {
  if (typeof data === 'string') return { payload: data, bytes: utf8.encode(data).byteLength };
  if (data instanceof ArrayBuffer) return { payload: data.slice(0), bytes: data.byteLength };
  if (ArrayBuffer.isView(data)) {
    const payload = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    return { payload, bytes: payload.byteLength };
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) return { payload: data, bytes: data.size };
  throw localError(
    'invalid_argument',
    'data must be a string, an ArrayBuffer, a typed array or DataView, or a Blob',
  );
}
