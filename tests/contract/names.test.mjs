// The error codes and event names are written in several places: the C++ core, the JS layer, the
// TypeScript declarations and the docs. This reads each file and checks they name the same set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

// The rows of the markdown table that follows `heading`: the backquoted name in each first cell.
function tableNames(markdown, heading) {
  const start = markdown.indexOf(heading);
  assert.notEqual(start, -1, `no '${heading}' section`);
  const names = [];
  let inTable = false;
  for (const line of markdown.slice(start + heading.length).split('\n')) {
    if (line.startsWith('|')) {
      inTable = true;
      const cell = /^\|\s*`([^`]+)`/.exec(line);
      if (cell) names.push(cell[1]);
    } else if (inTable) {
      break;
    }
  }
  assert.ok(names.length > 0, `no table after '${heading}'`);
  return names;
}

function block(text, startMarker, endMarker) {
  const start = text.indexOf(startMarker);
  assert.notEqual(start, -1, `no '${startMarker}'`);
  const end = text.indexOf(endMarker, start + startMarker.length);
  assert.notEqual(end, -1, `no '${endMarker}' after '${startMarker}'`);
  return text.slice(start + startMarker.length, end);
}

const sorted = (names) => [...names].sort();

function assertSameNames(actual, expected, where) {
  assert.equal(new Set(actual).size, actual.length, `${where} lists a name twice`);
  assert.deepEqual(sorted(actual), sorted(expected), where);
}

test('every error code is the same in error.hpp, error.cpp, index.d.ts, api.md and protocol.md', () => {
  const enumBody = block(read('sdk/include/rtcwire/base/error.hpp'), 'enum class ErrorCode {', '};');
  const enumNames = [...enumBody.matchAll(/^\s*([a-z_]+),/gm)].map((match) => match[1]);
  assert.ok(enumNames.length >= 30, `only ${enumNames.length} codes read from error.hpp`);

  const cppNames = [...read('sdk/src/base/error.cpp').matchAll(/ErrorCode::(\w+), std::string_view\{"(\w+)"\}/g)];
  for (const [, member, name] of cppNames) assert.equal(name, member, 'error.cpp spells a code as its enum member');
  assertSameNames(cppNames.map((match) => match[1]), enumNames, 'error.cpp to_string names');

  const union = block(read('js/index.d.ts'), 'export type ErrorCode =', ';');
  assertSameNames([...union.matchAll(/'([a-z_]+)'/g)].map((match) => match[1]), enumNames, 'index.d.ts ErrorCode');

  assertSameNames(tableNames(read('docs/api.md'), '### Error codes'), enumNames, 'docs/api.md error codes');
  assertSameNames(tableNames(read('docs/protocol.md'), '### Error codes'), enumNames, 'docs/protocol.md error codes');
});

test('every app event is the same in client.js, index.d.ts and api.md', () => {
  const client = read('js/client.js');
  const emitted = [...block(client, 'const EVENT_NAMES = [', '];').matchAll(/'([a-z-]+)'/g)].map((match) => match[1]);
  assert.ok(emitted.length >= 10);
  const events = block(read('js/index.d.ts'), 'export interface RtcwireEvents {', '\n}');
  const declared = [...events.matchAll(/^\s*'?([a-z-]+)'?: \[/gm)].map((match) => match[1]);
  assertSameNames(declared, emitted, 'index.d.ts RtcwireEvents');
  assertSameNames(tableNames(read('docs/api.md'), '### Events'), emitted, 'docs/api.md events');
});

test('client.js handles every event type the core encodes', () => {
  const encoder = read('sdk/src/client/event_encoding.cpp');
  const events = block(encoder, 'void put_event(', '\n}\n');
  const coreTypes = [...events.matchAll(/open_object\(out, "([a-z-]+)"\)/g)].map((match) => match[1]);
  // state is encoded by put_state, the peer layer's events by put_notice_fields ('error' in both).
  for (const encoderOf of ['void put_state(', 'void put_notice_fields(']) {
    coreTypes.push(...[...block(encoder, encoderOf, '\n}\n').matchAll(/open_object\(out, "([a-z-]+)"\)/g)].map((match) => match[1]));
  }
  // File transfer events are encoded by the files' own encoder.
  const fileEncoder = read('sdk/src/peer/file_transfer_encoding.cpp');
  const fileEvents = [...block(fileEncoder, 'void put_file_event_fields(', '\n}\n').matchAll(/open_event\(out, "([a-z-]+)"/g)].map((match) => match[1]);
  assertSameNames(fileEvents, ['transfer', 'transfer-progress', 'transfer-done', 'transfer-failed'], 'file transfer events');
  coreTypes.push(...fileEvents);
  coreTypes.splice(0, coreTypes.length, ...new Set(coreTypes));
  assert.ok(coreTypes.length >= 12, `only ${coreTypes.length} event types read from the encoder`);
  const dispatch = block(read('js/client.js'), '#dispatch(event) {', '\n  }\n');
  const handled = [...dispatch.matchAll(/case '([a-z-]+)':/g)].map((match) => match[1]);
  assertSameNames(handled, coreTypes, 'client.js #dispatch cases');
});

test('every peer and channel event is the same in peer.js/channel.js, index.d.ts and api.md', () => {
  const listed = (path, constant) =>
    [...block(read(path), `export const ${constant} = [`, '];').matchAll(/'([a-z-]+)'/g)].map((match) => match[1]);
  const declared = (name) =>
    [...block(read('js/index.d.ts'), `export interface ${name} {`, '\n}').matchAll(/^\s*'?([a-z-]+)'?: \[/gm)].map(
      (match) => match[1],
    );
  const peerEvents = listed('js/peer/peer.js', 'PEER_EVENT_NAMES');
  assert.ok(peerEvents.length >= 6);
  assertSameNames(declared('RtcwirePeerEvents'), peerEvents, 'index.d.ts RtcwirePeerEvents');
  assertSameNames(tableNames(read('docs/api.md'), 'Peer events:'), peerEvents, 'docs/api.md peer events');
  const channelEvents = listed('js/peer/channel.js', 'CHANNEL_EVENT_NAMES');
  assertSameNames(declared('RtcwireChannelEvents'), channelEvents, 'index.d.ts RtcwireChannelEvents');
});

test('peer_connections.js executes every peer action the core encodes and reports only events the core parses', () => {
  const encoder = read('sdk/src/client/event_encoding.cpp');
  const actions = [...block(encoder, 'void put_peer_action(', '\n}\n').matchAll(/open_object\(out, "([a-z-]+)"\)/g)].map((match) => match[1]);
  assert.ok(actions.length >= 14, `only ${actions.length} peer actions read from the encoder`);
  const adapter = read('js/platform/peer_connections.js');
  const executed = [...block(adapter, '  execute(action) {', '\n  }\n').matchAll(/case '([a-z-]+)':/g)].map((match) => match[1]);
  assertSameNames(executed, actions, 'peer_connections.js execute cases');

  // The file actions go to js/peer/file_transfer.js (client.js routes every 'file-' action there).
  const fileActions = [...block(read('sdk/src/peer/file_transfer_encoding.cpp'), 'void put_file_action_fields(', '\n}\n').matchAll(/open_object\(out, "([a-z-]+)"\)/g)].map((match) => match[1]);
  assert.ok(fileActions.length >= 2 && fileActions.every((type) => type.startsWith('file-')), 'file actions are named file-*');
  const files = block(read('js/peer/file_transfer.js'), '  execute(action) {', '\n  }\n');
  assertSameNames([...files.matchAll(/action\.type === '([a-z-]+)'/g)].map((match) => match[1]), fileActions, 'file_transfer.js execute');

  const parser = read('sdk/src/peer/peer_event.cpp');
  // Event types have a hyphen (a description's type, 'offer', is compared the same way).
  const parsed = new Set([...parser.matchAll(/\*type == "([a-z]+-[a-z-]+)"/g)].map((match) => match[1]));
  assert.ok(parsed.size >= 12, `only ${parsed.size} peer event types read from the parser`);
  const reported = new Set([...adapter.matchAll(/type: '([a-z-]+)'/g)].map((match) => match[1]));
  assertSameNames([...reported], [...parsed], 'peer event types peer_connections.js reports');
});
