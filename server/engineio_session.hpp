// One Engine.IO v4 session over a websocket: the open packet, the server-driven heartbeat
// (ping every pingInterval, pong due within pingTimeout), packet framing, and a bounded send queue.
// Envelopes inside message packets go to the Server, which owns the signalling logic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "send_queue.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server {

class Server;

class EngineioSession : public std::enable_shared_from_this<EngineioSession> {
 public:
  EngineioSession(Server& server, boost::beast::tcp_stream stream, std::string sid,
                  std::string remote);

  // Completes the websocket handshake for `upgrade` and sends the open packet.
  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  // Queues one Engine.IO message packet carrying `text`.
  void send_message(std::string_view text);
  // Closes the websocket politely (close frame), as the stock server does.
  void close(std::string_view reason);

  const std::string& sid() const { return sid_; }
  const std::string& remote() const { return remote_; }

 private:
  enum class State { handshaking, open, closing, closed };
  enum class Heartbeat { waiting_to_ping, awaiting_pong };
  enum class Closing { graceful, abortive };

  void on_accept(boost::beast::error_code error);
  void read_next();
  void on_read(boost::beast::error_code error);
  void on_text_frame(std::string_view frame);
  void send_packet(std::string frame);

  void write_next();
  void on_write(boost::beast::error_code error);

  void arm_ping();
  void arm_pong_deadline();
  void on_heartbeat_timer(std::uint64_t generation);

  // Leaves the open state once: the server is told, then the websocket is closed.
  void finish(std::string_view reason, Closing how);
  void close_websocket();
  void end();

  Server& server_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> websocket_;
  std::string sid_;
  std::string remote_;
  ConnectionId connection_ = 0;
  State state_ = State::handshaking;

  boost::beast::flat_buffer read_buffer_;
  SendQueue send_queue_;
  bool writing_ = false;

  // One timer serves the heartbeat and then the close deadline; the generation tells a stale
  // completion (one that was already queued when the timer was re-armed) from a live one.
  boost::asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  Heartbeat heartbeat_ = Heartbeat::waiting_to_ping;
  bool pong_deadline_refreshed_ = false;
};

}  // namespace rtcwire::server
