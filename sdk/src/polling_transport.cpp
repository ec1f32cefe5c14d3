#include "rtcwire/polling_transport.hpp"

namespace rtcwire {

void PollingTransport::open(std::string_view sid) {
  const uint32_t id = next_request_id_++;
  get_in_flight_ = id;
  emit(HttpRequest{
      generation_, id, HttpMethod::get, url_.endpoint(kind(), sid) + "&t=" + random_.token(), {}});
}

void PollingTransport::start_session(const std::string& sid, int64_t max_payload) {
  ClientTransport::start_session(sid, max_payload);
  upstream_.set_url(url_.endpoint(kind(), sid), max_payload);
  flush();
  poll();
}

void PollingTransport::send(std::vector<engineio::Packet> packets) {
  if (finished_) return;
  for (auto& packet : packets) upstream_.enqueue(std::move(packet));
  flush();
}

void PollingTransport::pause() {
  pausing_ = true;
  check_paused();
}

void PollingTransport::resume() {
  pausing_ = false;
  paused_ = false;
  poll();
}

void PollingTransport::close() {
  // The platform aborts the pending GET; a POST already issued (e.g. a close packet) completes.
  finish();
}

void PollingTransport::handle_text(std::string_view /*text*/) {
  // Polling receives only HTTP responses.
}

void PollingTransport::poll() {
  if (finished_ || get_in_flight_ || sid_.empty() || pausing_) return;
  const uint32_t id = next_request_id_++;
  get_in_flight_ = id;
  emit(HttpRequest{
      generation_, id, HttpMethod::get, url_.endpoint(kind(), sid_) + "&t=" + random_.token(), {}});
}

void PollingTransport::flush() {
  if (finished_) return;
  if (auto request = upstream_.next_request(generation_, next_request_id_)) {
    ++next_request_id_;
    emit(std::move(*request));
  }
}

void PollingTransport::check_paused() {
  if (pausing_ && !paused_ && !get_in_flight_ && upstream_.idle()) {
    paused_ = true;
    signal(transport_signal::Paused{});
  }
}

void PollingTransport::handle_http_response(uint32_t id, int status, std::string_view body) {
  if (finished_) return;
  if (upstream_.owns(id)) {
    if (auto answered = upstream_.on_response(id, status, body); !answered) {
      fail(answered.error());
      return;
    }
    flush();
    check_paused();
    return;
  }
  if (get_in_flight_ != id) return;  // not ours: ignore
  get_in_flight_.reset();
  if (status != 200) {
    fail(transport_error(status == 0 ? ErrorCode::transport_closed : ErrorCode::transport_error,
                         "polling GET failed: " + describe_http_failure(status, body)));
    return;
  }
  auto packets = engineio::decode_payload(body);
  if (!packets) {
    fail(packets.error());
    return;
  }
  signal(transport_signal::Received{std::move(packets.value())});
  poll();
  check_paused();
}

}  // namespace rtcwire
