// The server's own websocket against the rules of RFC 6455, autobahn style: exact frames from a
// raw TCP client, the server's answers read frame by frame. The server runs with --echo, so a
// well-formed Engine.IO message comes back as it went in.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { within } from './support/peers.mjs';
import { assertHealthy, rssOf } from './support/well_behaved.mjs';

const MAX_PAYLOAD = 4096;
const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

let server;
before(async () => {
  server = await startServer({ args: ['--echo', '--max-payload', String(MAX_PAYLOAD)] });
});
after(async () => {
  await server.stop();
});

/** A client frame: `first` is the FIN/RSV/opcode byte. */
function frame(first, payload = '', { masked = true } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  let length;
  if (body.length < 126) {
    length = Buffer.from([body.length]);
  } else if (body.length <= 0xffff) {
    length = Buffer.alloc(3);
    length[0] = 126;
    length.writeUInt16BE(body.length, 1);
  } else {
    length = Buffer.alloc(9);
    length[0] = 127;
    length.writeBigUInt64BE(BigInt(body.length), 1);
  }
  if (masked) length[0] |= 0x80;
  if (!masked) return Buffer.concat([Buffer.from([first]), length, body]);
  const maskedBody = Buffer.from(body.map((byte, i) => byte ^ MASK[i % 4]));
  return Buffer.concat([Buffer.from([first]), length, MASK, maskedBody]);
}

const text = (payload) => frame(0x81, payload);
const closeFrame = (code, reason = '') =>
  frame(0x88, Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]));

/**
 * A websocket client over a raw socket. `open()` resolves after the 101 and the Engine.IO open
 * packet; `next()` gives the server's frames in order ({opcode, fin, payload}); `ended` resolves
 * when the server closes the TCP connection.
 */
class RawWebSocket {
  static async open(url, headers = {}) {
    const client = new RawWebSocket(url, headers);
    const answer = await client.answer;
    assert.match(answer, /^HTTP\/1\.1 101 /);
    const open = await client.next();
    assert.equal(open.opcode, 1);
    assert.match(open.payload.toString(), /^0\{.*"sid":/);
    return client;
  }

  constructor(url, headers) {
    const { hostname, port } = new URL(url);
    this.socket = net.connect({ host: hostname, port: Number(port) });
    this.socket.on('error', () => {});
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.ended = new Promise((resolve) => this.socket.once('close', resolve));
    const lines = [
      'GET /engine.io/?EIO=4&transport=websocket HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
    this.answer = within(
      new Promise((resolve) => (this.onAnswer = resolve)),
      'the answer to the upgrade',
    );
    this.socket.on('data', (chunk) => this.receive(chunk));
  }

  receive(chunk) {
    this.chunks = (this.chunks ?? 0) + 1;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.onAnswer) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      const resolve = this.onAnswer;
      this.onAnswer = null;
      resolve(head + '\r\n\r\n' + this.buffer.toString('latin1'));
      if (!head.startsWith('HTTP/1.1 101')) return;
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      const first = this.buffer[0];
      const second = this.buffer[1];
      assert.equal(second & 0x80, 0, 'server frames are not masked');
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const received = {
        fin: (first & 0x80) !== 0,
        opcode: first & 0x0f,
        payload: this.buffer.subarray(offset, offset + length),
        chunk: this.chunks,  // the TCP read that completed the frame
      };
      this.buffer = this.buffer.subarray(offset + length);
      const waiter = this.waiters.shift();
      if (waiter) waiter(received);
      else this.frames.push(received);
      this.onFrame?.();
    }
  }

  /** The server's next frame, heartbeat pings ('2') left out. */
  async next(what = 'a frame from the server') {
    for (;;) {
      const received = this.frames.length
        ? this.frames.shift()
        : await within(new Promise((resolve) => this.waiters.push(resolve)), what);
      if (received.opcode === 1 && received.payload.toString() === '2') continue;
      return received;
    }
  }

  /** Waits for the server's close frame and its code; then for the TCP connection to end. */
  async closedWith(what) {
    const received = await this.next(`the close frame (${what})`);
    assert.equal(received.opcode, 8, `a close frame for ${what}, got opcode ${received.opcode}`);
    const code = received.payload.length >= 2 ? received.payload.readUInt16BE(0) : undefined;
    await within(this.ended, `the server to close the connection after ${what}`);
    return code;
  }

  write(bytes) {
    this.socket.write(bytes);
  }
}

test('a message comes back whole, however its bytes are split', async () => {
  const ws = await RawWebSocket.open(server.url);
  const bytes = text('4one byte at a time');
  for (const byte of bytes) {
    ws.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const echoed = await ws.next();
  assert.deepEqual([echoed.opcode, echoed.fin, echoed.payload.toString()], [1, true, '4one byte at a time']);
  ws.write(Buffer.concat([text('4a'), text('4b'), text('4c')]));
  const three = [await ws.next(), await ws.next(), await ws.next()].map((f) => f.payload.toString());
  assert.deepEqual(three, ['4a', '4b', '4c']);
  ws.socket.destroy();
});

// Reads of every size around 256 bytes (a size a per-connection first-read buffer would have; see
// docs/server.md) and past the 64 KiB buffer that plain connections share.
test('messages come back whole and in order whatever the size of the read', async () => {
  const ws = await RawWebSocket.open(server.url);
  /** A text frame of exactly `size` bytes (masked, 16-bit length: 8 bytes of header). */
  const frameOf = (size, tag) => text(`4${tag}:`.padEnd(size - 8, 'x'));
  for (let size = 248; size <= 264; size += 1) {
    const tag = `alone ${size}`;
    assert.equal(frameOf(size, tag).length, size);
    ws.write(frameOf(size, tag));
    const echoed = await ws.next(`the echo of a ${size}-byte frame`);
    assert.equal(echoed.payload.toString(), `4${tag}:`.padEnd(size - 8, 'x'));
  }
  // A full first read with more behind it in the same write, and a frame cut at the 256th byte.
  const pair = [frameOf(256, 'first'), frameOf(300, 'second')];
  ws.write(Buffer.concat(pair));
  assert.equal((await ws.next()).payload.toString(), `4first:`.padEnd(248, 'x'));
  assert.equal((await ws.next()).payload.toString(), `4second:`.padEnd(292, 'x'));
  // More than the shared buffer in one write: 20 frames of 4,000 bytes (80,000 bytes).
  const big = Array.from({ length: 20 }, (_, i) => frameOf(4000, `big ${i}`));
  ws.write(Buffer.concat(big));
  for (let i = 0; i < big.length; i += 1) {
    const echoed = await ws.next(`the echo of big frame ${i}`);
    assert.equal(echoed.payload.toString(), `4big ${i}:`.padEnd(3992, 'x'));
  }
  ws.socket.destroy();
});

test('the answers to messages read together leave together, in one TCP send', async () => {
  const ws = await RawWebSocket.open(server.url);
  const sent = Array.from({ length: 10 }, (_, i) => `4burst ${i}`);
  ws.write(Buffer.concat(sent.map((message) => text(message))));
  const echoed = [];
  for (const message of sent) echoed.push(await ws.next(`the echo of ${message}`));
  assert.deepEqual(echoed.map((f) => f.payload.toString()), sent);
  // One send arrives in one read on loopback; separate sends would have come in separate reads.
  assert.equal(new Set(echoed.map((f) => f.chunk)).size, 1, `echoes in reads ${echoed.map((f) => f.chunk)}`);
  ws.socket.destroy();
});

test('a fragmented message with a ping between its fragments: the pong first, then the message', async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(Buffer.concat([frame(0x01, '4he'), frame(0x89, 'ping data'), frame(0x00, 'll'), frame(0x80, 'o')]));
  const pong = await ws.next();
  assert.deepEqual([pong.opcode, pong.payload.toString()], [0xa, 'ping data']);
  const message = await ws.next();
  assert.deepEqual([message.opcode, message.payload.toString()], [1, '4hello']);
  ws.socket.destroy();
});

test('a binary message comes back binary', async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(frame(0x82, Buffer.from([4, 0, 255, 1])));
  const echoed = await ws.next();
  assert.equal(echoed.opcode, 2);
  assert.deepEqual([...echoed.payload], [4, 0, 255, 1]);
  ws.socket.destroy();
});

test('an unsolicited pong is ignored', async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(Buffer.concat([frame(0x8a, 'unasked'), text('4after')]));
  assert.equal((await ws.next()).payload.toString(), '4after');
  ws.socket.destroy();
});

test("the client's close frame is answered with its code, then the server closes", async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(closeFrame(4001, 'done'));
  assert.equal(await ws.closedWith('a close with 4001'), 4001);
});

test('an empty close frame is answered with an empty one', async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(frame(0x88));
  assert.equal(await ws.closedWith('an empty close'), undefined);
});

test('an Engine.IO close packet: the server closes with 1000 and waits for the answer', async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(text('1'));
  const received = await ws.next('the close frame');
  assert.equal(received.opcode, 8);
  assert.equal(received.payload.readUInt16BE(0), 1000);
  ws.write(closeFrame(1000));
  await within(ws.ended, 'the server to close the connection after the close handshake');
});

for (const [name, bytes, code] of [
  ['an unmasked frame', frame(0x81, '4x', { masked: false }), 1002],
  ['a frame with RSV1 set (no extension agreed)', frame(0xc1, '4x'), 1002],
  ['a frame with RSV3 set', frame(0x91, '4x'), 1002],
  ['an unknown data opcode', frame(0x83, 'x'), 1002],
  ['an unknown control opcode', frame(0x8b, 'x'), 1002],
  ['a fragmented ping', frame(0x09, 'p'), 1002],
  ['a ping over 125 bytes', frame(0x89, 'p'.repeat(126)), 1002],
  ['a continuation without a message', frame(0x80, 'x'), 1002],
  ['a new message inside a fragmented one', Buffer.concat([frame(0x01, '4a'), text('4b')]), 1002],
  ['a close frame of one byte', frame(0x88, Buffer.from([3])), 1002],
  ['a close code that may not be sent (1005)', closeFrame(1005), 1002],
  ['a close code out of range (5000)', closeFrame(5000), 1002],
  ['a text message that is not UTF-8', text(Buffer.from([0x34, 0xc3, 0x28])), 1007],
  ['a fragmented text message that ends inside a character', Buffer.concat([frame(0x01, '4caf'), frame(0x80, Buffer.from([0xc3]))]), 1007],
  ['a close reason that is not UTF-8', frame(0x88, Buffer.from([0x03, 0xe8, 0xff])), 1007],
  ['a message over maxPayload', text('4' + 'y'.repeat(MAX_PAYLOAD)), 1009],
  ['fragments adding up to more than maxPayload', Buffer.concat([frame(0x01, '4' + 'y'.repeat(MAX_PAYLOAD / 2)), frame(0x80, 'y'.repeat(MAX_PAYLOAD / 2))]), 1009],
]) {
  test(`${name} closes the websocket with ${code}`, async () => {
    const ws = await RawWebSocket.open(server.url);
    ws.write(bytes);
    assert.equal(await ws.closedWith(name), code);
  });
}

test('a message over maxPayload is refused from its header, before its payload is sent', async () => {
  const ws = await RawWebSocket.open(server.url);
  ws.write(frame(0x82, Buffer.alloc(70000)).subarray(0, 14));
  assert.equal(await ws.closedWith('a header announcing 70000 bytes'), 1009);
});

test('an upgrade of another websocket version is refused with 426 naming 13', async () => {
  const { hostname, port } = new URL(server.url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
  const ended = new Promise((resolve) => socket.once('close', resolve));
  socket.write(
    [
      'GET /engine.io/?EIO=4&transport=websocket HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 8',
    ].join('\r\n') + '\r\n\r\n',
  );
  await within(ended, 'the server to close the refused upgrade');
  assert.match(answer, /^HTTP\/1\.1 426 /);
  assert.match(answer, /\r\nSec-WebSocket-Version: 13\r\n/);
});

test('permessage-deflate offered is not agreed: the 101 names no extension', async () => {
  const ws = new RawWebSocket(server.url, { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' });
  const answer = await ws.answer;
  assert.match(answer, /^HTTP\/1\.1 101 /);
  assert.doesNotMatch(answer, /Sec-WebSocket-Extensions/i);
  ws.socket.destroy();
});

/** A ping frame with a 125-byte payload naming `n` (masked with a zero key: cheap to make). */
function numberedPing(n) {
  const bytes = Buffer.alloc(2 + 4 + 125, '.');
  bytes[0] = 0x89;
  bytes[1] = 0x80 | 125;
  bytes.fill(0, 2, 6);
  bytes.write(`ping ${n} `, 6);
  return bytes;
}

async function gauge(metricsUrl, name) {
  const text = await within(fetch(metricsUrl).then((response) => response.text()), 'a scrape');
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)[1]);
}

test('a client that pings without reading its pongs is not read until it does: the server holds little, another client is unaffected, no pong is lost', async () => {
  const MiB = 1024 * 1024;
  const own = await startServer({ args: ['--echo', '--metrics-port', '0', '--ping-interval', '600000'] });
  try {
    const control = await RawWebSocket.open(own.url);
    const flooder = await RawWebSocket.open(own.url);
    const rssBefore = rssOf(own.pid);
    // 32 MiB of pings, far more than the kernel's socket buffers hold on both sides.
    flooder.socket.pause();
    const pings = Math.ceil((32 * MiB) / numberedPing(0).length);
    for (let n = 0; n < pings; n += 1024) {
      const end = Math.min(pings, n + 1024);
      flooder.write(Buffer.concat(Array.from({ length: end - n }, (_, i) => numberedPing(n + i))));
    }

    // The server stops reading the flooder once its pongs back up (the gauge's only websocket).
    // Had it read on, it would have taken the whole flood (and held the pongs): fail at once then.
    const deadline = Date.now() + 30000;
    while ((await gauge(own.metricsUrl, 'rtcwire_websocket_reads_paused')) !== 1) {
      const read = `RSS +${((rssOf(own.pid) - rssBefore) / MiB).toFixed(1)} MiB`;
      assert.ok(flooder.socket.writableLength > 0, `the server read the whole flood (${read})`);
      assert.ok(Date.now() < deadline, `the flooder is still read after 30 s (${read})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Part of the flood is still unsent; how much depends on the kernel's socket buffers (which
    // may grow to tcp_rmem's maximum, 32 MiB here), so the bound on the server is its RSS below.
    assert.ok(
      flooder.socket.writableLength > 0,
      `the flooder handed the whole flood to the kernel (RSS +${((rssOf(own.pid) - rssBefore) / MiB).toFixed(1)} MiB)`,
    );
    const rssPaused = rssOf(own.pid);
    assert.ok(
      rssPaused < rssBefore + 8 * MiB,
      `RSS ${(rssBefore / MiB).toFixed(1)} MiB before the flood, ${(rssPaused / MiB).toFixed(1)} MiB with it paused`,
    );

    // Another client on the same server is served meanwhile.
    for (let i = 0; i < 20; i++) {
      control.write(text(`4control ${i}`));
      assert.equal((await control.next()).payload.toString(), `4control ${i}`);
    }
    await assertHealthy(own.url, 1000);
    assert.equal(await gauge(own.metricsUrl, 'rtcwire_websocket_reads_paused'), 1);

    // Once the flooder reads, every ping is answered, in order, and its websocket works on.
    const pongs = [];
    const allPongs = new Promise((resolve) => {
      flooder.onFrame = () => {
        while (flooder.frames.length) {
          const received = flooder.frames.shift();
          if (received.opcode === 1 && received.payload.toString() === '2') continue;
          pongs.push(received);
        }
        if (pongs.length >= pings) resolve();
      };
    });
    flooder.socket.resume();
    await within(allPongs, `${pings} pongs`, 60000);
    flooder.onFrame = undefined;
    assert.equal(pongs.length, pings);
    for (let n = 0; n < pings; n++) {
      if (pongs[n].opcode !== 0xa || !pongs[n].payload.equals(numberedPing(n).subarray(6))) {
        assert.fail(`frame ${n} is not the pong of ping ${n}: opcode ${pongs[n].opcode}, ${pongs[n].payload.subarray(0, 20)}`);
      }
    }
    flooder.write(text('4after the flood'));
    assert.equal((await flooder.next()).payload.toString(), '4after the flood');
    assert.equal(await gauge(own.metricsUrl, 'rtcwire_websocket_reads_paused'), 0);
    control.socket.destroy();
    flooder.socket.destroy();
  } finally {
    await own.stop();
  }
});
