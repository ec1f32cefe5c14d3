#include "sse_server_transport.hpp"

#include <utility>

#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/write.hpp>

#include "sse_encoding.hpp"

namespace rtcwire::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using engineio::Packet;
using engineio::PacketType;

constexpr std::chrono::seconds kCloseDeadline{2};

std::string single_packet_event(PacketType type) {
  return sse_event(engineio::encode_payload({Packet{type, {}, false}}));
}

}  // namespace

SseServerTransport::SseServerTransport(ServerStream stream, unsigned http_version,
                                       std::chrono::milliseconds heartbeat_interval,
                                       const std::string& allow_origin)
    : stream_(std::move(stream)),
      chunked_(http_version >= 11),
      heartbeat_interval_(heartbeat_interval),
      heartbeat_(stream_.get_executor()),
      close_deadline_(stream_.get_executor()) {
  header_.version(http_version);
  header_.result(http::status::ok);
  header_.set(http::field::server, "rtcwire-server");
  header_.set(http::field::content_type, "text/event-stream");
  header_.set(http::field::cache_control, "no-store");
  // Tells nginx-style proxies to pass events through as they come.
  header_.set("X-Accel-Buffering", "no");
  if (!allow_origin.empty()) {
    header_.set(http::field::access_control_allow_origin, allow_origin);
    header_.set(http::field::vary, "Origin");
  }
  header_.keep_alive(false);
  header_.chunked(chunked_);
}

void SseServerTransport::attach(std::weak_ptr<ServerTransportOwner> owner) {
  owner_ = std::move(owner);
  stream_.expires_never();
  writing_ = true;
  serializer_.emplace(header_);
  http::async_write_header(stream_, *serializer_,
                           [self = shared_from_this()](beast::error_code error, std::size_t) {
                             self->header_written_ = true;
                             self->on_write(error, 0);
                           });
  watch_client();
  arm_heartbeat();
}

bool SseServerTransport::writable() const {
  return state_ == State::open && header_written_ && !paused_ && !writing_ && chunks_.empty();
}

void SseServerTransport::send(std::vector<Packet> packets, std::size_t bytes) {
  if (state_ != State::open || packets.empty()) return;
  queue({sse_event(engineio::encode_payload(packets)), bytes, false});
}

void SseServerTransport::queue(Chunk chunk) {
  chunks_.push_back(std::move(chunk));
  if (!writing_) write_next();
}

void SseServerTransport::write_next() {
  writing_ = true;
  const auto done = [self = shared_from_this()](beast::error_code error, std::size_t) {
    const std::size_t batch_bytes = self->chunks_.front().batch_bytes;
    self->chunks_.pop_front();
    self->on_write(error, batch_bytes);
  };
  const Chunk& chunk = chunks_.front();
  if (chunk.last) {
    if (chunked_) {
      asio::async_write(stream_, http::make_chunk_last(), done);
    } else {
      asio::post(stream_.get_executor(), [done] { done({}, 0); });
    }
  } else if (chunked_) {
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk.text)), done);
  } else {
    asio::async_write(stream_, asio::buffer(chunk.text), done);
  }
}

void SseServerTransport::on_write(beast::error_code error, std::size_t batch_bytes) {
  writing_ = false;
  if (state_ == State::closed) return;
  if (error) {
    const bool was_open = state_ == State::open;
    end();
    if (const auto owner = owner_.lock(); owner && was_open) {
      owner->on_transport_lost(*this, "transport error: " + error.message());
    }
    return;
  }
  if (!chunks_.empty()) write_next();
  // Also while closing: the session's byte count must learn what left.
  const auto owner = owner_.lock();
  if (owner && (batch_bytes > 0 || (state_ == State::open && chunks_.empty()))) {
    owner->on_drain(*this, batch_bytes);
  }
  if (state_ == State::closing && chunks_.empty() && !writing_) end();  // the last chunk is out
}

void SseServerTransport::pause() {
  if (state_ != State::open || paused_) return;
  paused_ = true;
  queue({single_packet_event(PacketType::noop), 0, false});
}

void SseServerTransport::resume() {
  paused_ = false;
  if (!writable()) return;
  if (const auto owner = owner_.lock()) owner->on_drain(*this, 0);
}

void SseServerTransport::close(TransportClose how, std::function<void()> done) {
  if (state_ == State::closed) {
    if (done) done();
    return;
  }
  on_closed_ = [first = std::move(on_closed_), then = std::move(done)] {
    if (first) first();
    if (then) then();
  };
  if (state_ == State::closing) return;
  if (how == TransportClose::abort) {
    end();
    return;
  }
  state_ = State::closing;
  heartbeat_.cancel();
  close_deadline_.expires_after(kCloseDeadline);
  close_deadline_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error) self->end();  // the client is not reading: give up on a clean end
  });
  if (how == TransportClose::server) queue({single_packet_event(PacketType::close), 0, false});
  queue({{}, 0, true});
}

void SseServerTransport::watch_client() {
  // The client sends nothing after its GET; a completed read means it hung up.
  stream_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](beast::error_code error, std::size_t) {
                            if (self->state_ == State::closed) return;
                            if (!error) {
                              self->watch_client();
                              return;
                            }
                            const bool was_open = self->state_ == State::open;
                            self->end();
                            if (const auto owner = self->owner_.lock(); owner && was_open) {
                              owner->on_transport_lost(*self, "sse stream closed by the client");
                            }
                          });
}

void SseServerTransport::arm_heartbeat() {
  heartbeat_.expires_after(heartbeat_interval_);
  heartbeat_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (error || self->state_ != State::open) return;
    if (!self->paused_ && !self->writing_ && self->chunks_.empty() && self->header_written_) {
      self->queue({std::string(kSseHeartbeat), 0, false});
    }
    self->arm_heartbeat();
  });
}

void SseServerTransport::end() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  heartbeat_.cancel();
  close_deadline_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  if (auto done = std::exchange(on_closed_, nullptr)) done();
}

}  // namespace rtcwire::server
