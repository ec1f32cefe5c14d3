// A server played by the test: the page's Engine.IO WebSockets are routed to this script
// (page.routeWebSocket), which sends exactly the frames a test wants, hostile ones included.
const OPEN_INFO = {
  sid: 'scripted',
  upgrades: [],
  pingInterval: 25000,
  pingTimeout: 20000,
  maxPayload: 1000000,
};
export const WELCOME = {
  v: 1,
  t: 'welcome',
  peer: 'scripted-peer',
  session: 'scripted-session',
  token: 'scripted-token',
  maxMessageBytes: 65536,
  resumed: false,
  ack: 0,
};

export async function routeToScript(page) {
  const connections = [];
  const waiters = new Set();
  await page.routeWebSocket(/\/engine\.io\//, (socket) => {
    const connection = new ScriptedConnection(socket);
    connections.push(connection);
    for (const wake of waiters) wake();
  });
  return {
    // The next WebSocket the page opens.
    nextConnection(timeoutMs = 5000) {
      const wanted = connections.length + 1;
      return bounded(`WebSocket #${wanted} from the page`, timeoutMs, waiters, () =>
        connections.at(wanted - 1),
      );
    },
  };
}

class ScriptedConnection {
  #frames = [];
  #waiters = new Set();

  constructor(socket) {
    this.socket = socket;
    socket.onMessage((frame) => {
      this.#frames.push(frame);
      for (const wake of this.#waiters) wake();
    });
  }

  send(frame) {
    this.socket.send(frame);
  }

  // The Engine.IO open packet, then (after the client's hello) the welcome envelope.
  async handshake() {
    this.send('0' + JSON.stringify(OPEN_INFO));
    const hello = await this.nextFrame('the hello envelope');
    this.send('4' + JSON.stringify(WELCOME));
    return hello;
  }

  // Resolves with the next frame the page sent that this script has not taken yet. The bound is
  // for a frame that never comes; a page on a loaded machine can take seconds for one that does
  // (the first test's hello waited > 5 s at load 15, behind the browser's start and Wasm compile).
  nextFrame(what, timeoutMs = 15000) {
    return bounded(what, timeoutMs, this.#waiters, () => this.#frames.shift());
  }
}

function bounded(what, timeoutMs, waiters, take) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = take();
      if (value === undefined) return;
      done();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`scripted server: timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}
