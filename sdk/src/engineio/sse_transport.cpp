#include "rtcwire/engineio/sse_transport.hpp"
#include "rtcwire/base/json_parse.hpp"

#include <nlohmann/json.hpp>

namespace rtcwire::engineio {

void SseTransport::open(std::string_view sid) {
  emit(OpenTransport{generation_, TransportKind::sse, url_.endpoint(kind(), sid) + cache_buster()});
}

void SseTransport::resume() {
  pausing_ = false;
  drained_ = false;
  paused_ = false;
}

void SseTransport::handle_open() {
  if (!finished_) signal(transport_signal::Opened{});
}

void SseTransport::handle_text(std::string_view text) {
  if (finished_) return;
  // Each event's data is a JSON string holding a polling payload: one line, nothing lost.
  const auto json = base::parse_json(text, 0);
  if (json.is_discarded() || !json.is_string()) {
    fail(base::remote_error(base::ErrorCode::malformed_packet,
                            "SSE event data is not a JSON string"));
    return;
  }
  auto packets = decode_payload(json.get_ref<const std::string&>());
  if (!packets) {
    fail(packets.error());
    return;
  }
  // After answering an upgrade probe the server writes a noop and then nothing more here. The
  // noop races the probe's answer on the websocket, so it counts even before pause().
  for (const auto& packet : packets.value()) {
    if (packet.type == PacketType::noop) drained_ = true;
  }
  signal(transport_signal::Received{std::move(packets.value())});
  check_paused();
}

void SseTransport::handle_http_response(uint32_t id, int status, std::string_view body) {
  if (!finished_) handle_upstream_response(id, status, body);
}

}  // namespace rtcwire::engineio
