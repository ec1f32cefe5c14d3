#include "rtcwire/engineio/polling_transport.hpp"

namespace rtcwire::engineio {

void PollingTransport::open(std::string_view sid) {
  const uint32_t id = take_request_id();
  get_in_flight_ = id;
  emit(HttpRequest{
      generation_, id, HttpMethod::get, url_.endpoint(kind(), sid) + cache_buster(), {}});
}

void PollingTransport::start_session(const std::string& sid, int64_t max_payload) {
  HttpTransport::start_session(sid, max_payload);
  poll();
}

void PollingTransport::resume() {
  pausing_ = false;
  paused_ = false;
  poll();
}

void PollingTransport::handle_text(std::string_view /*text*/) {
  // Polling receives only HTTP responses.
}

void PollingTransport::poll() {
  if (finished_ || get_in_flight_ || sid_.empty() || pausing_) return;
  const uint32_t id = take_request_id();
  get_in_flight_ = id;
  emit(HttpRequest{
      generation_, id, HttpMethod::get, url_.endpoint(kind(), sid_) + cache_buster(), {}});
}

void PollingTransport::handle_http_response(uint32_t id, int status, std::string_view body) {
  if (finished_ || handle_upstream_response(id, status, body)) return;
  if (get_in_flight_ != id) return;  // not ours: ignore
  get_in_flight_.reset();
  if (status != 200) {
    fail(base::transport_error(
        status == 0 ? base::ErrorCode::transport_closed : base::ErrorCode::transport_error,
        "polling GET failed: " + describe_http_failure(status, body)));
    return;
  }
  auto packets = decode_payload(body);
  if (!packets) {
    fail(packets.error());
    return;
  }
  signal(transport_signal::Received{std::move(packets.value())});
  poll();
  check_paused();
}

}  // namespace rtcwire::engineio
