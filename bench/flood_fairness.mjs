// What a max-rate publish flood costs well-behaved clients (issue 12): the p99 round trip of a
// pair of acknowledging clients in the flooded room and of a pair in another room, during a flood
// from one client (reconnecting each time the server disconnects it), against the same pairs'
// p99 without the flood, measured in this run.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';
import { EnvelopePeer } from '../tests/server/support/peers.mjs';
import { controlPair } from '../tests/server/support/well_behaved.mjs';

const ROUND_TRIPS = 400;
// A chatty app's pace between round trips, well under the default rate limit.
const PACE_MS = 5;

const round3 = (value) => Math.round(value * 1000) / 1000;

function p99(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

// Round trips of direct messages a -> b -> a; their times in ms.
async function roundTrips({ a, b }, count) {
  const times = [];
  for (let n = 0; n < count; n++) {
    const started = performance.now();
    a.send({ v: 1, t: 'direct', to: b.id, data: n });
    await b.expect('direct', (e) => e.from === a.id && e.data === n, 10000);
    b.send({ v: 1, t: 'direct', to: a.id, data: n });
    await a.expect('direct', (e) => e.from === b.id && e.data === n, 10000);
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, PACE_MS));
  }
  return times;
}

// In a worker thread, so the flood does not slow the pairs' own event loop: publishes 200 B as
// fast as the socket takes them until told to stop; a new attacker replaces each one the server
// disconnects. Posts how many attackers it took.
async function floodInWorker({ url, room }) {
  let stopped = false;
  parentPort.once('message', () => (stopped = true));
  let attackers = 0;
  while (!stopped) {
    const attacker = await EnvelopePeer.welcomed(url);
    attackers += 1;
    await attacker.join(room);
    const data = 'f'.repeat(200);
    let open = true;
    attacker.closed.then(() => (open = false));
    while (open && !stopped) {
      for (let i = 0; i < 500 && open; i++) attacker.send({ v: 1, t: 'publish', data });
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (open) await attacker.close().catch(() => {});
  }
  parentPort.postMessage(attackers);
}

function flood(url, room) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { url, room } });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const attackers = await done;
      await worker.terminate();
      return attackers;
    },
  };
}

export async function run() {
  const server = await startServer({ args: ['--max-sessions-per-ip', '1000'], cwd: repoRoot });
  const pairs = [];
  try {
    const inRoom = await controlPair(server.url, 'arena');
    const elsewhere = await controlPair(server.url, 'elsewhere');
    pairs.push(inRoom, elsewhere);
    await roundTrips(inRoom, 50);  // warm-up
    await roundTrips(elsewhere, 50);
    const calm = {
      inRoom: p99(await roundTrips(inRoom, ROUND_TRIPS)),
      elsewhere: p99(await roundTrips(elsewhere, ROUND_TRIPS)),
    };
    const attack = flood(server.url, 'arena');
    const flooded = {
      inRoom: p99(await roundTrips(inRoom, ROUND_TRIPS)),
      elsewhere: p99(await roundTrips(elsewhere, ROUND_TRIPS)),
    };
    const attackers = await attack.stop();
    console.error(`flood_fairness: ${attackers} attacker connection(s) disconnected and replaced`);
    return [
      {
        name: 'flood_same_room_rtt_p99_ms',
        value: round3(flooded.inRoom),
        unit: 'ms',
        baseline: `same pair without the flood=${round3(calm.inRoom)}`,
        ratio: round3(flooded.inRoom / calm.inRoom),
      },
      {
        name: 'flood_other_room_rtt_p99_ms',
        value: round3(flooded.elsewhere),
        unit: 'ms',
        baseline: `same pair without the flood=${round3(calm.elsewhere)}`,
        ratio: round3(flooded.elsewhere / calm.elsewhere),
      },
    ];
  } finally {
    for (const { a, b } of pairs) await Promise.all([a.close(), b.close()]).catch(() => {});
    await server.stop();
  }
}

if (!isMainThread) {
  await floodInWorker(workerData);
} else if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
