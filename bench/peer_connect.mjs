// Peer connection set-up through the SDK, against the same done by hand in the same run:
// - p2p_connect_ms: a page joins a room where one page waits; from join() to the first message
//   over the default channel (it opens, and the waiting page's greeting crosses it). Baseline: a
//   raw RTCPeerConnection pair with a negotiated channel, signalled through the same server with
//   the SDK's client.signal (goal ratio <= 1.1).
// - mesh_4_connect_ms: four pages join one room at once; from the first join() to every page
//   greeted by its three peers (all six pairs usable both ways). Compared with p2p_connect_ms.
//
//   node bench/peer_connect.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPeerBench, resetAll } from './support/peer_pages.mjs';
import { alternatingTrials } from './support/alternating_trials.mjs';
import { median, round3 } from './signal_rtt.mjs';

const WARMUP_TRIALS = 2;
const P2P_TRIALS = 12;
const MESH_TRIALS = 5;

const measureP2p = (host, guest) =>
  alternatingTrials(['sdk', 'raw'], { warmup: WARMUP_TRIALS, trials: P2P_TRIALS }, async (kind, trial) => {
    const room = `p2p-${kind}-${trial}`;
    await host.evaluate(([kind, room]) => (kind === 'sdk' ? bench.hostSdk(room) : bench.hostRaw(room)), [kind, room]);
    const ms = await guest.evaluate(([kind, room]) => (kind === 'sdk' ? bench.joinSdk(room) : bench.joinRaw(room)), [kind, room]);
    await resetAll([host, guest]);
    return ms;
  });

async function measureMesh(pages) {
  const times = [];
  for (let trial = 0; trial < WARMUP_TRIALS + MESH_TRIALS; trial++) {
    await Promise.all(pages.map((page) => page.evaluate(() => bench.meshClient())));
    const room = `mesh-${trial}`;
    const spans = await Promise.all(
      pages.map((page) => page.evaluate(([room, others]) => bench.meshJoin(room, others), [room, pages.length - 1])),
    );
    const ms = Math.max(...spans.map(([, end]) => end)) - Math.min(...spans.map(([start]) => start));
    if (trial >= WARMUP_TRIALS) times.push(ms);
    await resetAll(pages);
  }
  return median(times);
}

export async function run() {
  const bench = await startPeerBench();
  try {
    const pages = await bench.openPages(4);
    const p2p = await measureP2p(pages[0], pages[1]);
    const mesh = await measureMesh(pages);
    return [
      {
        name: 'p2p_connect_ms',
        value: round3(p2p.sdk),
        unit: 'ms',
        baseline: `raw_p2p_connect_ms=${round3(p2p.raw)}`,
        ratio: round3(p2p.sdk / p2p.raw),
      },
      {
        name: 'mesh_4_connect_ms',
        value: round3(mesh),
        unit: 'ms',
        baseline: `p2p_connect_ms=${round3(p2p.sdk)}`,
        ratio: round3(mesh / p2p.sdk),
      },
    ];
  } finally {
    await bench.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
