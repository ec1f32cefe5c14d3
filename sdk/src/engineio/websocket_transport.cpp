#include "rtcwire/engineio/websocket_transport.hpp"

namespace rtcwire::engineio {

void WebSocketTransport::open(std::string_view sid) {
  emit(OpenTransport{generation_, TransportKind::websocket, url_.endpoint(kind(), sid)});
}

void WebSocketTransport::send(std::vector<Packet> packets) {
  if (finished_) return;
  for (auto& packet : packets) {
    // The core only sends text; a binary packet would need a binary-frame action.
    emit(SendFrame{generation_, encode_text_frame(packet)});
  }
}

void WebSocketTransport::pause() {
  // Nothing is buffered in flight on our side of a WebSocket: it is drained at once.
  signal(transport_signal::Paused{});
}

void WebSocketTransport::close() { finish(); }

void WebSocketTransport::handle_open() {
  if (!finished_) signal(transport_signal::Opened{});
}

void WebSocketTransport::handle_text(std::string_view text) {
  if (finished_) return;
  auto packet = decode_text_frame(text);
  if (!packet) {
    fail(packet.error());
    return;
  }
  signal(transport_signal::Received{{std::move(packet.value())}});
}

void WebSocketTransport::handle_binary(std::string_view bytes) {
  if (finished_) return;
  signal(transport_signal::Received{{decode_binary_frame(bytes)}});
}

}  // namespace rtcwire::engineio
