// The rtcwire SSE transport (an Engine.IO extension, transport=sse): an EventSource carries
// polling payloads downstream, one per event, each wrapped in a JSON string; packets upstream go
// in POSTs as with polling.
#pragma once

#include "rtcwire/engineio/http_transport.hpp"

namespace rtcwire::engineio {

class SseTransport final : public HttpTransport {
 public:
  using HttpTransport::HttpTransport;

  TransportKind kind() const override { return TransportKind::sse; }
  void open(std::string_view sid) override;
  void resume() override;

  void handle_open() override;
  void handle_text(std::string_view text) override;
  void handle_http_response(uint32_t id, int status, std::string_view body) override;

 private:
  bool downstream_drained() const override { return drained_; }

  bool drained_ = false;  // the server's noop after an upgrade probe arrived (maybe early)
};

}  // namespace rtcwire::engineio
