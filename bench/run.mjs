// The benchmark harness: runs each benchmark module, prints a table and writes build/bench.json as
// a list of {name, value, unit, baseline, ratio}; each ratio is against a baseline measured in
// the same run (or a stated budget).
import { mkdirSync, writeFileSync } from 'node:fs';

const modules = [
  './package_size.mjs',
  './signal_rtt.mjs',
  './transport_fallback.mjs',
  './transport_recovery.mjs',
  './resume.mjs',
  './flood_healthz.mjs',
  './server_efficiency.mjs',
  './flood_fairness.mjs',
  './peer_connect.mjs',
  './file_throughput.mjs',
  './relay.mjs',
];

const figures = [];
for (const module of modules) {
  const { run } = await import(module);
  figures.push(...(await run()));
}

const rows = figures.map((f) => [f.name, f.value.toFixed(3), f.unit, f.baseline, f.ratio.toFixed(3)]);
const header = ['name', 'value', 'unit', 'baseline', 'ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));

mkdirSync('build', { recursive: true });
writeFileSync('build/bench.json', JSON.stringify(figures, null, 2) + '\n');
console.log('\nwritten to build/bench.json');
