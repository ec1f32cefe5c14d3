// Engine.IO long-polling: one GET at a time waits for packets from the server; packets to the
// server go in POSTs.
#pragma once

#include <optional>

#include "rtcwire/engineio/http_transport.hpp"

namespace rtcwire::engineio {

class PollingTransport final : public HttpTransport {
 public:
  using HttpTransport::HttpTransport;

  TransportKind kind() const override { return TransportKind::polling; }
  void open(std::string_view sid) override;
  void start_session(const std::string& sid, int64_t max_payload) override;
  void resume() override;

  void handle_text(std::string_view text) override;
  void handle_http_response(uint32_t id, int status, std::string_view body) override;

 private:
  bool downstream_drained() const override { return !get_in_flight_; }
  void poll();

  std::optional<uint32_t> get_in_flight_;
};

}  // namespace rtcwire::engineio
