// File transfer speed through the SDK (peer.sendFile, SHA-256 on both ends, the receiver's Blob)
// against a raw data channel sending the same 20 MB with the same backpressure (64 KiB slices of
// the Blob, 1 MiB high water, resumed at bufferedamountlow 256 KiB) in the same run; from the
// sender's call to the receiver holding the whole file (goal ratio >= 0.9).
//
//   node bench/file_throughput.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPeerBench, resetAll } from './support/peer_pages.mjs';
import { alternatingTrials } from './support/alternating_trials.mjs';
import { round3 } from './signal_rtt.mjs';

const BYTES = 20 * 1024 * 1024;
const WARMUP_TRIALS = 1;
const TRIALS = 4;

async function transfer(kind, room, sender, receiver) {
  if (kind === 'sdk') {
    await receiver.evaluate((room) => bench.filePeerSdk(room, true), room);
    await sender.evaluate((room) => bench.filePeerSdk(room, false), room);
  } else {
    await receiver.evaluate(([room, bytes]) => bench.filePeerRaw(room, true, bytes), [room, BYTES]);
    await sender.evaluate(([room, bytes]) => bench.filePeerRaw(room, false, bytes), [room, BYTES]);
  }
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => bench.untilGreeted())));
  const start = await sender.evaluate((kind) => (kind === 'sdk' ? bench.sendFileSdk() : bench.sendFileRaw()), kind);
  const end = await receiver.evaluate(() => bench.fileReceivedAt());
  return (BYTES * 8) / 1e6 / ((end - start) / 1000);
}

export async function run() {
  const bench = await startPeerBench();
  try {
    const [sender, receiver] = await bench.openPages(2);
    await sender.evaluate((bytes) => bench.makePayload(bytes), BYTES);
    const trials = { warmup: WARMUP_TRIALS, trials: TRIALS };
    const { sdk, raw } = await alternatingTrials(['sdk', 'raw'], trials, async (kind, trial) => {
      const mbps = await transfer(kind, `file-${kind}-${trial}`, sender, receiver);
      await resetAll([sender, receiver]);
      return mbps;
    });
    return [
      {
        name: 'file_throughput_mbps',
        value: round3(sdk),
        unit: 'Mbit/s',
        baseline: `raw_channel_mbps=${round3(raw)}`,
        ratio: round3(sdk / raw),
      },
    ];
  } finally {
    await bench.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
