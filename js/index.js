// rtcwire: real-time rooms and messaging for web apps, over a C++ core compiled to WebAssembly.
import { createClient } from './client.js';
import { loadCore } from './core_module.js';
import { resolveServerUrl } from './platform/server_url.js';

export { RtcwireClient } from './client.js';
export { RtcwireError } from './errors.js';

const SDK_NAME = 'rtcwire-js/0.1.0';

/**
 * Connects to an rtcwire-server. `url` (http, https, ws or wss; relative to the page, default
 * the page's own origin) names the server. Resolves with a connected client; rejects with an
 * RtcwireError when the server cannot be reached or does not complete the handshake.
 */
export async function connect(url, options) {
  const { handshakeTimeout } = options ?? {};
  const config = { url: resolveServerUrl(url), sdk: SDK_NAME };
  if (handshakeTimeout !== undefined) config.handshakeTimeoutMs = handshakeTimeout;
  const { ClientCore } = await loadCore();
  const client = createClient(new ClientCore(JSON.stringify(config)));
  try {
    await client.reconnect();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
