// The server's Prometheus metrics: counters kept as things happen, gauges read at scrape time,
// rendered in the text exposition format (version 0.0.4). Single-threaded like the server.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "rtcwire/base/time.hpp"

namespace rtcwire::server {

using base::Millis;

enum class RefusedRequest { origin, host };

class Metrics {
 public:
  // What the server reports at scrape time.
  struct Gauges {
    std::size_t sessions = 0;                  // live sessions, attached or awaiting a resume
    std::array<std::size_t, 3> connections{};  // open connections by TransportKind
    std::size_t buffered_bytes = 0;            // unacknowledged bytes kept for resumes
    std::size_t paused_websocket_reads = 0;    // websockets not read until their pongs are
  };

  void message_received(std::size_t bytes);
  void message_sent(std::size_t bytes);
  // "resumed", or the resume error that started a new session instead.
  void resume(std::string_view outcome);
  // A session the server ended: buffer_overflow, token_expired, session_expired...
  void eviction(std::string_view reason);
  void rate_limited(std::string_view limit);
  void refused_request(RefusedRequest kind);
  // A hello, refresh or join refused for its token: unauthorized, token_expired, forbidden_room...
  void refused_token(std::string_view code);
  void tls_handshake_failed();
  // How late the loop ran a timer: the gauge keeps the last value and the maximum.
  void loop_lag(Millis lag);

  std::string render(const Gauges& gauges) const;

 private:
  std::uint64_t messages_received_ = 0;
  std::uint64_t messages_sent_ = 0;
  std::uint64_t bytes_received_ = 0;
  std::uint64_t bytes_sent_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> resumes_;
  std::map<std::string, std::uint64_t, std::less<>> evictions_;
  std::map<std::string, std::uint64_t, std::less<>> rate_limited_;
  std::array<std::uint64_t, 2> refused_requests_{};
  std::map<std::string, std::uint64_t, std::less<>> refused_tokens_;
  std::uint64_t tls_handshake_failures_ = 0;
  Millis loop_lag_{0};
  Millis loop_lag_max_{0};
};

}  // namespace rtcwire::server
