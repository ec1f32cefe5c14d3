// The stock Node engine.io server (the npm package) as an echo server, in a process of its own so
// its CPU time and memory can be read from /proc: every message goes back to its sender, as
// rtcwire-server does with --echo. Prints "listening PORT" once ready; exits on SIGTERM.
import http from 'node:http';
import { attach } from 'engine.io';

const httpServer = http.createServer((_, response) => response.writeHead(404).end());
const engine = attach(httpServer, { transports: ['websocket'], perMessageDeflate: false });
engine.on('connection', (socket) => {
  socket.on('message', (data) => socket.send(data));
});
httpServer.listen(0, '127.0.0.1', () => {
  console.log(`listening ${httpServer.address().port}`);
});
process.on('SIGTERM', () => {
  engine.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
