// Runs every test tier in order, streams its output, and ends with one summary line
// "N passed, N failed". Expects scripts/setup.sh and scripts/build.sh --fuzz to have run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

// Node 20's runner gives each test FILE the --test-timeout too (its file-level test inherits it),
// so the bound is for a whole file: the Chromium files run minutes of faults on a loaded machine
// (resilience.test.mjs went past 180 s now and then, all its tests passed, and the file was
// reported as timed out). Each test bounds its own waits well below this.
const nodeTest = (dir) => ['node', '--test', '--test-reporter=spec', '--test-timeout=900000', dir];

const tiers = [
  { name: 'format (clang-format)', command: ['bash', 'scripts/check_format.sh'], counts: passIfZero },
  { name: 'unit (GoogleTest)', command: ['ctest', '--test-dir', 'build/native', '--output-on-failure', '-j2'], counts: ctestCounts },
  { name: 'fuzz: SDK decoders (libFuzzer, 20 s)', command: fuzzCommand('decoders_fuzzer', 20, 'tests/fuzz/seeds'), counts: passIfZero },
  { name: 'fuzz: JSON reader against nlohmann (libFuzzer, 10 s)', command: fuzzCommand('json_parse_fuzzer', 10, 'tests/fuzz/json_seeds'), counts: passIfZero },
  { name: 'fuzz: JSON writer against nlohmann (libFuzzer, 10 s)', command: fuzzCommand('json_write_fuzzer', 10, 'tests/fuzz/json_write_seeds'), counts: passIfZero },
  { name: 'fuzz: server decoders (libFuzzer, 10 s)', command: fuzzCommand('server_decoders_fuzzer', 10, 'tests/fuzz/server_seeds/server_decoders'), counts: passIfZero },
  { name: 'fuzz: hub envelopes (libFuzzer, 10 s)', command: fuzzCommand('hub_fuzzer', 10, 'tests/fuzz/server_seeds/hub', ['-entropic=0']), counts: passIfZero },
  { name: 'fuzz: server HTTP and websocket (libFuzzer, 15 s)', command: fuzzCommand('server_http_fuzzer', 15, 'tests/fuzz/server_seeds/server_http'), counts: passIfZero },
  { name: 'fuzz: server websocket reader (libFuzzer, 10 s)', command: fuzzCommand('websocket_reader_fuzzer', 10, 'tests/fuzz/server_seeds/websocket_reader'), counts: passIfZero },
  { name: 'fuzz: access control (libFuzzer, 10 s)', command: fuzzCommand('access_fuzzer', 10, 'tests/fuzz/access_seeds'), counts: passIfZero },
  { name: 'contract (names agree across C++, JS, types, docs)', command: nodeTest('tests/contract/'), counts: nodeCounts, needs: 'tests/contract' },
  { name: 'types (tsc)', command: ['npx', 'tsc', '-p', 'tests/types', '--noEmit'], counts: passIfZero, needs: 'tests/types' },
  { name: 'js (Node, real Wasm core, fake platform, werift peers)', command: nodeTest('tests/js/'), counts: nodeCounts, needs: 'tests/js' },
  { name: 'server (engine.io-client)', command: nodeTest('tests/server/'), counts: nodeCounts, needs: 'tests/server' },
  { name: 'interop (stock engine.io server)', command: nodeTest('tests/interop/'), counts: nodeCounts, needs: 'tests/interop' },
  { name: 'end to end (Chromium)', command: nodeTest('tests/e2e/'), counts: nodeCounts, needs: 'tests/e2e' },
  { name: 'package smoke (npm pack)', command: nodeTest('tests/smoke/'), counts: nodeCounts, needs: 'tests/smoke' },
  { name: 'size budget', command: ['node', 'scripts/size.mjs'], counts: passIfZero },
];

// Each target keeps its own corpus between runs, and starts from its seeds.
// The hub target runs long scripts whose many features make libFuzzer's entropic scheduling
// cost more than the target itself (measured 44 against 175 runs/s): it runs without it.
function fuzzCommand(target, seconds, seeds, extra = []) {
  const corpus = target === 'decoders_fuzzer' ? 'build/fuzz-corpus' : `build/fuzz-corpus-${target}`;
  mkdirSync(corpus, { recursive: true });
  return [`build/fuzz/tests/fuzz/${target}`, `-max_total_time=${seconds}`, '-max_len=8192',
    '-timeout=10', '-rss_limit_mb=2048', '-print_final_stats=1', ...extra, corpus, seeds];
}

function ctestCounts(output, code) {
  const match = output.match(/tests passed, (\d+) tests? failed out of (\d+)/);
  if (!match) return { passed: 0, failed: code === 0 ? 0 : 1 };
  const failed = Number(match[1]);
  return { passed: Number(match[2]) - failed, failed };
}

function nodeCounts(output, code) {
  const pass = output.match(/^ℹ pass (\d+)$/m);
  const fail = output.match(/^ℹ fail (\d+)$/m);
  if (!pass || !fail) return { passed: 0, failed: code === 0 ? 0 : 1 };
  const failed = Number(fail[1]);
  // A non-zero exit with no failing test (e.g. a crash between tests) still counts as a failure.
  return { passed: Number(pass[1]), failed: failed === 0 && code !== 0 ? 1 : failed };
}

function passIfZero(_output, code) {
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

function run(command) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk, stream) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', (chunk) => keep(chunk, process.stdout));
    child.stderr.on('data', (chunk) => keep(chunk, process.stderr));
    child.on('error', (error) => resolve({ output: String(error), code: 127 }));
    child.on('close', (code, signal) => resolve({ output, code: code ?? (signal ? 128 : 1) }));
  });
}

const results = [];
for (const tier of tiers) {
  console.log(`\n=== ${tier.name} ===`);
  if (tier.needs && !existsSync(tier.needs)) {
    console.log(`missing ${tier.needs}: counted as a failure`);
    results.push({ name: tier.name, passed: 0, failed: 1 });
    continue;
  }
  const started = Date.now();
  const { output, code } = await run(tier.command);
  const counts = tier.counts(output, code);
  results.push({ name: tier.name, ...counts, seconds: (Date.now() - started) / 1000 });
}

console.log('\n=== summary ===');
for (const r of results) {
  const time = r.seconds === undefined ? '' : ` (${r.seconds.toFixed(1)} s)`;
  console.log(`${r.failed ? 'FAIL' : 'ok  '} ${r.name}: ${r.passed} passed, ${r.failed} failed${time}`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
