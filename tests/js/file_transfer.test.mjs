// The JS half of file transfer on its own: chunk frames, hashing across slices, and the transfer
// objects driven through a recording core (the core's own rules are tested natively, in
// tests/unit/peer/file_transfer_test.cpp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import { CHUNK_HEADER_BYTES, decodeChunkFrame, encodeChunkFrame } from '../../js/peer/chunk_frame.js';
import { ForwardHash, loadSha256 } from '../../js/peer/file_hash.js';
import { FileTransfers, SPOOL_BYTES } from '../../js/peer/file_transfer.js';

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('a chunk frame carries transfer, offset and bytes, big-endian', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const frame = encodeChunkFrame(0x01020304, 2 ** 40 + 5, bytes);
  assert.equal(frame.byteLength, CHUNK_HEADER_BYTES + 3);
  assert.deepEqual(
    [...new Uint8Array(frame)],
    [1, 2, 3, 4, 0, 0, 1, 0, 0, 0, 0, 5, 1, 2, 3],
  );
  const decoded = decodeChunkFrame(frame);
  assert.equal(decoded.transfer, 0x01020304);
  assert.equal(decoded.offset, 2 ** 40 + 5);
  assert.deepEqual([...decoded.bytes], [1, 2, 3]);
  // A view (Node Buffer, werift) decodes the same, offsets into its buffer included.
  const padded = Buffer.concat([Buffer.from([9, 9]), Buffer.from(frame)]).subarray(2);
  assert.deepEqual([...decodeChunkFrame(padded).bytes], [1, 2, 3]);
  assert.equal(decodeChunkFrame(encodeChunkFrame(7, Number.MAX_SAFE_INTEGER, new Uint8Array())).offset,
    Number.MAX_SAFE_INTEGER);
});

test('a frame shorter than its header or past 2^53 - 1 is refused', () => {
  assert.equal(decodeChunkFrame(new ArrayBuffer(11)), null);
  const beyond = new Uint8Array(encodeChunkFrame(1, 0, new Uint8Array(1)));
  new DataView(beyond.buffer).setBigUint64(4, 2n ** 53n);
  assert.equal(decodeChunkFrame(beyond.buffer), null);
  assert.equal(decodeChunkFrame(new ArrayBuffer(12)).bytes.byteLength, 0);
});

// A seeded generator: the slicing differs by round, not by run.
function seeded(seed) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test('hashing slices, some read again, gives the SHA-256 of the whole', async () => {
  const noble = await loadSha256();
  const file = randomBytes(200_000);
  const random = seeded(42);
  for (let round = 0; round < 20; round++) {
    const hash = new ForwardHash(noble);
    let offset = 0;
    while (offset < file.length) {
      const length = 1 + Math.floor(random() * 20_000);
      hash.update(offset, file.subarray(offset, offset + length));
      // Now and then the sender rewinds (a resume) and reads part of it again.
      offset = random() < 0.2 ? Math.max(0, offset - Math.floor(random() * 30_000)) : offset + length;
      offset = Math.min(offset, hash.length);
    }
    assert.equal(hash.length, file.length);
    assert.equal(hash.hex(), sha256Hex(file));
  }
  const empty = new ForwardHash(noble);
  assert.equal(empty.hex(), sha256Hex(Buffer.alloc(0)));
  const gap = new ForwardHash(noble);
  assert.throws(() => gap.update(5, new Uint8Array(1)), RangeError);
});

// A client host around a core that records calls and answers from `answers` (the reply's error
// or result); its outputs are pushed by the test (`actions`, `events`) and run after each call as
// the client does: a platform event that comes while they run waits until they have run.
function harness(answers = {}) {
  const calls = [];
  const sent = [];
  const errors = [];
  const emitted = [];
  const outputs = { actions: [], events: [] };
  const core = new Proxy({}, {
    get: (_, name) => (...args) => {
      calls.push([name, ...args.slice(0, -1)]);
      return JSON.stringify({ ...answers[name]?.(...args), actions: [], peer: [], events: [], timeout: null });
    },
  });
  let files;
  let running = false;
  const queued = [];
  const drain = () => {
    running = true;
    try {
      for (;;) {
        for (const action of outputs.actions.splice(0)) files.execute(action);
        for (const event of outputs.events.splice(0)) files.event(event);
        const input = queued.shift();
        if (!input) break;
        const reply = JSON.parse(input.call(core, 0));
        input.answered?.(reply);
      }
    } finally {
      running = false;
    }
  };
  const host = {
    command(call, accepted) {
      const { error, result } = JSON.parse(call(core, 0));
      if (!error) accepted?.(result);
      if (!running) drain();
      if (error) throw Object.assign(new Error('core'), error);
    },
    input(call, answered) {
      queued.push({ call, answered });
      if (!running) drain();
    },
    sendOnChannel: (channel, data) => (sent.push({ channel, data }), true),
    peer: (peerId) => (peerId === 'p' ? { id: 'p' } : null),
    emitTransfer: (peer, transfer) => emitted.push({ peer, transfer }),
    error: (error) => errors.push(error),
  };
  files = new FileTransfers(host);
  return { files, calls, sent, errors, emitted, outputs, named: (name) => calls.filter((c) => c[0] === name) };
}

// Lets the reads' promise chain run.
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

// A Blob that records its slices and refuses to be read whole.
class SlicedOnly extends Blob {
  slices = [];
  slice(start, end) {
    this.slices.push(end - start);
    return new Blob([super.slice(start, end)]);
  }
  arrayBuffer() {
    throw new Error('the whole file was read');
  }
}

test('sending streams the Blob in the slices the core asks for, reports each, then the digest', async () => {
  const file = randomBytes(300_000);
  const blob = new SlicedOnly([file], { type: 'application/x-test' });
  const h = harness({ fileSend: () => ({ result: 5 }) });
  const transfer = h.files.send('p', blob, { name: 'data.bin' });
  assert.deepEqual(h.named('fileSend')[0], ['fileSend', 'p', 'data.bin', 300_000, 'application/x-test']);
  assert.equal(transfer.id, 5);
  const reads = [[0, 65_524], [65_524, 65_524], [131_048, 100_000], [100_000, 100_000], [200_000, 100_000]];
  for (const [offset, length] of reads) h.files.execute({ type: 'file-read', channel: 3, transfer: 5, offset, length });
  await settle();
  assert.deepEqual(h.named('fileSent').map((c) => [c[2], c[3]]), reads);
  assert.ok(blob.slices.every((length) => length <= 100_000));
  const received = Buffer.alloc(file.length);
  for (const { channel, data } of h.sent) {
    assert.equal(channel, 3);
    const frame = decodeChunkFrame(data);
    assert.equal(frame.transfer, 5);
    received.set(frame.bytes, frame.offset);
  }
  assert.ok(received.equals(file));
  assert.deepEqual(h.named('fileDigest'), [['fileDigest', 5, sha256Hex(file)]]);

  const progress = [];
  transfer.on('progress', (p) => progress.push(p));
  h.files.event({ type: 'transfer-progress', peer: 'p', transfer: 5, bytes: 10, total: 300_000, rate: 7 });
  assert.deepEqual(progress, [{ bytes: 10, total: 300_000, rate: 7 }]);
  h.files.event({ type: 'transfer-done', peer: 'p', transfer: 5, bytes: 300_000, sha256: sha256Hex(file) });
  assert.deepEqual(await transfer.done, { bytes: 300_000, sha256: sha256Hex(file) });
});

test('an empty file reports its digest without a read', async () => {
  const h = harness({ fileSend: () => ({ result: 2 }) });
  h.files.send('p', new Blob([]), { name: 'empty' });
  await settle();
  assert.deepEqual(h.named('fileDigest'), [['fileDigest', 2, sha256Hex(Buffer.alloc(0))]]);
});

test('an aborted signal cancels, and done rejects with the core\'s code', async () => {
  const h = harness({ fileSend: () => ({ result: 8 }) });
  const abort = new AbortController();
  const transfer = h.files.send('p', new Blob(['abc']), { signal: abort.signal });
  abort.abort();
  assert.deepEqual(h.named('fileCancel'), [['fileCancel', 8]]);
  h.files.event({ type: 'transfer-failed', peer: 'p', transfer: 8,
    error: { code: 'transfer_cancelled', origin: 'local', message: 'cancelled' } });
  await assert.rejects(transfer.done, { code: 'transfer_cancelled', origin: 'local' });
  assert.throws(() => h.files.send('p', new Blob(['x']), { signal: AbortSignal.abort() }), { code: 'transfer_cancelled' });
});

test('a Blob that cannot be read cancels the transfer instead of sending anything', async () => {
  const h = harness({ fileSend: () => ({ result: 4 }) });
  class Unreadable extends Blob {
    slice() {
      return { arrayBuffer: () => Promise.reject(new Error('file removed')) };
    }
  }
  const transfer = h.files.send('p', new Unreadable(['abcdef']), { name: 'gone' });
  h.files.execute({ type: 'file-read', channel: 1, transfer: 4, offset: 0, length: 6 });
  await settle();
  assert.equal(h.sent.length, 0);
  assert.deepEqual(h.named('fileCancel'), [['fileCancel', 4]]);
  h.files.event({ type: 'transfer-failed', peer: 'p', transfer: 4,
    error: { code: 'transfer_cancelled', origin: 'local', message: 'cancelled' } });
  await assert.rejects(transfer.done, (error) => error.code === 'transfer_cancelled' && error.cause?.message === 'file removed');
});

test('sendFile refuses what is not a Blob', () => {
  const h = harness();
  assert.throws(() => h.files.send('p', 'text'), { code: 'invalid_argument' });
  assert.throws(() => h.files.send('p', new Blob(['a']), { name: 5 }), { code: 'invalid_argument' });
  assert.equal(h.calls.length, 0);
});

test('receiving: accept, store what the core says to store, report the digest, get the Blob', async () => {
  const file = randomBytes(150_000);
  let stored = 0;
  const h = harness({
    // The core's verdicts, as its machine gives them (in order only).
    fileChunk: (channel, transfer, offset, length) => {
      assert.equal(transfer, 3);
      if (offset + length <= stored) return { result: { verdict: 'duplicate', transfer: 9 } };
      if (offset !== stored) return { result: { verdict: 'refused', transfer: 9 } };
      stored += length;
      return { result: { verdict: 'store', transfer: 9 } };
    },
  });
  h.files.event({ type: 'transfer', peer: 'p', transfer: 9, name: 'in.bin', size: file.length, mime: 'image/png' });
  assert.equal(h.emitted.length, 1);
  const incoming = h.emitted[0].transfer;
  assert.equal(incoming.name, 'in.bin');
  assert.equal(incoming.size, file.length);
  assert.equal(incoming.type, 'image/png');
  const result = incoming.accept();
  await settle();
  assert.deepEqual(h.named('fileAccept'), [['fileAccept', 9]]);
  const frame = (offset, length) => encodeChunkFrame(3, offset, file.subarray(offset, offset + length));
  h.files.receive(7, frame(0, 60_000));
  h.files.receive(7, frame(0, 60_000)); // a duplicate
  h.files.receive(7, frame(100_000, 50_000)); // a gap
  h.files.receive(7, frame(60_000, 60_000));
  h.files.receive(7, frame(120_000, 30_000));
  assert.deepEqual(h.named('fileChunk').map((c) => c[1]), [7, 7, 7, 7, 7]);
  assert.deepEqual(h.named('fileDigest'), [['fileDigest', 9, sha256Hex(file)]]);
  h.files.event({ type: 'transfer-done', peer: 'p', transfer: 9, bytes: file.length, sha256: sha256Hex(file) });
  const { blob, bytes, sha256 } = await result;
  assert.equal(bytes, file.length);
  assert.equal(sha256, sha256Hex(file));
  assert.equal(blob.type, 'image/png');
  assert.ok(Buffer.from(await blob.arrayBuffer()).equals(file));
});

test('an empty file, once accepted, reports its digest after the accept', async () => {
  const h = harness();
  h.files.event({ type: 'transfer', peer: 'p', transfer: 6, name: 'empty', size: 0, mime: '' });
  h.emitted[0].transfer.accept();
  await settle();
  assert.deepEqual(
    h.calls.map((c) => c.slice(0, 2)),
    [['fileAccept', 6], ['fileDigest', 6]],
  );
  assert.equal(h.named('fileDigest')[0][2], sha256Hex(Buffer.alloc(0)));
});

test('a large file is received into Blob parts as it arrives, never held whole as loose chunks', async () => {
  const file = randomBytes(3 * SPOOL_BYTES + 12_345);
  const h = harness({ fileChunk: () => ({ result: { verdict: 'store', transfer: 9 } }) });
  h.files.event({ type: 'transfer', peer: 'p', transfer: 9, name: 'big.bin', size: file.length, mime: '' });
  const result = h.emitted[0].transfer.accept();
  await settle();
  // Every Blob made while the file arrives, by size (the global Blob is what the module uses).
  const made = [];
  const NativeBlob = globalThis.Blob;
  globalThis.Blob = class CountedBlob extends NativeBlob {
    constructor(parts, options) {
      super(parts, options);
      made.push(this.size);
    }
  };
  try {
    for (let offset = 0; offset < file.length; offset += 60_000) {
      h.files.receive(7, encodeChunkFrame(3, offset, file.subarray(offset, offset + 60_000)));
    }
  } finally {
    globalThis.Blob = NativeBlob;
  }
  assert.equal(made.length, 3, 'a part for each full spool');
  assert.ok(made.every((size) => size >= SPOOL_BYTES && size < SPOOL_BYTES + 60_000), `${made}`);
  h.files.event({ type: 'transfer-done', peer: 'p', transfer: 9, bytes: file.length, sha256: sha256Hex(file) });
  const { blob } = await result;
  assert.ok(Buffer.from(await blob.arrayBuffer()).equals(file));
});

test('control text goes to the core; a short frame and a refused chunk are errors, not crashes', () => {
  const h = harness({
    fileControl: () => ({ error: { code: 'invalid_transfer', origin: 'remote', message: 'bad' } }),
    fileChunk: () => ({ error: { code: 'invalid_transfer', origin: 'remote', message: 'unknown' } }),
  });
  h.files.receive(4, '{"t":"ack","transfer":1,"offset":5}');
  assert.deepEqual(h.named('fileControl'), [['fileControl', 4, '{"t":"ack","transfer":1,"offset":5}']]);
  h.files.receive(4, new ArrayBuffer(5));
  h.files.receive(4, encodeChunkFrame(1, 0, new Uint8Array(3)));
  assert.deepEqual(h.errors.map((e) => e.code), ['invalid_transfer', 'invalid_transfer', 'invalid_transfer']);
});

test('a rejected offer and one for an unknown peer are declined; failures reject accept()', async () => {
  const h = harness();
  h.files.event({ type: 'transfer', peer: 'gone', transfer: 11, name: 'x', size: 1, mime: '' });
  assert.deepEqual(h.named('fileReject'), [['fileReject', 11]]);
  h.files.event({ type: 'transfer', peer: 'p', transfer: 12, name: 'x', size: 1, mime: '' });
  const incoming = h.emitted[0].transfer;
  incoming.reject();
  incoming.reject();
  assert.deepEqual(h.named('fileReject').length, 2);
  h.files.event({ type: 'transfer', peer: 'p', transfer: 13, name: 'y', size: 1, mime: '' });
  const failing = h.emitted[1].transfer;
  const result = failing.accept();
  h.files.event({ type: 'transfer-failed', peer: 'p', transfer: 13,
    error: { code: 'hash_mismatch', origin: 'remote', message: 'digests differ' } });
  await assert.rejects(result, { code: 'hash_mismatch' });
});
