// rtcwire-server serving what the browser tests load: the demo at /, the SDK as packed at /dist
// (the bundle dist/rtcwire.js, which the demo imports), @noble/hashes (file transfers import it
// through an import map), and the test app at /app/.
import { assertBundleFresh } from '../../lib/fresh_bundle.mjs';
import { startServer } from '../../lib/server_process.mjs';

assertBundleFresh();

export const APP_MOUNTS = [
  '--static', 'demo',
  '--static', '/dist=dist',
  '--static', '/node_modules/@noble/hashes=node_modules/@noble/hashes',
  '--static', '/app=tests/e2e/fixtures',
];

// A page a test closed may not have said goodbye (its close packet can be lost with the page), so
// shutdown does not wait the default 15 s for it.
const QUICK_DRAIN = ['--drain-timeout', '2000'];

export function startAppServer(extraArgs = []) {
  return startServer({ args: [...APP_MOUNTS, ...QUICK_DRAIN, ...extraArgs] });
}
