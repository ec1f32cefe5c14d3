#include "websocket_server_transport.hpp"

#include <chrono>
#include <string_view>
#include <utility>

#include <boost/beast/websocket/error.hpp>

#include "websocket_frame.hpp"

namespace rtcwire::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// How long a polite websocket close may take before the socket is simply closed.
constexpr std::chrono::seconds kCloseDeadline{2};
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::size_t kRetainedReadBufferBytes = 64 * 1024;
constexpr std::size_t kFirstReadBytes = 256;
void release_string(std::string& text) { std::string().swap(text); }

std::string read_error_reason(const beast::error_code& error) {
  if (error == websocket::error::closed) return "client closed the websocket";
  if (error == websocket::error::message_too_big) return "message over maxPayload";
  if (error == beast::error::timeout) return "websocket timeout";
  return "transport error: " + error.message();
}

}  // namespace

WebSocketServerTransport::WebSocketServerTransport(ServerStream stream, std::size_t max_payload)
    : websocket_(std::move(stream)), close_deadline_(websocket_.get_executor()) {
  websocket_.read_message_max(max_payload);
}

void WebSocketServerTransport::accept(beast::http::request<beast::http::string_body> upgrade,
                                      std::function<void(beast::error_code)> done) {
  websocket_.next_layer().keep_alive_with(shared_from_this());
  // The websocket stream keeps its own timeouts; the HTTP read deadline must not carry over.
  beast::get_lowest_layer(websocket_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();  // the Engine.IO heartbeat covers it
  timeouts.keep_alive_pings = false;
  websocket_.set_option(timeouts);
  websocket_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "rtcwire-server");
  }));
  websocket_.async_accept(
      upgrade, [self = shared_from_this(), done = std::move(done)](beast::error_code error) {
        if (error) {
          self->state_ = State::closed;
        } else if (self->state_ == State::accepting) {
          self->state_ = State::open;
        }
        done(error);
      });
}

void WebSocketServerTransport::attach(std::weak_ptr<ServerTransportOwner> owner) {
  owner_ = std::move(owner);
  if (state_ == State::open) read_next();
}

void WebSocketServerTransport::read_next() {
  // A message's first read asks for little, so the read every idle connection has pending holds
  // a small buffer; the rest of a longer message is read at the size its frame header gave.
  const std::size_t limit =
      read_buffer_.size() == 0 ? kFirstReadBytes : websocket_.read_message_max();
  websocket_.async_read_some(
      read_buffer_, limit,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
}

void WebSocketServerTransport::on_read(beast::error_code error) {
  if (state_ != State::open) return;
  if (error) {
    // The websocket is already gone or failed: there is nobody to say goodbye to.
    end();
    if (const auto owner = owner_.lock()) owner->on_transport_lost(*this, read_error_reason(error));
    return;
  }
  if (!websocket_.is_message_done()) {
    read_next();
    return;
  }
  const auto bytes = read_buffer_.cdata();
  const std::string_view message(static_cast<const char*>(bytes.data()), bytes.size());
  const bool binary = websocket_.got_binary();
  auto packet = binary ? base::Result<engineio::Packet>(engineio::decode_binary_frame(message))
                       : engineio::decode_text_frame(message);
  read_buffer_.consume(read_buffer_.size());
  // One large message must not pin maxPayload bytes to an otherwise idle connection.
  if (read_buffer_.capacity() > kRetainedReadBufferBytes) read_buffer_.shrink_to_fit();
  if (const auto owner = owner_.lock()) {
    if (packet) {
      owner->on_packet(*this, std::move(packet.value()));
    } else {
      owner->on_transport_error(*this, "parse error");
    }
  }
  if (state_ == State::open) read_next();
}

void WebSocketServerTransport::send(std::vector<engineio::Packet> packets, std::size_t bytes) {
  if (state_ != State::open || packets.empty()) return;
  for (const engineio::Packet& packet : packets) {
    if (packet.binary) {
      append_frame_header(queued_, WebSocketOpcode::binary, packet.data.size());
    } else {
      // A text frame is the packet type's digit, then the data (engineio::encode_text_frame).
      append_frame_header(queued_, WebSocketOpcode::text, packet.data.size() + 1);
      queued_.push_back(static_cast<char>(packet.type));
    }
    queued_.append(packet.data);
  }
  queued_bytes_ += bytes;
  if (!writing_) write_next();
}

void WebSocketServerTransport::drop_queued() {
  release_string(queued_);
  queued_bytes_ = 0;
}

void WebSocketServerTransport::write_next() {
  writing_ = true;
  writing_bytes_ = std::exchange(queued_bytes_, 0);
  // The stream copies the frames at the call (GatheringStream), so queued_ is free at once.
  websocket_.next_layer().async_write_some(
      boost::asio::buffer(queued_),
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_write(error); });
  // Nothing is kept for the next batch: an idle connection holds no write buffer.
  release_string(queued_);
}

void WebSocketServerTransport::on_write(beast::error_code error) {
  writing_ = false;
  if (state_ == State::closing) {
    drop_queued();
    close_websocket();
    return;
  }
  if (state_ != State::open) return;
  const std::size_t written = std::exchange(writing_bytes_, 0);
  if (error) {
    end();
    if (const auto owner = owner_.lock()) {
      owner->on_transport_lost(*this, "transport error: " + error.message());
    }
    return;
  }
  if (!queued_.empty()) {
    write_next();
    if (written == 0) return;
  }
  if (const auto owner = owner_.lock()) owner->on_drain(*this, written);
}

void WebSocketServerTransport::close(TransportClose how, std::function<void()> done) {
  if (state_ == State::closed) {
    if (done) done();
    return;
  }
  on_closed_ = [first = std::move(on_closed_), then = std::move(done)] {
    if (first) first();
    if (then) then();
  };
  if (state_ == State::closing) return;
  if (how == TransportClose::abort || state_ == State::accepting) {
    end();
    return;
  }
  state_ = State::closing;
  close_deadline_.expires_after(kCloseDeadline);
  close_deadline_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error) self->end();  // the polite close took too long
  });
  // A write in flight owns the front frame's buffer; on_write finishes the close after it.
  if (!writing_) {
    drop_queued();
    close_websocket();
  }
}

void WebSocketServerTransport::close_websocket() {
  websocket_.async_close(websocket::close_code::normal,
                         [self = shared_from_this()](beast::error_code) { self->end(); });
}

void WebSocketServerTransport::end() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  close_deadline_.cancel();
  beast::error_code ignored;
  beast::get_lowest_layer(websocket_).socket().close(ignored);
  if (auto done = std::exchange(on_closed_, nullptr)) done();
}

}  // namespace rtcwire::server
