// rtcwire-server serving what the browser tests load: the demo at /, the SDK at /js and /dist
// (as the demo imports it), and the test app at /app/.
import { startServer } from '../../lib/server_process.mjs';

export const APP_MOUNTS = [
  '--static', 'demo',
  '--static', '/js=js',
  '--static', '/dist=dist',
  '--static', '/app=tests/e2e/fixtures',
];

export function startAppServer(extraArgs = []) {
  return startServer({ args: [...APP_MOUNTS, ...extraArgs] });
}
