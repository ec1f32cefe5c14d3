// What the HTTP transports (polling, sse) share: packets to the server go out through an
// HttpUpstream as POSTed payloads, and pausing for an upgrade waits for both directions to drain.
#pragma once

#include <string>

#include "rtcwire/engineio/client_transport.hpp"
#include "rtcwire/engineio/http_upstream.hpp"

namespace rtcwire::engineio {

class HttpTransport : public ClientTransport {
 public:
  HttpTransport(uint32_t generation, ServerUrl url, uint64_t random_seed)
      : ClientTransport(generation, std::move(url)), random_(random_seed) {}

  void start_session(const std::string& sid, int64_t max_payload) override;
  void send(std::vector<Packet> packets) override;
  void pause() override;
  // A close packet still queued behind a POST in flight goes in a parting POST of its own.
  void close() override;

 protected:
  // Handles the answer when `id` is the POST in flight (failing the transport when the POST
  // failed); false when the answer is for some other request.
  bool handle_upstream_response(uint32_t id, int status, std::string_view body);
  // Reports Paused once pausing, the downstream is drained and no POST is in flight.
  void check_paused();
  virtual bool downstream_drained() const = 0;
  // A fresh `t` query parameter: browsers serialise identical concurrent GETs in their cache.
  std::string cache_buster() { return "&t=" + random_.token(); }
  uint32_t take_request_id() { return next_request_id_++; }

  bool pausing_ = false;
  bool paused_ = false;

 private:
  void flush();

  base::RandomSource random_;
  HttpUpstream upstream_;
  uint32_t next_request_id_ = 1;
};

}  // namespace rtcwire::engineio
