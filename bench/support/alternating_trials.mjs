// Trials of two kinds of the same job, one of each in turn with their order swapped every trial,
// so drift in the machine's load affects both alike. The first `warmup` trials are not counted.
import { median } from '../signal_rtt.mjs';

// measure(kind, trial) resolves with one figure; resolves with { [kind]: median of its figures }.
export async function alternatingTrials([first, second], { warmup, trials }, measure) {
  const values = { [first]: [], [second]: [] };
  for (let trial = 0; trial < warmup + trials; trial++) {
    for (const kind of trial % 2 ? [second, first] : [first, second]) {
      const value = await measure(kind, trial);
      if (trial >= warmup) values[kind].push(value);
    }
  }
  return { [first]: median(values[first]), [second]: median(values[second]) };
}
