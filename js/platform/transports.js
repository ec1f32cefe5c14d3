// Executes the core's transport actions on the platform's objects: WebSockets and EventSources by
// generation, HTTP requests by generation and id. Events go back to the core through `sink`.
import { EventSourceTransports } from './event_source_transport.js';
import { HttpRequests } from './http_requests.js';
import { WebSocketTransports } from './websocket_transport.js';

export class Transports {
  #webSockets;
  #eventSources;
  #http;

  // `sink` receives the events of WebSocketTransports and HttpRequests.
  constructor(platform, sink) {
    this.#webSockets = new WebSocketTransports(platform, sink);
    this.#eventSources = new EventSourceTransports(platform, sink);
    this.#http = new HttpRequests(platform, sink);
  }

  execute(action) {
    switch (action.type) {
      case 'open':
        if (action.kind === 'sse') this.#eventSources.open(action.generation, action.url);
        else this.#webSockets.open(action.generation, action.url);
        break;
      case 'send':
        this.#webSockets.send(action.generation, action.text);
        break;
      case 'http':
        this.#http.request(
          action.generation,
          action.id,
          action.method,
          action.url,
          action.body,
          action.parting,
        );
        break;
      case 'close':
        this.#webSockets.close(action.generation);
        this.#eventSources.close(action.generation);
        this.#http.abort(action.generation);
        break;
    }
  }

  closeAll() {
    this.#webSockets.closeAll();
    this.#eventSources.closeAll();
    this.#http.abortAll();
  }
}
