// The Wasm core, instantiated once per page on first use and shared by every client.
import createRtcwireCore from '../dist/rtcwire_core.mjs';
import { localError } from './errors.js';

let corePromise = null;

export function loadCore() {
  corePromise ??= createRtcwireCore().catch((cause) => {
    corePromise = null; // a later connect() may retry, e.g. after a network hiccup
    throw localError('internal', `could not load the rtcwire Wasm core: ${cause?.message ?? cause}`, {
      cause,
    });
  });
  return corePromise;
}
