// rtcwire-server: accepts connections, owns the signalling hub, routes hub deliveries to the
// Engine.IO sessions, and shuts down on SIGINT/SIGTERM. Single-threaded: everything runs on one
// io_context thread, so nothing here needs a lock.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "id_source.hpp"
#include "server_options.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server {

class EngineioSession;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts accepting and watching for signals.
  boost::system::error_code start();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // ---- for HTTP sessions ----
  const ServerOptions& options() const { return options_; }
  std::size_t session_count() const { return sessions_.size(); }
  bool has_sid(std::string_view sid) const;
  // Takes over a connection whose upgrade request passed the Engine.IO handshake checks.
  void open_session(boost::beast::tcp_stream stream,
                    boost::beast::http::request<boost::beast::http::string_body> upgrade,
                    std::string remote);

  // ---- for Engine.IO sessions ----
  // The websocket handshake completed; nullopt when the server is shutting down.
  std::optional<ConnectionId> on_session_open(const std::shared_ptr<EngineioSession>& session);
  void on_message(ConnectionId connection, std::string_view text);
  void on_binary_message(ConnectionId connection);
  // The session stopped taking messages; it may still be closing its websocket.
  void on_session_closed(ConnectionId connection, std::string_view reason);
  // The session's socket is gone: nothing of it is left on the io_context.
  void on_session_ended();

 private:
  void accept_next();
  void shut_down(std::string_view why);
  void stop_when_idle();
  void dispatch(const HubOutput& output, ConnectionId from);
  std::string describe(ConnectionId connection) const;  // "sid=... peer=... remote=..." for logs

  boost::asio::io_context& io_;
  ServerOptions options_;
  RandomIdSource ids_;
  SignallingHub hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer shutdown_deadline_;
  bool shutting_down_ = false;
  std::size_t sessions_closing_ = 0;
  std::unordered_map<ConnectionId, std::shared_ptr<EngineioSession>> sessions_;
  std::unordered_map<std::string, ConnectionId> connection_by_sid_;
};

}  // namespace rtcwire::server
