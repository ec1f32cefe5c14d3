#include "polling_server_transport.hpp"

#include <string_view>
#include <utility>

#include "http_session.hpp"

namespace rtcwire::server {
namespace {

namespace http = boost::beast::http;
using engineio::Packet;
using engineio::PacketType;

// Explicit UTF-8, as the stock server sends, for pages not served as UTF-8.
constexpr std::string_view kPayloadContentType = "text/plain; charset=UTF-8";

}  // namespace

void PollingServerTransport::on_poll(std::shared_ptr<HttpSession> request) {
  if (!open_) {
    request->reply(http::status::bad_request, "", "");
    return;
  }
  if (waiting_) {
    // As the stock server: a second GET while one waits is a protocol error that ends the session
    // (the waiting GET gets the close packet), and the second GET gets a bare 400.
    if (const auto owner = owner_.lock()) owner->on_transport_error(*this, "overlap from client");
    request->reply(http::status::bad_request, "", "");
    return;
  }
  if (paused_) {
    // An upgrade is under way: let the client finish it instead of waiting here.
    request->reply(http::status::ok, kPayloadContentType,
                   engineio::encode_payload({Packet{PacketType::noop, {}, false}}));
    return;
  }
  waiting_ = std::move(request);
  waiting_->hold([weak = weak_from_this(), gone = waiting_.get()] {
    if (const auto self = weak.lock()) self->on_poll_gone(gone);
  });
  if (const auto owner = owner_.lock()) owner->on_drain(*this, 0);
}

void PollingServerTransport::on_poll_gone(const HttpSession* request) {
  if (waiting_.get() != request) return;
  waiting_.reset();
  if (!open_) return;
  if (const auto owner = owner_.lock()) {
    owner->on_transport_lost(*this, "poll connection closed prematurely");
  }
}

void PollingServerTransport::send(std::vector<Packet> packets, std::size_t bytes) {
  if (!writable() || packets.empty()) return;
  answer(std::move(packets));
  if (const auto owner = owner_.lock()) owner->on_drain(*this, bytes);
}

void PollingServerTransport::answer(std::vector<Packet> packets) {
  std::exchange(waiting_, nullptr)
      ->reply(http::status::ok, kPayloadContentType, engineio::encode_payload(packets));
}

void PollingServerTransport::pause() {
  paused_ = true;
  if (waiting_) answer({Packet{PacketType::noop, {}, false}});
}

void PollingServerTransport::resume() {
  paused_ = false;
  if (!open_ || !waiting_) return;
  if (const auto owner = owner_.lock()) owner->on_drain(*this, 0);
}

void PollingServerTransport::close(TransportClose how, std::function<void()> done) {
  if (open_ && waiting_) {
    switch (how) {
      case TransportClose::server:
        answer({Packet{PacketType::close, {}, false}});
        break;
      case TransportClose::client:
      case TransportClose::discard:
        answer({Packet{PacketType::noop, {}, false}});
        break;
      case TransportClose::abort:
        std::exchange(waiting_, nullptr)->abort();
        break;
    }
  }
  open_ = false;
  if (done) done();
}

}  // namespace rtcwire::server
