#include "rtcwire/engineio/http_transport.hpp"

namespace rtcwire::engineio {

void HttpTransport::start_session(const std::string& sid, int64_t max_payload) {
  ClientTransport::start_session(sid, max_payload);
  upstream_.set_url(url_.endpoint(kind(), sid), max_payload);
  flush();
}

void HttpTransport::send(std::vector<Packet> packets) {
  if (finished_) return;
  for (auto& packet : packets) upstream_.enqueue(std::move(packet));
  flush();
}

void HttpTransport::close() {
  if (finished_) return;
  if (auto parting = upstream_.take_parting(generation_, next_request_id_)) {
    ++next_request_id_;
    emit(std::move(*parting));
  }
  finish();
}

void HttpTransport::pause() {
  pausing_ = true;
  check_paused();
}

bool HttpTransport::handle_upstream_response(uint32_t id, int status, std::string_view body) {
  if (!upstream_.owns(id)) return false;
  if (auto answered = upstream_.on_response(id, status, body); !answered) {
    fail(answered.error());
    return true;
  }
  flush();
  check_paused();
  return true;
}

void HttpTransport::check_paused() {
  if (pausing_ && !paused_ && downstream_drained() && upstream_.idle()) {
    paused_ = true;
    signal(transport_signal::Paused{});
  }
}

void HttpTransport::flush() {
  if (finished_) return;
  if (auto request = upstream_.next_request(generation_, next_request_id_)) {
    ++next_request_id_;
    emit(std::move(*request));
  }
}

}  // namespace rtcwire::engineio
