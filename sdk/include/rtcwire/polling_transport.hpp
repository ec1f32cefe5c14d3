// Engine.IO long-polling: one GET at a time waits for packets from the server; packets to the
// server go in POSTs. Every GET carries a unique `t` parameter: browsers serialise identical
// concurrent GETs through their HTTP cache.
#pragma once

#include <optional>

#include "rtcwire/client_transport.hpp"
#include "rtcwire/http_upstream.hpp"

namespace rtcwire {

class PollingTransport final : public ClientTransport {
 public:
  PollingTransport(uint32_t generation, ServerUrl url, uint64_t random_seed)
      : ClientTransport(generation, std::move(url)), random_(random_seed) {}

  TransportKind kind() const override { return TransportKind::polling; }
  void open(std::string_view sid) override;
  void start_session(const std::string& sid, int64_t max_payload) override;
  void send(std::vector<engineio::Packet> packets) override;
  void pause() override;
  void resume() override;
  void close() override;

  void handle_text(std::string_view text) override;
  void handle_http_response(uint32_t id, int status, std::string_view body) override;

 private:
  void poll();
  void flush();
  void check_paused();

  RandomSource random_;
  HttpUpstream upstream_;
  uint32_t next_request_id_ = 1;
  std::optional<uint32_t> get_in_flight_;
  bool pausing_ = false;
  bool paused_ = false;
};

}  // namespace rtcwire
