#include "rtcwire/sse_transport.hpp"

#include <nlohmann/json.hpp>

namespace rtcwire {

void SseTransport::open(std::string_view sid) {
  emit(OpenTransport{generation_, TransportKind::sse,
                     url_.endpoint(kind(), sid) + "&t=" + random_.token()});
}

void SseTransport::start_session(const std::string& sid, int64_t max_payload) {
  ClientTransport::start_session(sid, max_payload);
  upstream_.set_url(url_.endpoint(kind(), sid), max_payload);
  flush();
}

void SseTransport::send(std::vector<engineio::Packet> packets) {
  if (finished_) return;
  for (auto& packet : packets) upstream_.enqueue(std::move(packet));
  flush();
}

void SseTransport::pause() {
  pausing_ = true;
  check_paused();
}

void SseTransport::resume() {
  pausing_ = false;
  drained_ = false;
  paused_ = false;
}

void SseTransport::close() { finish(); }

void SseTransport::handle_open() {
  if (!finished_) signal(transport_signal::Opened{});
}

void SseTransport::handle_text(std::string_view text) {
  if (finished_) return;
  // Each event's data is a JSON string holding a polling payload: one line, nothing lost.
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_string()) {
    fail(remote_error(ErrorCode::malformed_packet, "SSE event data is not a JSON string"));
    return;
  }
  auto packets = engineio::decode_payload(json.get_ref<const std::string&>());
  if (!packets) {
    fail(packets.error());
    return;
  }
  // After answering an upgrade probe the server writes a noop and then nothing more here.
  for (const auto& packet : packets.value()) {
    if (pausing_ && packet.type == engineio::PacketType::noop) drained_ = true;
  }
  signal(transport_signal::Received{std::move(packets.value())});
  check_paused();
}

void SseTransport::handle_http_response(uint32_t id, int status, std::string_view body) {
  if (finished_ || !upstream_.owns(id)) return;
  if (auto answered = upstream_.on_response(id, status, body); !answered) {
    fail(answered.error());
    return;
  }
  flush();
  check_paused();
}

void SseTransport::flush() {
  if (finished_) return;
  if (auto request = upstream_.next_request(generation_, next_request_id_)) {
    ++next_request_id_;
    emit(std::move(*request));
  }
}

void SseTransport::check_paused() {
  if (pausing_ && drained_ && !paused_ && upstream_.idle()) {
    paused_ = true;
    signal(transport_signal::Paused{});
  }
}

}  // namespace rtcwire
