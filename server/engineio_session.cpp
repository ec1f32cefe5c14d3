#include "engineio_session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "rtcwire/engineio_packet.hpp"
#include "server.hpp"

namespace rtcwire::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using engineio::PacketType;

// Enough for bursts of room traffic to a slow reader; a reader this far behind is not coming back.
constexpr std::size_t kMinSendQueueBytes = 4 * 1024 * 1024;
// How long a polite websocket close may take before the socket is simply closed.
constexpr std::chrono::seconds kCloseDeadline{2};
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::size_t kRetainedReadBufferBytes = 64 * 1024;

std::size_t send_queue_cap(const ServerOptions& options) {
  return std::max(kMinSendQueueBytes, 4 * options.max_message_bytes);
}

std::string read_error_reason(const beast::error_code& error) {
  if (error == websocket::error::closed) return "client closed the websocket";
  if (error == websocket::error::message_too_big) return "message over maxPayload";
  if (error == beast::error::timeout) return "websocket timeout";
  return "transport error: " + error.message();
}

}  // namespace

EngineioSession::EngineioSession(Server& server, beast::tcp_stream stream, std::string sid,
                                 std::string remote)
    : server_(server),
      websocket_(std::move(stream)),
      sid_(std::move(sid)),
      remote_(std::move(remote)),
      send_queue_(send_queue_cap(server.options())),
      timer_(websocket_.get_executor()) {}

void EngineioSession::start(beast::http::request<beast::http::string_body> upgrade) {
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
  websocket_.read_message_max(server_.options().max_payload);
  websocket_.async_accept(
      upgrade, [self = shared_from_this()](beast::error_code error) { self->on_accept(error); });
}

void EngineioSession::on_accept(beast::error_code error) {
  if (error) {
    state_ = State::closed;
    return;  // no session existed yet: nothing to tell anyone
  }
  const auto connection = server_.on_session_open(shared_from_this());
  if (!connection) {
    finish("server shutting down", Closing::graceful);
    return;
  }
  connection_ = *connection;
  state_ = State::open;
  const ServerOptions& options = server_.options();
  engineio::OpenInfo open{sid_,
                          {},
                          options.ping_interval.count(),
                          options.ping_timeout.count(),
                          static_cast<int64_t>(options.max_payload)};
  send_packet(engineio::encode_text_frame({PacketType::open, engineio::encode_open_info(open)}));
  read_next();
  arm_ping();
}

void EngineioSession::read_next() {
  websocket_.async_read(
      read_buffer_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
}

void EngineioSession::on_read(beast::error_code error) {
  if (state_ != State::open) return;
  if (error) {
    // The websocket is already gone or failed: there is nobody to say goodbye to.
    finish(read_error_reason(error), Closing::abortive);
    return;
  }
  if (websocket_.got_binary()) {
    server_.on_binary_message(connection_);
  } else {
    on_text_frame(beast::buffers_to_string(read_buffer_.data()));
  }
  read_buffer_.consume(read_buffer_.size());
  // One large message must not pin maxPayload bytes to an otherwise idle connection.
  if (read_buffer_.capacity() > kRetainedReadBufferBytes) read_buffer_.shrink_to_fit();
  if (state_ == State::open) read_next();
}

void EngineioSession::on_text_frame(std::string_view frame) {
  auto packet = engineio::decode_text_frame(frame);
  if (!packet) {
    finish("parse error", Closing::graceful);
    return;
  }
  const PacketType type = packet.value().type;
  // As the stock server: traffic from a busy client proves it alive, so a pong stuck behind its
  // messages gets one more pingTimeout.
  if (heartbeat_ == Heartbeat::awaiting_pong && type != PacketType::pong &&
      !pong_deadline_refreshed_) {
    pong_deadline_refreshed_ = true;
    arm_pong_deadline();
  }
  switch (type) {
    case PacketType::message:
      server_.on_message(connection_, packet.value().data);
      break;
    case PacketType::pong:
      arm_ping();
      break;
    case PacketType::close:
      finish("client close", Closing::graceful);
      break;
    case PacketType::ping:  // v4 pings go from server to client only
      finish("invalid heartbeat direction", Closing::graceful);
      break;
    case PacketType::open:
      finish("parse error", Closing::graceful);
      break;
    case PacketType::upgrade:  // belong to a transport upgrade; the stock server ignores them too
    case PacketType::noop:
      break;
  }
}

void EngineioSession::send_message(std::string_view text) {
  send_packet(engineio::encode_text_frame({PacketType::message, std::string(text)}));
}

void EngineioSession::send_packet(std::string frame) {
  if (state_ != State::open) return;
  if (!send_queue_.push(std::move(frame))) {
    finish(
        "send queue over " + std::to_string(send_queue_.byte_cap()) + " bytes: client not reading",
        Closing::abortive);
    return;
  }
  if (!writing_) write_next();
}

void EngineioSession::write_next() {
  writing_ = true;
  websocket_.text(true);
  websocket_.async_write(
      boost::asio::buffer(send_queue_.front()),
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_write(error); });
}

void EngineioSession::on_write(beast::error_code error) {
  writing_ = false;
  if (state_ == State::closing) {
    send_queue_.clear();
    close_websocket();
    return;
  }
  if (state_ != State::open) return;
  send_queue_.pop();
  if (error) {
    finish("transport error: " + error.message(), Closing::abortive);
  } else if (!send_queue_.empty()) {
    write_next();
  }
}

void EngineioSession::close(std::string_view reason) { finish(reason, Closing::graceful); }

void EngineioSession::arm_ping() {
  heartbeat_ = Heartbeat::waiting_to_ping;
  timer_.expires_after(server_.options().ping_interval);
  timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](
                        beast::error_code) { self->on_heartbeat_timer(generation); });
}

void EngineioSession::arm_pong_deadline() {
  heartbeat_ = Heartbeat::awaiting_pong;
  timer_.expires_after(server_.options().ping_timeout);
  timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](
                        beast::error_code) { self->on_heartbeat_timer(generation); });
}

void EngineioSession::on_heartbeat_timer(std::uint64_t generation) {
  if (generation != timer_generation_) return;
  if (state_ == State::closing) {
    end();  // the polite close took too long
    return;
  }
  if (state_ != State::open) return;
  if (heartbeat_ == Heartbeat::awaiting_pong) {
    finish("ping timeout", Closing::graceful);
    return;
  }
  pong_deadline_refreshed_ = false;
  arm_pong_deadline();
  send_packet(engineio::encode_text_frame({PacketType::ping, {}}));
}

void EngineioSession::finish(std::string_view reason, Closing how) {
  if (state_ == State::closing || state_ == State::closed) return;
  const bool was_open = state_ == State::open;
  state_ = State::closing;
  if (was_open) server_.on_session_closed(connection_, reason);
  if (how == Closing::abortive) {
    end();
    return;
  }
  timer_.expires_after(kCloseDeadline);
  timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](
                        beast::error_code) { self->on_heartbeat_timer(generation); });
  // A write in flight owns the front frame's buffer; on_write finishes the close after it.
  if (!writing_) {
    send_queue_.clear();
    close_websocket();
  }
}

void EngineioSession::close_websocket() {
  websocket_.async_close(websocket::close_code::normal,
                         [self = shared_from_this()](beast::error_code) { self->end(); });
}

void EngineioSession::end() {
  if (state_ == State::closed) return;
  const bool was_closing = state_ == State::closing;
  state_ = State::closed;
  ++timer_generation_;
  timer_.cancel();
  beast::error_code ignored;
  beast::get_lowest_layer(websocket_).socket().close(ignored);
  // connection_ is 0 for a session the server never registered.
  if (was_closing && connection_ != 0) server_.on_session_ended();
}

}  // namespace rtcwire::server
