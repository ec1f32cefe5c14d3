#include "websocket_server_transport.hpp"

#include <chrono>
#include <utility>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "released_capacity.hpp"

namespace rtcwire::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// How long a polite websocket close may take before the socket is simply closed.
constexpr std::chrono::seconds kCloseDeadline{2};
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::size_t kRetainedReadBufferBytes = 64 * 1024;
// Queued frames whose slots an emptied queue keeps (one Frame each); a burst's are freed.
constexpr std::size_t kRetainedFrameSlots = 16;

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
  websocket_.async_read(
      read_buffer_,
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
  const std::string message = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());
  // One large message must not pin maxPayload bytes to an otherwise idle connection.
  if (read_buffer_.capacity() > kRetainedReadBufferBytes) read_buffer_.shrink_to_fit();
  if (const auto owner = owner_.lock()) {
    if (websocket_.got_binary()) {
      owner->on_packet(*this, engineio::decode_binary_frame(message));
    } else if (auto packet = engineio::decode_text_frame(message)) {
      owner->on_packet(*this, std::move(packet.value()));
    } else {
      owner->on_transport_error(*this, "parse error");
    }
  }
  if (state_ == State::open) read_next();
}

void WebSocketServerTransport::send(std::vector<engineio::Packet> packets, std::size_t bytes) {
  if (state_ != State::open || packets.empty()) return;
  for (engineio::Packet& packet : packets) {
    Frame frame;
    frame.binary = packet.binary;
    frame.data = packet.binary ? std::move(packet.data) : engineio::encode_text_frame(packet);
    frames_.push_back(std::move(frame));
  }
  frames_.back().batch_bytes = bytes;
  if (!writing_) write_next();
}

void WebSocketServerTransport::drop_frames() {
  clear_releasing_capacity(frames_, kRetainedFrameSlots);
  next_frame_ = 0;
}

void WebSocketServerTransport::write_next() {
  writing_ = true;
  // Out of the vector, which may reallocate while the write uses the frame's bytes.
  in_flight_ = std::move(next_frame());
  // Queued frames are dropped all at once, when none is left.
  if (++next_frame_ == frames_.size()) drop_frames();
  websocket_.binary(in_flight_.binary);
  websocket_.async_write(
      boost::asio::buffer(in_flight_.data),
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_write(error); });
}

void WebSocketServerTransport::on_write(beast::error_code error) {
  writing_ = false;
  if (state_ == State::closing) {
    drop_frames();
    close_websocket();
    return;
  }
  if (state_ != State::open) return;
  const std::size_t batch_bytes = in_flight_.batch_bytes;
  in_flight_ = Frame{};
  if (error) {
    end();
    if (const auto owner = owner_.lock()) {
      owner->on_transport_lost(*this, "transport error: " + error.message());
    }
    return;
  }
  if (frames_pending()) {
    write_next();
    if (batch_bytes == 0) return;
  }
  if (const auto owner = owner_.lock()) owner->on_drain(*this, batch_bytes);
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
    drop_frames();
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
