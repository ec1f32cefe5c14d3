#include "server.hpp"

#include <chrono>
#include <csignal>
#include <utility>
#include <vector>

#include "engineio_session.hpp"
#include "http_session.hpp"
#include "log.hpp"
#include "rtcwire/error.hpp"

namespace rtcwire::server {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Long enough for every session to send its close frame, short enough for a prompt exit.
constexpr std::chrono::seconds kShutdownDeadline{3};
// After a failed accept (typically out of file descriptors), retrying at once would spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options)
    : io_(io),
      options_(std::move(options)),
      hub_(ids_, options_.max_message_bytes),
      acceptor_(io),
      signals_(io, SIGINT, SIGTERM),
      accept_retry_(io),
      shutdown_deadline_(io) {}

error_code Server::start() {
  error_code error;
  const asio::ip::tcp::endpoint endpoint{asio::ip::make_address(options_.host, error),
                                         options_.port};
  if (error) return error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return error;

  signals_.async_wait([this](const error_code& wait_error, int signal) {
    if (!wait_error) shut_down(signal == SIGINT ? "SIGINT" : "SIGTERM");
  });
  accept_next();
  return {};
}

asio::ip::tcp::endpoint Server::local_endpoint() const {
  error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void Server::accept_next() {
  acceptor_.async_accept([this](const error_code& error, asio::ip::tcp::socket socket) {
    if (shutting_down_) return;
    if (!error) {
      std::make_shared<HttpSession>(*this, std::move(socket))->start();
      accept_next();
      return;
    }
    // Keep serving the connections that exist and try again shortly.
    log_line("accept failed: " + error.message());
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([this](const error_code& wait_error) {
      if (!wait_error && !shutting_down_) accept_next();
    });
  });
}

bool Server::has_sid(std::string_view sid) const {
  return connection_by_sid_.contains(std::string(sid));
}

void Server::open_session(boost::beast::tcp_stream stream,
                          boost::beast::http::request<boost::beast::http::string_body> upgrade,
                          std::string remote) {
  if (shutting_down_) return;
  std::make_shared<EngineioSession>(*this, std::move(stream), ids_.session_id(), std::move(remote))
      ->start(std::move(upgrade));
}

std::optional<ConnectionId> Server::on_session_open(
    const std::shared_ptr<EngineioSession>& session) {
  if (shutting_down_) return std::nullopt;
  const ConnectionId connection = hub_.connect();
  sessions_.emplace(connection, session);
  connection_by_sid_.emplace(session->sid(), connection);
  log_line("connect " + describe(connection));
  return connection;
}

void Server::on_message(ConnectionId connection, std::string_view text) {
  const bool welcomed = !hub_.peer_id(connection).empty();
  const HubOutput output = hub_.receive_text(connection, text);
  if (!welcomed && !hub_.peer_id(connection).empty()) log_line("hello " + describe(connection));
  dispatch(output, connection);
}

void Server::on_binary_message(ConnectionId connection) {
  dispatch(hub_.receive_binary(connection), connection);
}

void Server::on_session_closed(ConnectionId connection, std::string_view reason) {
  const auto found = sessions_.find(connection);
  if (found == sessions_.end()) return;
  log_line("disconnect " + describe(connection) + " reason=\"" + std::string(reason) + "\"");
  connection_by_sid_.erase(found->second->sid());
  sessions_.erase(found);
  ++sessions_closing_;
  dispatch(hub_.disconnect(connection), connection);
}

void Server::on_session_ended() {
  --sessions_closing_;
  stop_when_idle();
}

void Server::dispatch(const HubOutput& output, ConnectionId from) {
  if (output.rejection) {
    log_line("error " + describe(from) + " code=" + std::string(to_string(output.rejection->code)) +
             " message=\"" + output.rejection->message + "\"");
  }
  for (const Delivery& delivery : output.deliveries) {
    const auto found = sessions_.find(delivery.to);
    if (found == sessions_.end()) continue;
    // A copy: a send can close the session, which removes it from sessions_.
    const std::shared_ptr<EngineioSession> session = found->second;
    session->send_message(delivery.text);
  }
}

void Server::shut_down(std::string_view why) {
  if (shutting_down_) return;
  shutting_down_ = true;
  log_line(std::string(why) + ": closing " + std::to_string(sessions_.size()) + " session(s)");
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  std::vector<std::shared_ptr<EngineioSession>> open;
  for (const auto& [connection, session] : sessions_) open.push_back(session);
  for (const auto& session : open) session->close("server shutting down");
  shutdown_deadline_.expires_after(kShutdownDeadline);
  shutdown_deadline_.async_wait([this](const error_code& error) {
    if (!error) io_.stop();
  });
  stop_when_idle();
}

void Server::stop_when_idle() {
  // Idle HTTP keep-alive connections hold nothing worth waiting for.
  if (shutting_down_ && sessions_.empty() && sessions_closing_ == 0) io_.stop();
}

std::string Server::describe(ConnectionId connection) const {
  std::string text;
  if (const auto found = sessions_.find(connection); found != sessions_.end()) {
    text = "sid=" + found->second->sid() + " remote=" + found->second->remote();
  }
  const std::string_view peer = hub_.peer_id(connection);
  if (!peer.empty()) text += " peer=" + std::string(peer);
  const std::string_view room = hub_.room_of(connection);
  if (!room.empty()) text += " room=" + std::string(room);
  return text;
}

}  // namespace rtcwire::server
