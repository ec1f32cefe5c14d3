// A TCP proxy on 127.0.0.1 that injects network faults between a client and a server, for tests:
//
//   const proxy = await startFaultProxy({ targetPort: server.port });
//   ... connect clients to proxy.url ...
//   proxy.resetAll();           // every open connection is reset (RST), both sides
//   proxy.stallAll();           // every open connection goes silent: no data, no FIN, no RST
//   proxy.setDelay(50);         // each chunk is forwarded 50 ms late (order kept)
//   const stop = proxy.resetRandomly({ minMs: 1000, maxMs: 3000 });
//   proxy.dropNextResponse({ match: /"t":"direct"/ });  // one response lost, browser side reset
//   proxy.hangWebSockets(true);  // WebSocket handshakes accepted and never answered
//   await proxy.close();
//
// New connections are always forwarded (after the delay, if any): a stall models a path that died
// (a NAT rebinding, a Wi-Fi handover), a reset models a middlebox that killed the flow.
import net from 'node:net';

/**
 * @param {{targetPort: number, random?: () => number}} options
 */
export async function startFaultProxy({ targetPort, random = Math.random }) {
  const pairs = new Set();
  // Every socket, whatever became of its pair, so close() leaves nothing open behind it.
  const sockets = new Set();
  let delayMs = 0;
  let resets = 0;
  let stalls = 0;
  let accepted = 0;
  let hangWebSockets = false;
  let hungWebSockets = 0;
  // { match, midBody } of the next response to swallow, and what became of the swallowed ones.
  let dropNext = null;
  let dropped = 0;

  // A reset (RST) where the socket can still send one. A socket whose FIN already waits behind
  // unsent data (end() called) is closing anyway: it is left to deliver that data and its FIN, then
  // destroyed (close() destroys it if its peer never reads). Resetting it would fail: libuv refuses
  // while a shutdown is pending, Node then never closes the handle, and the test process spins at
  // exit.
  function kill(socket) {
    if (socket.destroyed) return;
    if (socket.writableEnded && !socket.writableFinished) socket.once('finish', () => socket.destroy());
    else socket.resetAndDestroy();
  }

  // Half-open sockets, so a FIN is passed on only after the data before it.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    accepted += 1;
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true });
    const pair = { client, upstream, stalled: false, sniffed: false };
    pairs.add(pair);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    forward(pair, client, upstream);
    forward(pair, upstream, client, true);
    for (const [side, other] of [[client, upstream], [upstream, client]]) {
      // A reset on one side is passed on as a reset, unless the path is stalled: then the other
      // side hears nothing, as behind a dead path.
      side.on('error', () => {
        if (!pair.stalled) kill(other);
      });
      side.on('close', () => {
        if (!pair.stalled && !other.destroyed) other.destroy();
        if (client.destroyed && upstream.destroyed) pairs.delete(pair);
      });
    }
  });

  // Forwards `from` to `to` chunk by chunk, so a chunk can be dropped (stall) or held (delay)
  // without reordering; a FIN is passed on once every chunk before it was written.
  function forward(pair, from, to, fromServer = false) {
    let tail = Promise.resolve();
    from.on('data', (chunk) => {
      if (pair.stalled) return;
      if (!fromServer && !pair.sniffed) {
        pair.sniffed = true;
        // Accepted, never answered, never closed: as a proxy that does not speak WebSocket.
        if (hangWebSockets && /^upgrade:\s*websocket/im.test(chunk.toString('latin1'))) {
          pair.stalled = true;
          hungWebSockets += 1;
          return;
        }
      }
      if (fromServer && dropNext && isResponseMatching(chunk, dropNext.match)) {
        swallow(pair, chunk, dropNext.midBody);
        dropNext = null;
        dropped += 1;
        return;
      }
      const due = Date.now() + delayMs;
      tail = tail.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (pair.stalled || to.destroyed) return;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    });
    from.on('end', () => {
      tail = tail.then(() => {
        if (!pair.stalled && !to.destroyed) to.end();
      });
    });
  }

  function isResponseMatching(chunk, match) {
    const text = chunk.toString('latin1');
    return text.startsWith('HTTP/1.1 200') && match.test(text);
  }

  // The response dies on its way to the browser, whole or after part of its body; the browser
  // side of the connection is reset (as a middlebox that lost the flow) and the server side
  // closed. A browser resends a request whose reused connection failed before any response.
  function swallow(pair, chunk, midBody) {
    pair.stalled = true;
    pairs.delete(pair);
    if (midBody) pair.client.write(chunk.subarray(0, Math.floor(chunk.length * 0.75)));
    setTimeout(() => {
      kill(pair.client);
      if (!pair.upstream.destroyed) pair.upstream.destroy();
    }, midBody ? 20 : 0);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  const proxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    get openConnections() {
      return pairs.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    get resets() {
      return resets;
    },
    get stalls() {
      return stalls;
    },
    /** Responses swallowed by dropNextResponse(). */
    get dropped() {
      return dropped;
    },
    /** WebSocket handshakes held by hangWebSockets(). */
    get hungWebSockets() {
      return hungWebSockets;
    },
    /**
     * The next HTTP 200 response from the server whose first chunk matches `match` is lost: not
     * forwarded (or, with `midBody`, cut after three quarters), and the browser side reset.
     */
    dropNextResponse({ match, midBody = false }) {
      dropNext = { match, midBody };
    },
    /** While on, new connections that ask for a WebSocket upgrade hang: accepted, never answered. */
    hangWebSockets(on) {
      hangWebSockets = on;
    },
    /** Resets every open connection on both sides (TCP RST, no FIN). */
    resetAll() {
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        kill(pair.client);
        kill(pair.upstream);
        resets += 1;
      }
    },
    /** Silences every open connection for good: bytes are dropped, nothing closes. */
    stallAll() {
      for (const pair of pairs) {
        if (pair.stalled) continue;
        pair.stalled = true;
        stalls += 1;
      }
    },
    /** Holds every chunk (both directions, all connections) this long before forwarding it. */
    setDelay(ms) {
      delayMs = ms;
    },
    /**
     * Resets every open connection at random intervals in [minMs, maxMs] until the returned
     * function is called.
     */
    resetRandomly({ minMs, maxMs }) {
      let timer;
      const schedule = () => {
        timer = setTimeout(() => {
          proxy.resetAll();
          schedule();
        }, minMs + random() * (maxMs - minMs));
      };
      schedule();
      return () => clearTimeout(timer);
    },
    /** Stops listening and destroys every connection. */
    close() {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      pairs.clear();
      return closed;
    },
  };
  return proxy;
}
