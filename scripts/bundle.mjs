// Bundles js/ into dist/rtcwire.js, the one module the npm package ships next to the Wasm glue.
// Minified, local names included (2.1 KiB gzip less than whitespace and syntax alone): public
// methods and properties keep their names, so stack traces still name what was called.
// Two imports stay imports: the Wasm glue (beside the bundle in dist/, where it finds its .wasm by
// import.meta.url) and @noble/hashes (a package dependency, loaded at the first file transfer).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version, license } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

// js/core_module.js imports '../dist/rtcwire_core.mjs'; from dist/rtcwire.js the glue is a sibling.
const glueBesideBundle = {
  name: 'glue-beside-bundle',
  setup(bundle) {
    bundle.onResolve({ filter: /\/dist\/rtcwire_core\.mjs$/ }, () => ({ path: './rtcwire_core.mjs', external: true }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ['js/index.js'],
  outfile: 'dist/rtcwire.js',
  bundle: true,
  format: 'esm',
  // What js/ is written in (private fields, ??=): nothing is lowered.
  target: 'es2022',
  minify: true,
  external: ['@noble/hashes/*'],
  plugins: [glueBesideBundle],
  banner: { js: `// rtcwire ${version} (${license} license): js/ bundled by scripts/bundle.mjs` },
  logLevel: 'warning',
});
