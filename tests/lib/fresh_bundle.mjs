// The browser tiers load dist/rtcwire.js, the bundle the package ships, not js/ itself. A bundle
// older than one of its sources would test stale code, so they refuse to start instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './server_process.mjs';

export const BUNDLE = 'dist/rtcwire.js';

export function assertBundleFresh() {
  const bundle = path.join(repoRoot, BUNDLE);
  if (!existsSync(bundle)) throw new Error(`${BUNDLE} is missing: run npm run build (or npm run bundle)`);
  const builtAt = statSync(bundle).mtimeMs;
  const newer = readdirSync(path.join(repoRoot, 'js'), { recursive: true })
    .filter((file) => file.endsWith('.js'))
    .filter((file) => statSync(path.join(repoRoot, 'js', file)).mtimeMs > builtAt);
  if (newer.length > 0) {
    throw new Error(`${BUNDLE} is older than js/${newer.join(', js/')}: run npm run bundle`);
  }
}
