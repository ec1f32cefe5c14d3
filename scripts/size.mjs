// Gzip size of every file the npm package ships (as `npm pack` lists them) and the total.
// As a command: prints the table and fails above the budget.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// The peer layer (issue 10) raised the gate from 100; the goal stays under GOAL_KIB.
export const BUDGET_KIB = 120;
export const GOAL_KIB = 110;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function measurePackage() {
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
  const files = pack.files.map(({ path: file }) => {
    const bytes = readFileSync(path.join(root, file));
    return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const totalGzip = files.reduce((sum, f) => sum + f.gzip, 0);
  return { files, totalGzipKib: totalGzip / 1024 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, totalGzipKib } = measurePackage();
  for (const f of files) {
    console.log(`${(f.gzip / 1024).toFixed(2).padStart(8)} KiB gzip  ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB raw  ${f.file}`);
  }
  console.log(`${totalGzipKib.toFixed(2).padStart(8)} KiB gzip total (budget ${BUDGET_KIB} KiB, goal ${GOAL_KIB} KiB)`);
  const required = ['dist/rtcwire.js', 'dist/rtcwire_core.mjs', 'dist/rtcwire_core.wasm', 'js/index.d.ts'];
  const missing = required.filter((file) => !files.some((f) => f.file === file));
  if (missing.length) {
    console.error(`size: the package is missing ${missing.join(', ')} (run npm run build)`);
    process.exit(1);
  }
  if (totalGzipKib > BUDGET_KIB) {
    console.error(`size: ${totalGzipKib.toFixed(2)} KiB gzip is over the ${BUDGET_KIB} KiB budget`);
    process.exit(1);
  }
}
