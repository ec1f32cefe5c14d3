// rtcwire: real-time rooms and messaging for web apps, over a C++ core compiled to WebAssembly.
import { createClient } from './client.js';
import { tokenGetter } from './connection_token.js';
import { loadCore } from './core_module.js';
import { localError } from './errors.js';
import { iceServersProvider } from './peer/ice_servers_provider.js';
import { platformWith } from './platform/platform.js';
import { resolveServerUrl } from './platform/server_url.js';
import { rememberedTransport, rememberTransport } from './remembered_transports.js';

export { RtcwireClient } from './client.js';
export { RtcwireError } from './errors.js';
export { RtcwireChannel } from './peer/channel.js';
export { RtcwirePeer } from './peer/peer.js';

const SDK_NAME = 'rtcwire-js/0.1.0';
const TRANSPORTS = ['websocket', 'sse', 'polling'];

/**
 * Connects to an rtcwire-server. `url` (http, https, ws or wss; relative to the page, default
 * the page's own origin) names the server. The transports are tried in order (default
 * websocket, sse, polling) until one completes the handshake. Resolves with a connected client;
 * rejects with an RtcwireError when no transport reaches the server.
 */
export async function connect(url, options) {
  const { handshakeTimeout, transports, reconnect, resumeBufferBytes, token, peers } = options ?? {};
  const platform = platformWith(options?.platform);
  const getToken = token === undefined ? null : tokenGetter(token);
  const provider = peers?.iceServersProvider;
  const provideIceServers = provider === undefined ? null : iceServersProvider(provider, platform);
  const server = resolveServerUrl(url, platform.pageUrl());
  const config = { url: server, sdk: SDK_NAME, randomSeed: randomSeed(platform) };
  if (handshakeTimeout !== undefined) config.handshakeTimeoutMs = handshakeTimeout;
  if (transports !== undefined) config.transports = checkTransports(transports);
  if (reconnect !== undefined) config.reconnect = reconnectConfig(reconnect);
  if (resumeBufferBytes !== undefined) config.resumeBufferBytes = resumeBufferBytes;
  if (peers !== undefined) config.peers = peersConfig(peers);
  const remembered = rememberedTransport(server, platform.now());
  if (remembered) config.remembered = remembered;
  const { ClientCore } = await loadCore();
  const firstToken = getToken && (await getToken());
  // Only a function can give a fresh token.
  const client = createClient(
    new ClientCore(JSON.stringify(config)),
    (transport, until) => rememberTransport(server, transport, until),
    typeof token === 'function' ? getToken : null,
    platform,
    provideIceServers,
  );
  try {
    if (firstToken) client.useToken(firstToken);
    await client.reconnect();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

// The core checks the values; this only renames them and refuses what is not an object.
function reconnectConfig(reconnect) {
  if (reconnect === null || typeof reconnect !== 'object') {
    throw localError('invalid_argument', 'reconnect must be an object');
  }
  const { initialDelay, factor, maxDelay, maxAttempts } = reconnect;
  const config = {};
  if (initialDelay !== undefined) config.initialDelayMs = initialDelay;
  if (factor !== undefined) config.factor = factor;
  if (maxDelay !== undefined) config.maxDelayMs = maxDelay;
  if (maxAttempts !== undefined) config.maxAttempts = maxAttempts;
  return config;
}

// As reconnectConfig: the core checks the values (iceServers as RTCPeerConnection takes them).
// The provider stays here: the core only knows there is one.
function peersConfig(peers) {
  if (peers === null || typeof peers !== 'object') {
    throw localError('invalid_argument', 'peers must be an object');
  }
  const { autoConnect, iceServers, iceTransportPolicy, restartGraceMs, maxIceRestarts } = peers;
  const iceServersProvider = peers.iceServersProvider === undefined ? undefined : true;
  return { autoConnect, iceServers, iceServersProvider, iceTransportPolicy, restartGraceMs, maxIceRestarts };
}

function checkTransports(transports) {
  const valid =
    Array.isArray(transports) &&
    transports.length > 0 &&
    transports.every((name, index) => TRANSPORTS.includes(name) && transports.indexOf(name) === index);
  if (!valid) {
    throw localError(
      'invalid_argument',
      `transports must list 1 to 3 distinct names of ${TRANSPORTS.map((name) => `'${name}'`).join(', ')}`,
    );
  }
  return [...transports];
}

// The core's jitter needs a random source; it has none of its own. 53 bits, exact in JSON.
function randomSeed(platform) {
  const words = new Uint32Array(2);
  platform.getRandomValues(words);
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}
