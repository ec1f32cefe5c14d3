// Server efficiency against the stock Node engine.io server, both measured in the same run, both
// echoing (rtcwire-server --echo; engine.io sending every message back), over raw Engine.IO v4
// websockets from this process:
// - server_cpu_us_per_msg: CPU time of the server process (user + system, from /proc) per echoed
//   message, with ECHO_CONNECTIONS connections each keeping IN_FLIGHT messages in flight, over
//   MEASURE_MS after a warm-up. Goal: at most 0.3x engine.io.
// - rss_per_session_kib: growth of the server's resident memory (VmRSS) per idle session, with
//   IDLE_SESSIONS sessions opened from child processes (20,000, or fewer when the server's
//   open-file limit leaves no room for that many). Goal: at most 4 KiB.
//
// - What explains the CPU figure, for both servers: wake-ups (the event-loop thread's voluntary
//   context switches, i.e. waits for the network that blocked) per message and the messages per
//   second reached, over the CPU window; syscalls per message, by name (perf stat, when perf is
//   installed), over the SYSCALL_MS that follow (counting them costs the server CPU).
// - The same at a fixed offered rate (OFFERED_RATE messages per second spread over the
//   connections, sent on a timer, not on the echoes): the closed loop lets the faster server
//   wake for fewer messages at a time; at one offered rate both see the same arrivals.
//
//   node bench/server_efficiency.mjs      prints the figures; bench/run.mjs imports run().
//   SERVER_BENCH_ONLY=cpu                 skips the idle-session memory measurement.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { repoRoot, startServer } from '../tests/lib/server_process.mjs';

const ECHO_CONNECTIONS = 1000;
const IN_FLIGHT = 4;
const WARMUP_MS = 3000;
const MEASURE_MS = 8000;
const SYSCALL_MS = 4000;
const OFFERED_RATE = 10000;
const RATE_TICK_MS = 10;
const IDLE_SESSIONS = 20000;
const IDLE_SOURCES = ['127.0.0.2', '127.0.0.3'];
const PAYLOAD = 'x'.repeat(64);
const here = path.dirname(fileURLToPath(import.meta.url));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const LIMIT_ARGS = ['--max-sessions-per-ip', '100000', '--max-connections-per-ip', '100000'];

/** CPU time of process `pid` so far, user and system, in microseconds. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1e6) / CLOCK_TICKS, system: (Number(fields[12]) * 1e6) / CLOCK_TICKS };
}

function rssKib(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

function openFileLimit(pid) {
  return Number(/Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))[1]);
}

/** Voluntary context switches of the process's main (event-loop) thread: its blocking waits. */
function wakeUps(pid) {
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

// The syscalls of an event loop over sockets, counted one by one.
const TRACED_SYSCALLS = ['epoll_wait', 'epoll_pwait', 'epoll_ctl', 'recvfrom', 'read', 'sendto', 'write', 'writev'];

/**
 * Counts the syscalls of process `pid` (all its threads) for `ms`: { total, by: {name: count} };
 * null without perf.
 */
function countSyscalls(pid, ms) {
  const events = ['raw_syscalls:sys_enter', ...TRACED_SYSCALLS.map((name) => `syscalls:sys_enter_${name}`)];
  return new Promise((resolve) => {
    const child = spawn('perf', ['stat', '-x,', '-e', events.join(','), '-p', String(pid), '--',
      'sleep', String(ms / 1000)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.once('error', () => resolve(null));
    child.once('exit', () => {
      const counts = {};
      for (const [, count, event] of err.matchAll(/^(\d+),[^,]*,([^,]+),/gm)) counts[event] = Number(count);
      if (counts['raw_syscalls:sys_enter'] === undefined) {
        resolve(null);
        return;
      }
      const by = {};
      for (const name of TRACED_SYSCALLS) by[name] = counts[`syscalls:sys_enter_${name}`] ?? 0;
      resolve({ total: counts['raw_syscalls:sys_enter'], by });
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRtcwire() {
  const server = await startServer({ args: ['--echo', ...LIMIT_ARGS], cwd: repoRoot });
  return {
    name: 'rtcwire-server',
    url: server.url,
    pid: server.pid,
    stop: () => server.stop('SIGTERM', 20000),
    log: () => server.stderr(),
  };
}

async function startStock() {
  const child = spawn(process.execPath, [path.join(here, 'support/stock_echo_server.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`stock echo server exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    name: 'engine.io',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One raw Engine.IO websocket that echoes through the server, keeping IN_FLIGHT messages out. */
function echoConnection(url, counter) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/engine.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('4')) {
        counter.echoed += 1;
        if (counter.running && counter.closedLoop) ws.send(text);
      } else if (text.startsWith('0')) {
        resolve(ws);
      } else if (text === '2') {
        ws.send('3');
      }
    });
    ws.on('error', reject);
  });
}

/**
 * CPU, wake-ups and syscalls of `server` per echoed message. With `rate` unset, each connection
 * keeps IN_FLIGHT messages out (closed loop); with `rate`, that many messages per second are sent
 * round-robin over the connections, whatever comes back.
 */
async function measureCpu(server, rate) {
  const counter = { echoed: 0, running: true, closedLoop: !rate };
  const sockets = [];
  for (let start = 0; start < ECHO_CONNECTIONS; start += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => echoConnection(server.url, counter)))));
  }
  let sender;
  if (rate) {
    let next = 0;
    const perTick = Math.round((rate * RATE_TICK_MS) / 1000);
    // A late tick is not made up for: a burst would let the server read several messages at once,
    // which this mode is there to avoid. The rate reached is reported with the figures.
    sender = setInterval(() => {
      for (let i = 0; i < perTick; i += 1, next = (next + 1) % sockets.length) sockets[next].send(`4${PAYLOAD}`);
    }, RATE_TICK_MS);
  } else {
    for (const ws of sockets) for (let i = 0; i < IN_FLIGHT; i += 1) ws.send(`4${PAYLOAD}`);
  }
  await sleep(WARMUP_MS);
  const cpu0 = cpuMicros(server.pid);
  const wakeUps0 = wakeUps(server.pid);
  const echoed0 = counter.echoed;
  await sleep(MEASURE_MS);
  const cpu1 = cpuMicros(server.pid);
  const echoed = counter.echoed - echoed0;
  const wokeUp = wakeUps(server.pid) - wakeUps0;
  // Counted in a window of their own: the tracepoints cost the server CPU on every syscall.
  const countedFrom = counter.echoed;
  const syscallCount = await countSyscalls(server.pid, SYSCALL_MS);
  const echoedWhileCounted = counter.echoed - countedFrom;
  counter.running = false;
  clearInterval(sender);
  for (const ws of sockets) ws.terminate();
  // The split shows how much is the kernel's (syscalls, loopback TCP), which both servers pay.
  const user = (cpu1.user - cpu0.user) / echoed;
  const system = (cpu1.system - cpu0.system) / echoed;
  return {
    usPerMessage: user + system,
    userUs: user,
    systemUs: system,
    messagesPerSecond: (echoed * 1000) / MEASURE_MS,
    wakeUpsPerMessage: wokeUp / echoed,
    syscallsPerMessage: syscallCount === null ? null : syscallCount.total / echoedWhileCounted,
    syscallsByName: syscallCount === null ? null : Object.fromEntries(
      Object.entries(syscallCount.by).filter(([, count]) => count > 0)
        .map(([name, count]) => [name, count / echoedWhileCounted])),
  };
}

async function measureMemory(server) {
  const sessions = Math.min(IDLE_SESSIONS, openFileLimit(server.pid) - 200);
  const before = rssKib(server.pid);
  const share = Math.ceil(sessions / IDLE_SOURCES.length);
  const children = IDLE_SOURCES.map((source, i) =>
    spawn(process.execPath, [path.join(here, 'support/idle_clients.mjs'), server.url,
      String(Math.min(share, sessions - i * share)), source], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const opened = await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk) => {
            out += chunk;
            const match = /ready (\d+)/.exec(out);
            if (match) resolve(Number(match[1]));
          });
          child.once('exit', (code) => reject(new Error(`idle clients exited with ${code}`)));
        }),
    ),
  );
  const total = opened.reduce((sum, n) => sum + n, 0);
  await sleep(2000);  // let the server finish with the handshakes
  const after = rssKib(server.pid);
  await Promise.all(
    children.map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
  return { kibPerSession: (after - before) / total, sessions: total };
}

const onlyCpu = process.env.SERVER_BENCH_ONLY === 'cpu';

async function measure(start) {
  const server = await start();
  try {
    const cpu = await measureCpu(server);
    await sleep(1000);
    const atRate = await measureCpu(server, OFFERED_RATE);
    await sleep(1000);
    const memory = onlyCpu ? { kibPerSession: NaN, sessions: 0 } : await measureMemory(server);
    const refused = (server.log?.() ?? '').match(/connection refused .*/g) ?? [];
    if (refused.length) console.log(`${server.name} refused connections, e.g.: ${refused[0]}`);
    return { ...cpu, atRate, ...memory };
  } finally {
    await server.stop();
  }
}

const fixed = (value, digits) => (value === null ? 'n/a' : value.toFixed(digits));

/** One line for one server's CPU figures. */
function describeCpu(cpu) {
  return `${fixed(cpu.usPerMessage, 3)} us/msg (user ${fixed(cpu.userUs, 2)}, system ${fixed(cpu.systemUs, 2)}) ` +
    `at ${Math.round(cpu.messagesPerSecond)} msg/s, ${fixed(cpu.wakeUpsPerMessage, 3)} wake-ups/msg, ` +
    `${fixed(cpu.syscallsPerMessage, 3)} syscalls/msg` +
    (cpu.syscallsByName
      ? ` (${Object.entries(cpu.syscallsByName).map(([name, perMessage]) => `${name} ${perMessage.toFixed(3)}`).join(', ')})`
      : '');
}

export async function run() {
  const stock = await measure(startStock);
  const ours = await measure(startRtcwire);
  console.log(`server efficiency, closed loop (${ECHO_CONNECTIONS} connections x ${IN_FLIGHT} in flight):`);
  console.log(`  rtcwire   ${describeCpu(ours)}`);
  console.log(`  engine.io ${describeCpu(stock)}`);
  console.log(`server efficiency, offered ${OFFERED_RATE} msg/s:`);
  console.log(`  rtcwire   ${describeCpu(ours.atRate)}`);
  console.log(`  engine.io ${describeCpu(stock.atRate)}`);
  const figures = [
    {
      name: 'server_cpu_us_per_msg',
      value: ours.usPerMessage,
      unit: 'us',
      baseline: `engine.io=${stock.usPerMessage.toFixed(3)} (goal ratio <= 0.3)`,
      ratio: ours.usPerMessage / stock.usPerMessage,
    },
    {
      name: 'server_cpu_us_per_msg_at_offered_rate',
      value: ours.atRate.usPerMessage,
      unit: 'us',
      baseline: `engine.io=${stock.atRate.usPerMessage.toFixed(3)} (both offered ${OFFERED_RATE} msg/s)`,
      ratio: ours.atRate.usPerMessage / stock.atRate.usPerMessage,
    },
  ];
  if (!onlyCpu) {
    console.log(
      `idle sessions: rtcwire ${ours.kibPerSession.toFixed(3)} KiB/session at ${ours.sessions}; ` +
        `engine.io ${stock.kibPerSession.toFixed(3)} KiB/session at ${stock.sessions}`,
    );
    figures.push({
      name: 'rss_per_session_kib',
      value: ours.kibPerSession,
      unit: 'KiB',
      baseline: `engine.io=${stock.kibPerSession.toFixed(3)} (goal <= 4 KiB, ${ours.sessions} sessions)`,
      ratio: ours.kibPerSession / stock.kibPerSession,
    });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await run()) console.log(figure);
}
