// Signalling round trip: page A -> SDK -> rtcwire-server -> page B -> back to A, both pages in
// headless Chromium, compared with the same round trip over raw browser WebSockets speaking
// Engine.IO and the envelope by hand (the floor any SDK on this server could reach).
//
//   node bench/signal_rtt.mjs      prints the figures; bench/run.mjs imports run().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';
import { APP_MOUNTS } from '../tests/e2e/support/app_server.mjs';
import { launchChromium } from '../tests/e2e/support/browser.mjs';

const WARMUP_ROUND_TRIPS = 300;
const ROUND_TRIPS = 300;
// Measured in alternating blocks, so drift in machine load affects both sides alike.
const BLOCK = 50;
// The page's clock has a 0.1 ms resolution (with jitter): a median comes in steps of 0.1 ms, about
// 7% of a round trip here, too coarse for the ratio. A mean resolves it; the slowest and fastest
// tenth of each side are left out, so a stall (GC, a busy machine) weighs no more than elsewhere.
const TRIMMED = 0.1;
// Any page of the server's origin will do: the e2e tests' blank app page. (A page made up with
// page.route would not: Chromium's local network access checks block its loopback WebSockets.)
const PAGE_PATH = '/app/';

// ---- page side: both peers are set up and driven with page.evaluate ----

// A peer over the SDK (connect() `options`, e.g. a transport list). It answers every direct
// message by sending it back to its sender.
export async function sdkPeer({ room, options }) {
  const { connect } = await import('/dist/rtcwire.js');
  const client = await connect(undefined, options);
  const waiting = new Map();
  client.on('message', ({ from, data }) => {
    if (data.echo) {
      waiting.get(data.n)?.(performance.now());
      waiting.delete(data.n);
    } else {
      client.send(from, { n: data.n, echo: true });
    }
  });
  await client.join(room);
  window.peer = {
    id: client.peerId,
    roundTrip(to, n) {
      return new Promise((resolve) => {
        const start = performance.now();
        waiting.set(n, (end) => resolve(end - start));
        client.send(to, { n });
      });
    },
  };
  return client.peerId;
}

// The same peer on a raw WebSocket: Engine.IO v4 framing ('0' open, '2' ping -> '3' pong,
// '4' message) and rtcwire envelopes v1, written by hand. It acknowledges what it receives as
// every client must (the SDK's rule: an ack after 32 envelopes): a peer that never acks has the
// server resend to it, answers each resent message again, and fills its buffer after a few
// thousand messages.
export async function rawPeer({ room }) {
  const ACK_EVERY = 32;
  const socket = new WebSocket(`ws://${location.host}/engine.io/?EIO=4&transport=websocket`);
  const send = (envelope) => socket.send('4' + JSON.stringify({ v: 1, ...envelope }));
  const waiting = new Map();
  let onEnvelope = null;
  let lastSeq = 0;
  let unacked = 0;
  socket.onmessage = ({ data }) => {
    if (data === '2') return socket.send('3');
    if (data[0] === '0') return send({ t: 'hello', sdk: 'raw-bench' });
    if (data[0] !== '4') return;
    const envelope = JSON.parse(data.slice(1));
    if (envelope.seq !== undefined) {
      // A resent envelope is not handled again.
      if (envelope.seq <= lastSeq) return;
      lastSeq = envelope.seq;
      if (++unacked === ACK_EVERY) {
        unacked = 0;
        send({ t: 'ack', ack: lastSeq });
      }
    }
    if (envelope.t !== 'direct') return onEnvelope?.(envelope);
    if (envelope.data.echo) {
      waiting.get(envelope.data.n)?.(performance.now());
      waiting.delete(envelope.data.n);
    } else {
      send({ t: 'direct', to: envelope.from, data: { n: envelope.data.n, echo: true } });
    }
  };
  const next = (type) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw peer: no '${type}' in 5 s`)), 5000);
      onEnvelope = (envelope) => {
        if (envelope.t !== type) return;
        clearTimeout(timer);
        resolve(envelope);
      };
    });
  const { peer: id } = await next('welcome');
  send({ t: 'join', room });
  await next('joined');
  window.peer = {
    id,
    roundTrip(to, n) {
      return new Promise((resolve) => {
        const start = performance.now();
        waiting.set(n, (end) => resolve(end - start));
        send({ t: 'direct', to, data: { n } });
      });
    },
  };
  return id;
}

// Runs `count` sequential round trips from this page's peer to `to`; each is bounded.
export async function roundTrips({ to, first, count }) {
  const times = [];
  for (let n = first; n < first + count; n++) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`round trip ${n} took over 5 s`)), 5000);
    });
    try {
      times.push(await Promise.race([window.peer.roundTrip(to, n), timeout]));
    } finally {
      clearTimeout(timer);
    }
  }
  return times;
}

// ---- node side ----

export async function openPair(browser, serverUrl, setUp, setUpArgument) {
  const pages = [];
  for (let i = 0; i < 2; i++) {
    const page = await browser.newPage();
    const response = await page.goto(`${serverUrl}${PAGE_PATH}`);
    if (!response?.ok()) throw new Error(`loading ${PAGE_PATH} failed: HTTP ${response?.status()}`);
    pages.push(page);
  }
  const ids = [];
  for (const page of pages) ids.push(await page.evaluate(setUp, setUpArgument));
  return { sender: pages[0], to: ids[1], echoer: pages[1] };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// The mean of `values` without their lowest and highest `fraction`.
export function trimmedMean(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * fraction);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((sum, value) => sum + value, 0) / kept.length;
}

export const round3 = (value) => Math.round(value * 1000) / 1000;

// Trimmed mean round trip of each pair, measured in alternating blocks after a warm-up.
export async function measureRoundTrips(pairs) {
  for (const pair of Object.values(pairs)) {
    await pair.sender.evaluate(roundTrips, { to: pair.to, first: 0, count: WARMUP_ROUND_TRIPS });
  }
  const times = Object.fromEntries(Object.keys(pairs).map((name) => [name, []]));
  for (let first = WARMUP_ROUND_TRIPS; first < WARMUP_ROUND_TRIPS + ROUND_TRIPS; first += BLOCK) {
    for (const [name, pair] of Object.entries(pairs)) {
      times[name].push(...(await pair.sender.evaluate(roundTrips, { to: pair.to, first, count: BLOCK })));
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, values]) => [name, trimmedMean(values, TRIMMED)]),
  );
}

const round1 = (value) => Math.round(value * 10) / 10;

// The echoing page's own share of a round trip: from its WebSocket frame in to the echo's frame
// out, as Chromium's network service stamps them (CDP), without the network, the server or the
// sender. Far less noisy than the round trip on a busy machine, and what the SDK adds to a raw
// peer is all inside it. Trimmed mean in microseconds of each pair, in alternating blocks.
export async function measureTurnarounds(pairs) {
  const frames = {};
  for (const [name, pair] of Object.entries(pairs)) {
    const session = await pair.echoer.context().newCDPSession(pair.echoer);
    const received = new Map();
    const turnarounds = [];
    // Each `direct` carries its number: the request as {"n":N}, the echo with "echo":true.
    const numberOf = (text) => /"n":(\d+)/.exec(text)?.[1];
    session.on('Network.webSocketFrameReceived', ({ timestamp, response }) => {
      const n = numberOf(response.payloadData);
      if (n !== undefined) received.set(n, timestamp);
    });
    session.on('Network.webSocketFrameSent', ({ timestamp, response }) => {
      const n = numberOf(response.payloadData);
      if (n === undefined || !received.has(n)) return;
      turnarounds.push((timestamp - received.get(n)) * 1e6);
      received.delete(n);
    });
    await session.send('Network.enable');
    frames[name] = { session, turnarounds };
  }
  const first = 2 * (WARMUP_ROUND_TRIPS + ROUND_TRIPS);
  for (let block = first; block < first + ROUND_TRIPS; block += BLOCK) {
    for (const [name, pair] of Object.entries(pairs)) {
      await pair.sender.evaluate(roundTrips, { to: pair.to, first: block, count: BLOCK });
    }
  }
  const result = {};
  for (const [name, { session, turnarounds }] of Object.entries(frames)) {
    await session.detach();
    if (turnarounds.length < ROUND_TRIPS / 2) {
      throw new Error(`${name}: only ${turnarounds.length} echo turnarounds recorded`);
    }
    result[name] = trimmedMean(turnarounds, TRIMMED);
  }
  return result;
}

export async function run() {
  const server = await startServer({ args: APP_MOUNTS, cwd: repoRoot });
  const browser = await launchChromium();
  try {
    const pairs = {
      sdk: await openPair(browser, server.url, sdkPeer, { room: 'rtt-sdk' }),
      raw: await openPair(browser, server.url, rawPeer, { room: 'rtt-raw' }),
    };
    const { sdk, raw } = await measureRoundTrips(pairs);
    // Measured after the round trips, so the recording does not weigh on them.
    const turnaround = await measureTurnarounds(pairs);
    // The baseline, named with its value as bench/run.mjs shows it: the raw WebSocket round trip
    // measured in this same run.
    return [
      {
        name: 'signal_rtt_ms',
        value: round3(sdk),
        unit: 'ms',
        baseline: `raw_websocket_rtt_ms=${round3(raw)}`,
        ratio: round3(sdk / raw),
      },
      {
        name: 'signal_echo_turnaround_us',
        value: round1(turnaround.sdk),
        unit: 'us',
        baseline: `raw_websocket_turnaround_us=${round1(turnaround.raw)}`,
        ratio: round3(turnaround.sdk / turnaround.raw),
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const figure of await run()) console.log(JSON.stringify(figure));
}
