// The rtcwire SSE transport (an Engine.IO extension, transport=sse): an EventSource carries
// polling payloads downstream, one per event, each wrapped in a JSON string; packets upstream go
// in POSTs as with polling.
// docs/protocol.md describes it.
#pragma once

#include "rtcwire/client_transport.hpp"
#include "rtcwire/http_upstream.hpp"

namespace rtcwire {

class SseTransport final : public ClientTransport {
 public:
  SseTransport(uint32_t generation, ServerUrl url, uint64_t random_seed)
      : ClientTransport(generation, std::move(url)), random_(random_seed) {}

  TransportKind kind() const override { return TransportKind::sse; }
  void open(std::string_view sid) override;
  void start_session(const std::string& sid, int64_t max_payload) override;
  void send(std::vector<engineio::Packet> packets) override;
  void pause() override;
  void resume() override;
  void close() override;

  void handle_open() override;
  void handle_text(std::string_view text) override;
  void handle_http_response(uint32_t id, int status, std::string_view body) override;

 private:
  void flush();
  void check_paused();

  RandomSource random_;
  HttpUpstream upstream_;
  uint32_t next_request_id_ = 1;
  bool pausing_ = false;
  bool drained_ = false;  // the server's noop after an upgrade probe arrived
  bool paused_ = false;
};

}  // namespace rtcwire
