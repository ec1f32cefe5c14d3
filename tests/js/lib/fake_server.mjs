// The server's side of a session over a fake WebSocket: Engine.IO open, the rtcwire welcome and
// envelopes, as docs/protocol.md spells them.
export const openPacket = (timing = { pingInterval: 25000, pingTimeout: 20000 }) =>
  '0' + JSON.stringify({ sid: 'engine-session', upgrades: [], maxPayload: 1000000, ...timing });

export const envelope = (fields) => '4' + JSON.stringify({ v: 1, ...fields });

export const welcome = (fields = {}) =>
  envelope({
    t: 'welcome',
    peer: 'me',
    session: 'session-1',
    token: 'resume-token',
    maxMessageBytes: 65536,
    resumed: false,
    ack: 0,
    ...fields,
  });

/** The envelopes a socket carried, decoded (pings and other packets left out). */
export const sentEnvelopes = (socket) =>
  socket.sent.filter((frame) => frame.startsWith('4')).map((frame) => JSON.parse(frame.slice(1)));

/** Accepts the socket and completes the Engine.IO and rtcwire handshakes. */
export function acceptSession(socket, welcomeFields, timing) {
  socket.accept();
  socket.receive(openPacket(timing));
  socket.receive(welcome(welcomeFields));
}
