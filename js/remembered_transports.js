// Which transport worked for each server, as the core advises remembering it, for this page's
// lifetime: the next connect() to that server starts with it (a network that blocks WebSockets
// is not paid for twice). Keyed by the resolved server URL given to the core.
const MAX_SERVERS = 32;
const remembered = new Map();

/** The advice for `server`, if still valid at platform.now() time `now`. */
export function rememberedTransport(server, now) {
  const entry = remembered.get(server);
  if (entry && now < entry.until) return entry;
  remembered.delete(server);
  return undefined;
}

export function rememberTransport(server, transport, until) {
  remembered.delete(server);
  remembered.set(server, { transport, until });
  // Oldest advice first out: a page talking to many servers keeps a bounded table.
  if (remembered.size > MAX_SERVERS) remembered.delete(remembered.keys().next().value);
}
