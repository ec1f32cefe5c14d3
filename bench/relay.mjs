// Calls relayed through a real coturn (tests/lib/coturn.mjs, TURN over UDP on 127.0.0.1) against
// the same calls made directly, in the same run, through the SDK on both sides:
// - relay_connect_ms: as p2p_connect_ms (join() to the waiting page's greeting over the default
//   channel) with iceTransportPolicy 'relay'. Baseline: the direct connection.
// - relay_throughput_mbps: as file_throughput_mbps (peer.sendFile of 10 MB, to the receiver
//   holding the whole file) over the relay. Baseline: the same transfer direct.
// On one machine the relay adds a loopback hop and coturn's CPU, not a network's latency: the
// ratios show coturn's own cost.
//
//   node bench/relay.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCoturn } from '../tests/lib/coturn.mjs';
import { startPeerBench, resetAll } from './support/peer_pages.mjs';
import { alternatingTrials } from './support/alternating_trials.mjs';
import { round3 } from './signal_rtt.mjs';

const WARMUP_TRIALS = 1;
const CONNECT_TRIALS = 10;
const TRANSFER_TRIALS = 3;
const BYTES = 10 * 1024 * 1024;

const usePeerOptions = (pages, options) =>
  Promise.all(pages.map((page) => page.evaluate((options) => bench.usePeerOptions(options), options)));

const alternate = (trials, measure) =>
  alternatingTrials(['relay', 'direct'], { warmup: WARMUP_TRIALS, trials }, measure);

export async function run() {
  const turn = await startCoturn();
  const bench = await startPeerBench();
  try {
    const pages = await bench.openPages(2);
    const [host, guest] = pages;
    const options = {
      relay: {
        iceServers: [{ urls: turn.uris.udp, ...turn.credentials('bench', 3600) }],
        iceTransportPolicy: 'relay',
      },
      direct: {},
    };

    const connect = await alternate(CONNECT_TRIALS, async (kind, trial) => {
      await usePeerOptions(pages, options[kind]);
      const room = `relay-connect-${kind}-${trial}`;
      await host.evaluate((room) => bench.hostSdk(room), room);
      const ms = await guest.evaluate((room) => bench.joinSdk(room), room);
      await resetAll(pages);
      return ms;
    });

    const [sender, receiver] = pages;
    await sender.evaluate((bytes) => bench.makePayload(bytes), BYTES);
    const throughput = await alternate(TRANSFER_TRIALS, async (kind, trial) => {
      await usePeerOptions(pages, options[kind]);
      const room = `relay-file-${kind}-${trial}`;
      await receiver.evaluate((room) => bench.filePeerSdk(room, true), room);
      await sender.evaluate((room) => bench.filePeerSdk(room, false), room);
      await Promise.all(pages.map((page) => page.evaluate(() => bench.untilGreeted())));
      const start = await sender.evaluate(() => bench.sendFileSdk());
      const end = await receiver.evaluate(() => bench.fileReceivedAt());
      await resetAll(pages);
      return (BYTES * 8) / 1e6 / ((end - start) / 1000);
    });

    return [
      {
        name: 'relay_connect_ms',
        value: round3(connect.relay),
        unit: 'ms',
        baseline: `direct_connect_ms=${round3(connect.direct)}`,
        ratio: round3(connect.relay / connect.direct),
      },
      {
        name: 'relay_throughput_mbps',
        value: round3(throughput.relay),
        unit: 'Mbit/s',
        baseline: `direct_throughput_mbps=${round3(throughput.direct)}`,
        ratio: round3(throughput.relay / throughput.direct),
      },
    ];
  } finally {
    await bench.close();
    await turn.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
