// WebSockets by the core's transport generation: the table executes what the core asks (open,
// send, close) and reports what the sockets do; it knows nothing of the protocol.
export class WebSocketTransports {
  #sockets = new Map();
  #platform;
  #sink;

  // `sink` receives open(generation), text(generation, string), binary(generation, Uint8Array),
  // closed(generation) and error(generation, reason).
  constructor(platform, sink) {
    this.#platform = platform;
    this.#sink = sink;
  }

  open(generation, url) {
    let socket;
    try {
      // A page or an extension may have removed or replaced WebSocket: that is a failed
      // transport like any other, and the core moves on to the next one.
      socket = new this.#platform.WebSocket(url);
    } catch (error) {
      this.#sink.error(generation, `could not create a WebSocket: ${describe(error)}`);
      return;
    }
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.#sink.open(generation);
    socket.onmessage = ({ data }) => {
      if (typeof data === 'string') this.#sink.text(generation, data);
      else this.#sink.binary(generation, new Uint8Array(data));
    };
    // Browsers give no detail on WebSocket errors, on purpose.
    socket.onerror = () => this.#sink.error(generation, 'the WebSocket failed');
    socket.onclose = () => {
      this.#sockets.delete(generation);
      this.#sink.closed(generation);
    };
    this.#sockets.set(generation, socket);
  }

  send(generation, text) {
    const socket = this.#sockets.get(generation);
    if (socket?.readyState !== 1 /* OPEN */) {
      this.#sink.error(generation, 'send on a WebSocket that is not open');
      return;
    }
    socket.send(text);
  }

  // The core closes a transport only once it is done with it: its later events are not wanted.
  close(generation) {
    const socket = this.#sockets.get(generation);
    if (!socket) return;
    this.#sockets.delete(generation);
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    socket.close(1000);
  }

  closeAll() {
    for (const generation of [...this.#sockets.keys()]) this.close(generation);
  }
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
