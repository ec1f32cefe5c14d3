// Opens COUNT raw Engine.IO websocket sessions to URL from source address LOCAL, answers their
// pings and otherwise stays idle; prints "ready N" once every session got its open packet (N: how
// many did), then waits for SIGTERM. Run as a child process so the sockets count against its own
// open-file limit, not the benchmark's.
//
//   node bench/support/idle_clients.mjs URL COUNT LOCAL
import WebSocket from 'ws';

const [url, countText, localAddress] = process.argv.slice(2);
const count = Number(countText);
const endpoint = `${url.replace(/^http/, 'ws')}/engine.io/?EIO=4&transport=websocket`;
const sockets = [];

function open() {
  return new Promise((resolve) => {
    const ws = new WebSocket(endpoint, { perMessageDeflate: false, localAddress });
    sockets.push(ws);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0')) resolve(true);
      else if (text === '2') ws.send('3');
    });
    ws.on('error', () => resolve(false));
    ws.on('close', () => resolve(false));
  });
}

let opened = 0;
const BATCH = 200;
for (let start = 0; start < count; start += BATCH) {
  const results = await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, open));
  opened += results.filter(Boolean).length;
}
console.log(`ready ${opened}`);
process.on('SIGTERM', () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
