// One file chunk on the `rtcwire-files` channel: [u32 transfer][u64 offset], big-endian, then the
// bytes (docs/protocol.md, "File transfer"). `transfer` is the sender's id for the transfer.
export const CHUNK_HEADER_BYTES = 12;

/** @returns {ArrayBuffer} */
export function encodeChunkFrame(transfer, offset, bytes) {
  const frame = new Uint8Array(CHUNK_HEADER_BYTES + bytes.byteLength);
  const header = new DataView(frame.buffer, 0, CHUNK_HEADER_BYTES);
  header.setUint32(0, transfer);
  header.setBigUint64(4, BigInt(offset));
  frame.set(bytes, CHUNK_HEADER_BYTES);
  return frame.buffer;
}

/**
 * A received frame (ArrayBuffer or view); null when it is shorter than the header or its offset
 * is past what a JS number holds exactly.
 * @returns {{transfer: number, offset: number, bytes: Uint8Array} | null}
 */
export function decodeChunkFrame(data) {
  const frame = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  if (frame.byteLength < CHUNK_HEADER_BYTES) return null;
  const header = new DataView(frame.buffer, frame.byteOffset, CHUNK_HEADER_BYTES);
  const offset = header.getBigUint64(4);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    transfer: header.getUint32(0),
    offset: Number(offset),
    bytes: frame.subarray(CHUNK_HEADER_BYTES),
  };
}
