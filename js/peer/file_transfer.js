// File transfer, the bytes' side. The core (sdk/peer/file_transfer*) decides what goes when:
// offers, the window of reads, acks, resume points, the verdict on each received chunk. Here the
// bytes move: a Blob is read slice by slice (never whole) and each slice goes out as a chunk
// frame; received chunks are moved into Blob parts every few MiB (the browser keeps Blob data out
// of the page's heap, on disk when it is large) and handed over as one Blob; both sides
// hash with SHA-256 as the bytes pass, and the core compares the digests.
//
// `host` is the client's side (js/client.js):
//   command(call, accepted?)   an app call: call(core, now) calls the core and returns its reply;
//                   throws the core's error, or gives accepted(result) before the outputs run
//   input(call, answered?)     a platform event, the same way (queued while outputs are handled);
//                   answered({error, result}) sees the reply before its outputs run
//   sendOnChannel(channel, data) -> boolean   channel.send(data) now; false when it is not open
//   peer(peerId) -> RtcwirePeer | null,  emitTransfer(peer, transfer)   for the 'transfer' event
//   error(error)    reports an error no call is waiting for
import { emit, Listenable } from '../emitter.js';
import { errorFromValue, localError } from '../errors.js';
import { decodeChunkFrame, encodeChunkFrame } from './chunk_frame.js';
import { ForwardHash, loadSha256, SHA256_UNAVAILABLE } from './file_hash.js';

const NO_OPTIONS = Object.freeze({});
// Received bytes held as loose chunks before they become a Blob part.
export const SPOOL_BYTES = 4 * 1024 * 1024;

// A Blob being sent. Reads run one after the other, in the order the core asked for them, and
// each is reported once its frame is handed to the channel (or dropped: channel closed).
export class OutgoingTransfer extends Listenable {
  #host;
  #blob;
  #hash = null;
  #reads;
  #ended = false;
  #readError = null;
  #settle;

  constructor(host, id, blob, name) {
    super(['progress']);
    this.#host = host;
    this.#blob = blob;
    /** The transfer's id. */
    this.id = id;
    this.name = name;
    this.size = blob.size;
    /** @type {Promise<{bytes: number, sha256: string}>} */
    this.done = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // Failures reach whoever awaits `done`; nobody awaiting is not an unhandled rejection.
    this.done.catch(() => {});
    this.#reads = loadSha256().then(
      (noble) => {
        this.#hash = new ForwardHash(noble);
        this.#reportDigestOnceHashed();
      },
      (error) => this.#cannotRead(error, SHA256_UNAVAILABLE),
    );
  }

  /** Stops the transfer; `done` rejects with transfer_cancelled. */
  cancel() {
    if (this.#ended) return;
    this.#host.command((core, now) => core.fileCancel(this.id, now));
  }

  read({ channel, offset, length }) {
    this.#reads = this.#reads.then(async () => {
      if (this.#ended || this.#readError) return;
      let bytes;
      try {
        bytes = new Uint8Array(await this.#blob.slice(offset, offset + length).arrayBuffer());
      } catch (error) {
        // A file removed or changed on disk: end the transfer rather than send something else.
        this.#cannotRead(error, 'the file could not be read');
        return;
      }
      if (this.#ended) return;
      this.#hash.update(offset, bytes);
      this.#host.sendOnChannel(channel, encodeChunkFrame(this.id, offset, bytes));
      this.#host.input((core, now) => core.fileSent(this.id, offset, length, now));
      this.#reportDigestOnceHashed();
    });
  }

  progress(event) {
    emit(this, 'progress', { bytes: event.bytes, total: event.total, rate: event.rate });
  }

  finished({ bytes, sha256 }) {
    this.#ended = true;
    this.#settle.resolve({ bytes, sha256 });
  }

  failed(error) {
    this.#ended = true;
    const cause = this.#readError;
    this.#settle.reject(cause ? localError('transfer_cancelled', cause.why, { cause: cause.error }) : error);
  }

  #cannotRead(error, why) {
    this.#readError = { error, why };
    this.#host.input((core, now) => core.fileCancel(this.id, now));
  }

  #reportDigestOnceHashed() {
    if (this.#hash.length !== this.size) return;
    const sha256 = this.#hash.hex();
    this.#host.input((core, now) => core.fileDigest(this.id, sha256, now));
  }
}

// A file the remote peer offers: accept() to receive it as a Blob, or reject().
export class IncomingTransfer extends Listenable {
  #host;
  #parts = [];
  #chunks = [];
  #chunkBytes = 0;
  #hash = null;
  #stored = 0;
  #answered = false;
  #ended = false;
  #cannotHash = null; // why '@noble/hashes' did not load
  #settle;
  #result;

  constructor(host, { transfer, name, size, mime }) {
    super(['progress']);
    this.#host = host;
    this.id = transfer;
    this.name = name;
    this.size = size;
    this.type = mime;
    this.#result = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#result.catch(() => {});
  }

  /** @returns {Promise<{blob: Blob, bytes: number, sha256: string}>} once every byte arrived and its SHA-256 matched */
  accept() {
    if (this.#answered) return this.#result;
    this.#answered = true;
    loadSha256().then(
      (noble) => {
        if (this.#ended) return;
        this.#hash = new ForwardHash(noble);
        try {
          // An empty file is whole at once: its digest follows the accept.
          this.#host.command(
            (core, now) => core.fileAccept(this.id, now),
            () => this.size === 0 && this.#reportDigest(),
          );
        } catch (error) {
          this.failed(error);
        }
      },
      (error) => {
        // The sender hears of it as a cancel; this side's accept() rejects saying why.
        this.#cannotHash = error;
        this.#host.command((core, now) => core.fileCancel(this.id, now));
      },
    );
    return this.#result;
  }

  /** Declines the file; the sender's `done` rejects with transfer_rejected. */
  reject() {
    if (this.#answered) return;
    this.#answered = true;
    this.#host.command((core, now) => core.fileReject(this.id, now));
  }

  /** Stops receiving; accept() rejects with transfer_cancelled. */
  cancel() {
    if (this.#ended) return;
    this.#answered = true;
    this.#host.command((core, now) => core.fileCancel(this.id, now));
  }

  // Called with the reply that judged the chunk `store`: the next bytes, in order.
  store(offset, bytes) {
    this.#chunks.push(bytes);
    this.#chunkBytes += bytes.byteLength;
    if (this.#chunkBytes >= SPOOL_BYTES) {
      this.#parts.push(new Blob(this.#chunks));
      this.#chunks = [];
      this.#chunkBytes = 0;
    }
    this.#hash.update(offset, bytes);
    this.#stored += bytes.byteLength;
    if (this.#stored === this.size) this.#reportDigest();
  }

  progress(event) {
    emit(this, 'progress', { bytes: event.bytes, total: event.total, rate: event.rate });
  }

  finished({ bytes, sha256 }) {
    this.#ended = true;
    const blob = new Blob([...this.#parts, ...this.#chunks], { type: this.type });
    this.#parts = this.#chunks = [];
    this.#settle.resolve({ blob, bytes, sha256 });
  }

  failed(error) {
    this.#ended = true;
    this.#parts = this.#chunks = [];
    const cause = this.#cannotHash;
    this.#settle.reject(cause ? localError('transfer_cancelled', SHA256_UNAVAILABLE, { cause }) : error);
  }

  // Queued behind the reply being handled: the core sees the digest after what came before it.
  #reportDigest() {
    const sha256 = this.#hash.hex();
    this.#host.input((core, now) => core.fileDigest(this.id, sha256, now));
  }
}

// Every transfer of one client, by id: runs the core's file actions, feeds the files channel's
// messages to the core, and turns the core's transfer events into the objects' promises and events.
export class FileTransfers {
  #host;
  #transfers = new Map();

  constructor(host) {
    this.#host = host;
  }

  /** peer.sendFile(blob, { name, type, signal }) */
  send(peerId, blob, { name, type, signal } = NO_OPTIONS) {
    if (typeof Blob === 'undefined' || !(blob instanceof Blob)) {
      throw localError('invalid_argument', 'sendFile takes a Blob or a File');
    }
    if (signal?.aborted) throw localError('transfer_cancelled', 'the signal was already aborted');
    const fileName = name ?? (typeof blob.name === 'string' && blob.name !== '' ? blob.name : 'file');
    const fileType = type ?? blob.type;
    if (typeof fileName !== 'string' || typeof fileType !== 'string') {
      throw localError('invalid_argument', 'name and type must be strings');
    }
    let transfer;
    this.#host.command(
      (core, now) => core.fileSend(peerId, fileName, blob.size, fileType, now),
      // Registered before the outputs are handled: its first reads may be among them.
      (id) => {
        transfer = new OutgoingTransfer(this.#host, id, blob, fileName);
        this.#transfers.set(id, transfer);
      },
    );
    if (signal) {
      const onAbort = () => transfer.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      const forget = () => signal.removeEventListener('abort', onAbort);
      transfer.done.then(forget, forget);
    }
    return transfer;
  }

  /** A core action: {type:'file-read', channel, transfer, offset, length} | {type:'file-control', channel, text}. */
  execute(action) {
    if (action.type === 'file-control') {
      this.#host.sendOnChannel(action.channel, action.text);
    } else if (action.type === 'file-read') {
      this.#transfers.get(action.transfer)?.read(action);
    }
  }

  /** A message on a peer's `rtcwire-files` channel: control text for the core, or a chunk frame. */
  receive(channel, data) {
    if (typeof data === 'string') {
      this.#host.input(
        (core, now) => core.fileControl(channel, data, now),
        ({ error }) => error && this.#host.error(errorFromValue(error)),
      );
      return;
    }
    const frame = decodeChunkFrame(data);
    if (!frame) {
      this.#host.error(localError('invalid_transfer', 'a file chunk frame shorter than its header'));
      return;
    }
    this.#host.input(
      (core, now) =>
        core.fileChunk(channel, frame.transfer, frame.offset, frame.bytes.byteLength, now),
      ({ error, result }) => {
        if (error) this.#host.error(errorFromValue(error));
        else if (result.verdict === 'store') this.#transfers.get(result.transfer)?.store(frame.offset, frame.bytes);
      },
    );
  }

  /** A core event: 'transfer' | 'transfer-progress' | 'transfer-done' | 'transfer-failed'. */
  event(event) {
    if (event.type === 'transfer') {
      const incoming = new IncomingTransfer(this.#host, event);
      const peer = this.#host.peer(event.peer);
      this.#transfers.set(event.transfer, incoming);
      if (peer) this.#host.emitTransfer(peer, incoming);
      else this.#host.input((core, now) => core.fileReject(event.transfer, now));
      return;
    }
    const transfer = this.#transfers.get(event.transfer);
    if (!transfer) return;
    if (event.type === 'transfer-progress') {
      transfer.progress(event);
    } else if (event.type === 'transfer-done') {
      this.#transfers.delete(event.transfer);
      transfer.finished(event);
    } else if (event.type === 'transfer-failed') {
      this.#transfers.delete(event.transfer);
      transfer.failed(errorFromValue(event.error));
    }
  }
}
