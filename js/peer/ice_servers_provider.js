// The app's iceServersProvider as one call the client makes when the core asks for ICE servers:
// a URL (GET, JSON, as hosted TURN credential APIs answer) or an async function. Resolves with
// JSON text for the core to check; rejects with a short reason (never the URL: it may hold a key).
import { localError } from '../errors.js';

const TIMEOUT_MS = 10000;

export function iceServersProvider(provider, platform) {
  if (typeof provider === 'function') {
    return () => withTimeout(platform, async () => JSON.stringify((await provider()) ?? null) ?? 'null');
  }
  if (typeof provider === 'string' && provider !== '') {
    return () =>
      withTimeout(platform, async (signal) => {
        const response = await platform.fetch(provider, { cache: 'no-store', signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      });
  }
  throw localError('invalid_argument', 'peers.iceServersProvider must be a URL or an async function');
}

async function withTimeout(platform, call) {
  const controller = new platform.AbortController();
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = platform.setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer in ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } catch (error) {
    throw String(error?.message ?? error);
  } finally {
    platform.clearTimeout(timer);
  }
}
