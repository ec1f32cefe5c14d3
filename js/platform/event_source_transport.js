// EventSources (SSE downstream) by the core's transport generation; the core decodes their data.
export class EventSourceTransports {
  #sources = new Map();
  #platform;
  #sink;

  // `sink` receives open(generation), text(generation, string) and error(generation, reason).
  constructor(platform, sink) {
    this.#platform = platform;
    this.#sink = sink;
  }

  open(generation, url) {
    let source;
    try {
      source = new this.#platform.EventSource(url);
    } catch (error) {
      this.#sink.error(generation, `could not create an EventSource: ${describe(error)}`);
      return;
    }
    source.onopen = () => this.#sink.open(generation);
    source.onmessage = ({ data }) => this.#sink.text(generation, data);
    // An EventSource reconnects by itself after an error, and a new stream would be a new server
    // session: the first error ends this one.
    source.onerror = () => {
      this.close(generation);
      this.#sink.error(generation, 'the EventSource failed');
    };
    this.#sources.set(generation, source);
  }

  close(generation) {
    const source = this.#sources.get(generation);
    if (!source) return;
    this.#sources.delete(generation);
    source.onopen = source.onmessage = source.onerror = null;
    source.close();
  }

  closeAll() {
    for (const generation of [...this.#sources.keys()]) this.close(generation);
  }
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
