// /healthz under an idle keep-alive flood: the median time for a fresh connection from 127.0.0.1
// to get /healthz answered while 2,000 idle connections from 127.0.0.2 press on the server
// (--max-connections-per-ip lets 256 of them in, the rest are refused at once, the idle ones time
// out), against the same median on the quiet server in the same run. Goal: answered within
// 100 ms.
//
//   node bench/flood_healthz.mjs      prints the figure; bench/run.mjs imports run().
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';
import { median, round3 } from './signal_rtt.mjs';

const FLOOD = 2000;
const SAMPLES = 30;

function healthzMs(port) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = net.connect({ host: '127.0.0.1', port }, () =>
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
      if (answer.includes('"status":"ok"')) {
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`/healthz not answered: ${JSON.stringify(answer)}`)));
  });
}

async function sample(port) {
  const times = [];
  for (let i = 0; i < SAMPLES; i += 1) times.push(await healthzMs(port));
  return median(times);
}

export async function run() {
  const server = await startServer({ cwd: repoRoot });
  try {
    const quiet = await sample(server.port);
    const flood = [];
    for (let i = 0; i < FLOOD; i += 1) {
      const socket = net.connect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.2' });
      socket.on('error', () => {});
      flood.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const loaded = await sample(server.port);
    for (const socket of flood) socket.destroy();
    console.log(`healthz: ${round3(quiet)} ms quiet, ${round3(loaded)} ms under a flood of ${FLOOD} idle connections`);
    return [
      {
        name: 'healthz_under_flood_ms',
        value: loaded,
        unit: 'ms',
        baseline: `quiet_healthz_ms=${round3(quiet)} (goal <= 100 ms)`,
        ratio: loaded / quiet,
      },
    ];
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run()) console.log(figure);
}
