// The real Wasm core in Node 20, loaded into js/core_module.js's cache (shared by every connect()
// of the test file). The Emscripten glue fetches its .wasm from a file: URL, which Node's fetch()
// refuses: while it loads, that one URL is served from disk. Nothing in the glue changes.
import { readFile } from 'node:fs/promises';
import { loadCore } from '../../../js/core_module.js';

const wasmUrl = new URL('../../../dist/rtcwire_core.wasm', import.meta.url);

export async function loadRealCore() {
  const bytes = await readFile(wasmUrl);
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) =>
    String(url) === wasmUrl.href
      ? new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } })
      : nodeFetch(url, init);
  try {
    return await loadCore();
  } finally {
    globalThis.fetch = nodeFetch;
  }
}
