// The upstream half of the HTTP transports (polling, sse): packets go out as polling payloads in
// POST requests, one request in flight at a time, each no larger than the server's maxPayload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/fifo.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "rtcwire/engineio/transport_action.hpp"

namespace rtcwire::engineio {

class HttpUpstream {
 public:
  // Packets wait until there is a URL to post them to (the session id is known).
  void set_url(std::string url, int64_t max_payload);
  void enqueue(Packet packet);
  // The next POST to issue, if none is in flight and something waits.
  std::optional<HttpRequest> next_request(uint32_t generation, uint32_t id);
  // When a close packet is queued: everything queued, in one POST that ignores the one in flight,
  // since the transport is closing and the close packet must still go.
  std::optional<HttpRequest> take_parting(uint32_t generation, uint32_t id);
  // The answer to the POST in flight; an error when it failed.
  base::Status on_response(uint32_t id, int status, std::string_view body);
  bool owns(uint32_t id) const { return in_flight_ == id; }
  bool idle() const { return !in_flight_ && queue_.empty(); }

 private:
  HttpRequest post(uint32_t generation, uint32_t id, const std::vector<Packet>& packets,
                   bool parting) const;

  std::string url_;
  int64_t max_payload_ = 1000000;
  base::Fifo<Packet> queue_;
  std::optional<uint32_t> in_flight_;
  bool closing_ = false;  // the close packet was queued
};

// "HTTP status N: body" for an error message, with the body shortened.
std::string describe_http_failure(int status, std::string_view body);

}  // namespace rtcwire::engineio
