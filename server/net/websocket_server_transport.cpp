#include "websocket_server_transport.hpp"

#include <chrono>
#include <utility>
#include <variant>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

#include "websocket_frame.hpp"
#include "websocket_handshake.hpp"

namespace rtcwire::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// How long a polite websocket close may take before the socket is simply closed.
constexpr std::chrono::seconds kCloseDeadline{2};
// Plain connections read into one buffer of this size, shared: the server runs on one thread and
// every read is handled before the next one starts.
constexpr std::size_t kSharedReadBytes = 64 * 1024;
constexpr std::size_t kTlsReadBytes = 4 * 1024;
// Pongs waiting past this many bytes (a client that pings and does not read) stop the reading
// until they are written: the client's pings cannot grow the server's memory. (The session's own
// sends are held back by writable().)
constexpr std::size_t kMaxQueuedPongBytes = 4 * 1024;

char* shared_read_buffer() {
  static thread_local char buffer[kSharedReadBytes];
  return buffer;
}

void release_string(std::string& text) { std::string().swap(text); }

}  // namespace

WebSocketServerTransport::WebSocketServerTransport(ServerStream stream, std::size_t max_payload)
    : stream_(std::move(stream)), reader_(max_payload), close_deadline_(stream_.get_executor()) {}

void WebSocketServerTransport::accept(const beast::http::request<beast::http::string_body>& upgrade,
                                      std::function<void(bool)> done) {
  stream_.keep_alive_with(shared_from_this());
  // The HTTP read deadline must not carry over: the Engine.IO heartbeat watches the websocket.
  stream_.next_layer().expires_never();
  if (!stream_.next_layer().tls()) {
    // Reads wait for the socket to be readable, then take what is there without blocking.
    beast::error_code ignored;
    stream_.next_layer().socket().non_blocking(true, ignored);
  }
  WebSocketHandshakeAnswer answer = answer_websocket_upgrade(upgrade);
  accepted_ = answer.accepted;
  on_accepted_ = std::move(done);
  queued_ = std::move(answer.response);
  write_next();
}

void WebSocketServerTransport::attach(std::weak_ptr<ServerTransportOwner> owner) {
  owner_ = std::move(owner);
  read_next();
}

void WebSocketServerTransport::read_next() {
  if (reading_ || client_done_ || (state_ != State::open && state_ != State::closing)) return;
  if (owner_.expired() && state_ == State::open) return;  // nothing is read before attach()
  if (queued_pong_bytes_ > kMaxQueuedPongBytes) {
    read_paused_ = true;
    return;
  }
  reading_ = true;
  if (stream_.next_layer().tls()) {
    if (!tls_input_) tls_input_ = std::make_unique<char[]>(kTlsReadBytes);
    stream_.async_read_some(
        asio::buffer(tls_input_.get(), kTlsReadBytes),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
          self->on_tls_read(error, bytes);
        });
  } else {
    stream_.async_wait_readable(
        [self = shared_from_this()](beast::error_code error) { self->on_readable(error); });
  }
}

void WebSocketServerTransport::on_readable(beast::error_code error) {
  reading_ = false;
  if (state_ == State::closed) return;
  if (error) {
    on_read_error(error);
    return;
  }
  char* const input = shared_read_buffer();
  const std::size_t size =
      stream_.next_layer().socket().read_some(asio::buffer(input, kSharedReadBytes), error);
  if (error == asio::error::would_block || error == asio::error::try_again) {
    read_next();
    return;
  }
  if (error) {
    on_read_error(error);
    return;
  }
  on_input(input, size);
}

void WebSocketServerTransport::on_tls_read(beast::error_code error, std::size_t bytes) {
  reading_ = false;
  if (state_ == State::closed) return;
  if (error) {
    on_read_error(error);
    return;
  }
  on_input(tls_input_.get(), bytes);
}

void WebSocketServerTransport::on_input(char* bytes, std::size_t size) {
  reader_.feed(bytes, size);
  handling_input_ = true;
  // Every event is taken, whatever the state: the reader must not keep pointing into `bytes`.
  for (;;) {
    WebSocketEvent event = reader_.next();
    if (std::holds_alternative<WebSocketNeedMore>(event)) break;
    if (const auto* message = std::get_if<WebSocketMessage>(&event)) {
      if (state_ != State::open) continue;  // after our close frame, data is ignored
      auto packet =
          message->binary
              ? base::Result<engineio::Packet>(engineio::decode_binary_frame(message->payload))
              : engineio::decode_text_frame(message->payload);
      if (const auto owner = owner_.lock()) {
        if (packet) {
          owner->on_packet(*this, std::move(packet.value()));
        } else {
          owner->on_transport_error(*this, "parse error");
        }
      }
    } else if (const auto* ping = std::get_if<WebSocketPing>(&event)) {
      if (state_ == State::open) {
        queue_frame(WebSocketOpcode::pong, ping->payload);
        queued_pong_bytes_ += ping->payload.size() + 2;
      }
    } else if (const auto* close = std::get_if<WebSocketClientClose>(&event)) {
      const bool has_code =
          close->code != static_cast<std::uint16_t>(WebSocketCloseCode::no_status);
      on_client_done(has_code ? close->code : 0, "client closed the websocket");
    } else if (const auto* failure = std::get_if<WebSocketFailure>(&event)) {
      const std::string reason = failure->code == WebSocketCloseCode::message_too_big
                                     ? std::string("message over maxPayload")
                                     : "websocket protocol error: " + std::string(failure->reason);
      on_client_done(static_cast<std::uint16_t>(failure->code), reason);
    }
  }
  handling_input_ = false;
  if (!writing_ && !queued_.empty() && state_ != State::closed) write_next();
  read_next();
}

void WebSocketServerTransport::on_read_error(const beast::error_code& error) {
  const bool was_open = state_ == State::open;
  end();
  // The connection is already gone or failed: there is nobody to say goodbye to.
  if (!was_open) return;
  if (const auto owner = owner_.lock()) {
    owner->on_transport_lost(*this, "transport error: " + error.message());
  }
}

void WebSocketServerTransport::on_client_done(std::uint16_t code, std::string_view reason) {
  client_done_ = true;
  if (state_ == State::closing) {
    teardown_when_done();  // it answered our close frame, or broke the protocol meanwhile
    return;
  }
  if (state_ != State::open) return;
  start_close(code);
  if (const auto owner = owner_.lock()) owner->on_transport_lost(*this, reason);
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
  if (!writing_ && !handling_input_) write_next();
}

void WebSocketServerTransport::queue_frame(WebSocketOpcode opcode, std::string_view payload) {
  append_frame_header(queued_, opcode, payload.size());
  queued_.append(payload);
}

void WebSocketServerTransport::write_next() {
  writing_ = true;
  writing_close_ = close_queued_;
  writing_bytes_ = std::exchange(queued_bytes_, 0);
  queued_pong_bytes_ = 0;
  // The stream copies the frames at the call, so queued_ is free at once.
  stream_.async_write(queued_, [self = shared_from_this()](beast::error_code error, std::size_t) {
    self->on_write(error);
  });
  // Nothing is kept for the next batch: an idle connection holds no write buffer.
  release_string(queued_);
}

void WebSocketServerTransport::on_write(beast::error_code error) {
  writing_ = false;
  if (state_ == State::closed) return;
  if (writing_close_) close_written_ = true;
  if (error) {
    on_read_error(error);
    return;
  }
  if (state_ == State::accepting) {
    if (accepted_) {
      state_ = State::open;
    } else {
      // The refusal is written: close the connection the websocket way, with no frames.
      state_ = State::closing;
      client_done_ = close_written_ = true;
      close_deadline_.expires_after(kCloseDeadline);
      close_deadline_.async_wait([self = shared_from_this()](beast::error_code wait_error) {
        if (!wait_error) self->end();
      });
      teardown_when_done();
    }
    if (auto done = std::exchange(on_accepted_, nullptr)) done(accepted_);
    read_next();
    return;
  }
  const std::size_t written = std::exchange(writing_bytes_, 0);
  if (!queued_.empty()) write_next();
  if (read_paused_ && queued_pong_bytes_ <= kMaxQueuedPongBytes) {
    read_paused_ = false;
    read_next();
  }
  if (state_ == State::closing) {
    teardown_when_done();
    return;
  }
  if (writing_ && written == 0) return;
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
  start_close(static_cast<std::uint16_t>(WebSocketCloseCode::normal));
}

void WebSocketServerTransport::start_close(std::uint16_t code) {
  state_ = State::closing;
  close_deadline_.expires_after(kCloseDeadline);
  close_deadline_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error) self->end();  // the polite close took too long
  });
  // What is queued goes out first; the close frame is the last frame sent.
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  queue_frame(WebSocketOpcode::close, std::string_view(payload, code == 0 ? 0 : 2));
  close_queued_ = true;
  if (!writing_) write_next();
}

void WebSocketServerTransport::teardown_when_done() {
  if (tearing_down_ || !close_written_ || !client_done_ || state_ != State::closing) return;
  tearing_down_ = true;
  stream_.async_teardown([self = shared_from_this()](beast::error_code) { self->end(); });
}

void WebSocketServerTransport::end() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  close_deadline_.cancel();
  beast::error_code ignored;
  stream_.next_layer().socket().close(ignored);
  release_string(queued_);
  if (auto accepted = std::exchange(on_accepted_, nullptr)) accepted(false);
  if (auto done = std::exchange(on_closed_, nullptr)) done();
}

}  // namespace rtcwire::server
