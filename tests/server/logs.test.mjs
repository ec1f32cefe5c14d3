// Log lines under hostile input: fields are quoted and escaped so a room name cannot forge fields,
// invisible and direction-changing characters are escaped, --log-format json writes one parseable
// object per line, and a client repeating an error cannot flood the log: past a share per second
// lines are counted and reported as suppressed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startServer } from '../lib/server_process.mjs';
import { QUICK_SESSION_ARGS } from './support/session_args.mjs';
import { EnvelopePeer, within } from './support/peers.mjs';
import { openConnection, statusLines } from './support/raw_tcp.mjs';

const FORGED_ROOM = 'x code=ok message="forged" peer=ADMIN';
const HIDDEN_TYPE = 'x\u202e\u2028y';

/** key=value and key="quoted \" value" fields of a text log line, after its timestamp and event. */
function fieldsOf(line) {
  const fields = {};
  for (const match of line.matchAll(/ ([a-z_]+)=("((?:[^"\\]|\\.)*)"|[^ "]+)/g)) {
    if (match[1] in fields) throw new Error(`field ${match[1]} twice in: ${line}`);
    fields[match[1]] = match[3] !== undefined ? match[3].replace(/\\(["\\])/g, '$1') : match[2];
  }
  return fields;
}

describe('text log', () => {
  test('a room name written as log fields stays one quoted field', async () => {
    const server = await startServer({ args: QUICK_SESSION_ARGS });
    try {
      const peer = await EnvelopePeer.welcomed(server.url);
      await peer.join(FORGED_ROOM);
      peer.send({ v: 1, t: HIDDEN_TYPE });
      await peer.expectError('unknown_type');
      const line = await server.waitForLog(new RegExp(`^\\S+ error sid=.*peer=${peer.id}`));
      assert.ok(line.includes(' room="x code=ok message=\\"forged\\" peer=ADMIN" '), line);
      const fields = fieldsOf(line);
      assert.equal(fields.room, FORGED_ROOM);
      assert.equal(fields.peer, peer.id);
      assert.equal(fields.code, 'unknown_type');
      // The invisible characters are visible escapes, not raw bytes.
      assert.ok(fields.message.includes("'x\\u{202e}\\u{2028}y'"), line);
      assert.doesNotMatch(line, /[\u2028\u202e]/);
      await peer.close();
      const disconnect = await server.waitForLog(new RegExp(`disconnect .*peer=${peer.id}`));
      assert.equal(fieldsOf(disconnect).room, FORGED_ROOM);
    } finally {
      await server.stop();
    }
  });

  test('repeated errors are rate-limited and the rest counted', async () => {
    const server = await startServer({ args: QUICK_SESSION_ARGS });
    try {
      const peer = await EnvelopePeer.welcomed(server.url);
      const sent = 60;
      for (let i = 0; i < sent; i += 1) peer.send(`{"not json ${i}`);
      for (let i = 0; i < sent; i += 1) await peer.expectError('malformed_json');
      const stderr = await server.waitForStderr((text) => {
        const written = text.split('\n').filter((l) => / error .*code=malformed_json/.test(l)).length;
        const suppressed = [...text.matchAll(/log lines suppressed kind=error\.malformed_json count=(\d+)/g)]
          .reduce((sum, m) => sum + Number(m[1]), 0);
        return suppressed > 0 && written + suppressed === sent;
      }, 'every malformed envelope, written or counted');
      const written = stderr.split('\n').filter((l) => / error .*code=malformed_json/.test(l)).length;
      assert.ok(written < sent, `${written} lines for ${sent} errors`);
      // Other kinds of lines are not held back.
      await peer.close();
      await server.waitForLog(new RegExp(`disconnect .*peer=${peer.id}`));
    } finally {
      await server.stop();
    }
  });

  test('a connect loop is rate-limited like errors: session lines are counted past their share', async () => {
    const server = await startServer({ args: QUICK_SESSION_ARGS });
    try {
      // Handshakes pipelined on one connection: the server opens the sessions back to back, far
      // faster than a share of log lines per second.
      const sessions = 60;
      const { host } = new URL(server.url);
      const handshake = `GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
      const connection = await openConnection(server.url);
      connection.socket.write(handshake.repeat(sessions));
      const stderr = await server.waitForStderr((text) => {
        const written = text.split('\n').filter((l) => / connect sid=/.test(l)).length;
        const suppressed = [...text.matchAll(/log lines suppressed kind=connect count=(\d+)/g)]
          .reduce((sum, m) => sum + Number(m[1]), 0);
        return suppressed > 0 && written + suppressed === sessions;
      }, 'every connect, written or counted');
      const written = stderr.split('\n').filter((l) => / connect sid=/.test(l)).length;
      assert.ok(written < sessions, `${written} lines for ${sessions} sessions`);
      // Every session was opened: the limit is on lines, not on clients.
      const answered = () => statusLines(connection.received()).length >= sessions;
      await within(
        new Promise((resolve) => {
          if (answered()) resolve();
          connection.socket.on('data', () => answered() && resolve());
        }),
        'every handshake answered',
      );
      assert.deepEqual(new Set(statusLines(connection.received())), new Set(['HTTP/1.1 200 OK']));
      connection.socket.destroy();
    } finally {
      await server.stop();
    }
  });
});

describe('--log-format json', () => {
  test('every line is one JSON object; client input is a plain string value', async () => {
    const server = await startServer({ args: [...QUICK_SESSION_ARGS, '--log-format', 'json'] });
    try {
      const peer = await EnvelopePeer.welcomed(server.url);
      await peer.join(FORGED_ROOM);
      peer.send({ v: 1, t: HIDDEN_TYPE });
      await peer.expectError('unknown_type');
      const sid = peer.socket.id;
      await peer.close();
      const stderr = await server.waitForStderr(
        (text) => text.includes('"event":"disconnect"'),
        'a disconnect object',
      );
      const lines = stderr.trimEnd().split('\n').map((line) => JSON.parse(line));
      for (const line of lines) {
        assert.match(line.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(typeof line.event, 'string');
      }
      const error = lines.find((l) => l.event === 'error' && l.peer === peer.id);
      assert.equal(error.room, FORGED_ROOM);
      assert.equal(error.code, 'unknown_type');
      assert.ok(error.message.includes(HIDDEN_TYPE));
      assert.doesNotMatch(stderr, /[\u2028\u202e]/, 'non-ASCII is escaped');
      assert.ok(lines.some((l) => l.event === 'connect' && l.sid === sid));
    } finally {
      await server.stop();
    }
  });
});
