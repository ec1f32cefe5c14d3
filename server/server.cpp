#include "server.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <utility>
#include <vector>

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "engineio_session.hpp"
#include "http_session.hpp"
#include "log.hpp"
#include "polling_transport.hpp"
#include "rtcwire/error.hpp"
#include "sse_stream.hpp"
#include "url_decoding.hpp"
#include "websocket_transport.hpp"

namespace rtcwire::server {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

// After the drain: long enough for every session to send its close frame, short enough for a
// prompt exit.
constexpr std::chrono::seconds kShutdownDeadline{3};
// After a failed accept (typically out of file descriptors), retrying at once would spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::string_view kTooManySessions = "Too many sessions";

RequestMethod method_of(const Server::Request& request) {
  switch (request.method()) {
    case http::verb::get:
      return RequestMethod::get;
    case http::verb::post:
      return RequestMethod::post;
    default:
      return RequestMethod::other;
  }
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options)
    : io_(io),
      options_(std::move(options)),
      hub_(ids_, HubSettings{options_.max_message_bytes, options_.resume_window,
                             options_.resume_buffer_bytes, options_.max_sessions_per_ip}),
      acceptor_(io),
      signals_(io, SIGINT, SIGTERM),
      accept_retry_(io),
      hub_timer_(io),
      drain_deadline_(io),
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

std::shared_ptr<EngineioSession> Server::find(std::string_view sid) const {
  const auto connection = connection_by_sid_.find(std::string(sid));
  if (connection == connection_by_sid_.end()) return nullptr;
  return sessions_.at(connection->second).session;
}

void Server::on_engineio_request(const std::shared_ptr<HttpSession>& http, Request request) {
  const auto routed = route_engineio_request(
      {method_of(request), boost::beast::websocket::is_upgrade(request),
       split_target(request.target()).query},
      options_.transports, [this](std::string_view sid) -> std::optional<SessionView> {
        const auto session = find(sid);
        if (!session) return std::nullopt;
        return SessionView{session->transport_kind(), session->upgrading()};
      });
  if (const auto* error = std::get_if<HandshakeError>(&routed)) {
    refuse(*http, *error, static_cast<http::status>(http_status_of(*error)));
    return;
  }
  const EngineioRoute& route = std::get<EngineioRoute>(routed);
  switch (route.action) {
    case EngineioAction::open: {
      if (shutting_down_) {
        http->abort();
        return;
      }
      if (at_session_limit(http->remote_ip())) {
        // The code the stock server uses when its allowRequest hook refuses, with 503: the
        // condition is temporary.
        refuse(*http, HandshakeError::forbidden, http::status::service_unavailable,
               kTooManySessions);
        return;
      }
      switch (route.transport) {
        case TransportKind::websocket:
          open_websocket_session(*http, std::move(request));
          return;
        case TransportKind::polling:
          open_session(std::make_shared<PollingTransport>(), http->remote(), http->remote_ip(),
                       http);
          return;
        case TransportKind::sse: {
          std::string remote = http->remote();
          std::string ip = http->remote_ip();
          auto stream = std::make_shared<SseStream>(http->take_stream(), request.version(),
                                                    options_.sse_heartbeat_interval, options_.echo);
          open_session(std::move(stream), std::move(remote), std::move(ip), nullptr);
          return;
        }
      }
      return;
    }
    case EngineioAction::upgrade:
    case EngineioAction::refuse_upgrade:
      accept_probe(*http, std::move(request), route.sid,
                   route.action == EngineioAction::refuse_upgrade);
      return;
    case EngineioAction::poll:
      find(route.sid)->on_poll(http);
      return;
    case EngineioAction::post: {
      const bool binary = request[http::field::content_type] == "application/octet-stream";
      find(route.sid)->on_post(http, request.body(), binary);
      return;
    }
    case EngineioAction::unsupported:
      http->reply(http::status::internal_server_error, "", "");
      return;
  }
}

bool Server::at_session_limit(const std::string& ip) const {
  // Open connections only: whether one is a resume is not known before its hello, and a resume
  // must get through. Sessions kept for a resume are counted by the hub when a hello would start
  // a new one.
  const auto open = sessions_per_ip_.find(ip);
  return open != sessions_per_ip_.end() && open->second >= options_.max_sessions_per_ip;
}

void Server::refuse(HttpSession& http, HandshakeError error, http::status status,
                    std::string_view message) {
  const std::string_view text = message.empty() ? message_of(error) : message;
  log_line("engine.io handshake refused remote=" + http.remote() +
           " code=" + std::to_string(static_cast<int>(error)) + " (" + std::string(text) + ")");
  http.reply(status, "application/json", json_body_of(error, message));
}

void Server::open_session(std::shared_ptr<Transport> transport, std::string remote, std::string ip,
                          const std::shared_ptr<HttpSession>& poll) {
  const ConnectionId connection = hub_.connect(ip);
  const TransportKind kind = transport->kind();
  auto session = std::make_shared<EngineioSession>(*this, connection, ids_.session_id(),
                                                   std::move(remote), std::move(transport));
  connection_by_sid_.emplace(session->sid(), connection);
  ++sessions_per_ip_[ip];
  sessions_.emplace(connection, Entry{session, std::move(ip)});
  log_line("connect " + describe(connection) + " transport=" + std::string(to_string(kind)));
  session->start();
  // The handshake GET of a polling session is its first poll: it carries the open packet.
  if (poll) session->on_poll(poll);
}

void Server::open_websocket_session(HttpSession& http, Request request) {
  auto transport = std::make_shared<WebsocketTransport>(http.take_stream(), options_.max_payload);
  transport->accept(std::move(request),
                    [this, transport, remote = http.remote(),
                     ip = http.remote_ip()](boost::beast::error_code error) mutable {
                      if (error) return;  // no session existed yet: nothing to tell anyone
                      if (shutting_down_) {
                        transport->close(TransportClose::server, nullptr);
                        return;
                      }
                      open_session(std::move(transport), std::move(remote), std::move(ip), nullptr);
                    });
}

void Server::accept_probe(HttpSession& http, Request request, std::string sid, bool refuse) {
  auto probe = std::make_shared<WebsocketTransport>(http.take_stream(), options_.max_payload);
  probe->accept(std::move(request),
                [this, probe, refuse, sid = std::move(sid)](boost::beast::error_code error) {
                  if (error) return;
                  const auto session = refuse || shutting_down_ ? nullptr : find(sid);
                  if (!session) {
                    probe->close(TransportClose::server, nullptr);
                    return;
                  }
                  session->begin_upgrade(probe);
                });
}

void Server::on_message(ConnectionId connection, engineio::Packet packet) {
  if (options_.echo) {
    if (const auto found = sessions_.find(connection); found != sessions_.end()) {
      found->second.session->send(std::move(packet));
    }
    return;
  }
  if (packet.binary) {
    const HubOutput output = hub_.receive_binary(connection);
    log_rejection(connection, output);
    dispatch(output);
    return;
  }
  const HubOutput output = hub_.receive_text(connection, packet.data, now());
  if (const auto& greeting = output.greeting) {
    std::string line = "hello " + describe(connection);
    if (greeting->resumed) line += " resumed";
    if (greeting->resume_error) {
      line += " resume_error=" + std::string(to_string(*greeting->resume_error));
    }
    log_line(line);
  }
  log_rejection(connection, output);
  dispatch(output);
}

void Server::on_session_upgraded(ConnectionId connection) {
  log_line("upgrade " + describe(connection) + " transport=websocket");
}

void Server::on_upgrade_abandoned(ConnectionId connection, std::string_view reason) {
  log_line("upgrade abandoned " + describe(connection) + " reason=\"" + std::string(reason) + "\"");
}

void Server::on_session_closed(ConnectionId connection, std::string_view reason, bool client_left) {
  const auto found = sessions_.find(connection);
  if (found == sessions_.end()) return;
  log_line("disconnect " + describe(connection) + " reason=\"" + std::string(reason) + "\"");
  connection_by_sid_.erase(found->second.session->sid());
  if (const auto count = sessions_per_ip_.find(found->second.ip); --count->second == 0) {
    sessions_per_ip_.erase(count);
  }
  sessions_.erase(found);
  ++sessions_closing_;
  if (client_left) {
    dispatch(hub_.depart(connection));
  } else {
    hub_.disconnect(connection, now());
  }
  arm_hub_timer();
}

void Server::on_session_ended() {
  --sessions_closing_;
  stop_when_idle();
}

void Server::log_rejection(ConnectionId from, const HubOutput& output) const {
  if (output.rejection) {
    log_line("error " + describe(from) + " code=" + std::string(to_string(output.rejection->code)) +
             " message=\"" + output.rejection->message + "\"");
  }
}

void Server::dispatch(const HubOutput& output) {
  for (const Delivery& delivery : output.deliveries) {
    const auto found = sessions_.find(delivery.to);
    if (found == sessions_.end()) continue;
    // A copy: a send can close the session, which removes it from sessions_.
    const std::shared_ptr<EngineioSession> session = found->second.session;
    session->send(engineio::Packet{engineio::PacketType::message, delivery.text, false});
  }
  // After the deliveries, so an error explaining the close reaches the client first.
  for (const ConnectionClose& close : output.closes) {
    const auto found = sessions_.find(close.connection);
    if (found == sessions_.end()) continue;
    const std::shared_ptr<EngineioSession> session = found->second.session;
    session->close_when_flushed(close.reason);
  }
  for (const SessionEnd& end : output.ended) {
    log_line("session ended peer=" + end.peer +
             (end.why ? " code=" + std::string(to_string(*end.why)) : " reason=\"client left\""));
  }
  arm_hub_timer();
}

Millis Server::now() {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch());
}

void Server::arm_hub_timer() {
  const std::optional<Millis> deadline = hub_.poll_timeout();
  if (deadline == hub_timer_deadline_) return;
  hub_timer_deadline_ = deadline;
  if (!deadline) {
    hub_timer_.cancel();
    return;
  }
  // now() truncates to whole milliseconds, so when this fires now() has reached the deadline.
  hub_timer_.expires_at(std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(*deadline)));
  hub_timer_.async_wait([this](const error_code& error) {
    if (error) return;  // re-armed or cancelled
    hub_timer_deadline_.reset();
    dispatch(hub_.handle_timeout(now()));
  });
}

void Server::shut_down(std::string_view why) {
  if (shutting_down_) return;
  shutting_down_ = true;
  log_line(std::string(why) + ": draining " + std::to_string(sessions_.size()) + " session(s)");
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  // Goaway joins each client's send queue behind what is already there, so it arrives last.
  dispatch(hub_.go_away(static_cast<std::uint64_t>(options_.goaway_spread.count())));
  // A polling client's close packet may never get through (it can sit behind a POST in flight, or
  // die with a reused connection), so a polling session is not waited for: goaway means a new
  // session on the next server, and nothing more is owed once it is written. Websocket and SSE
  // clients close at once, and their sessions keep relaying until they do.
  std::vector<std::shared_ptr<EngineioSession>> polling;
  for (const auto& [connection, entry] : sessions_) {
    if (entry.session->transport_kind() == TransportKind::polling) polling.push_back(entry.session);
  }
  for (const auto& session : polling) session->close_when_flushed("server shutting down");
  drain_deadline_.expires_after(options_.drain_timeout);
  drain_deadline_.async_wait([this](const error_code& error) {
    if (!error) close_remaining_sessions();
  });
  stop_when_idle();
}

void Server::close_remaining_sessions() {
  log_line("drain timeout: closing " + std::to_string(sessions_.size()) + " session(s)");
  std::vector<std::shared_ptr<EngineioSession>> open;
  for (const auto& [connection, entry] : sessions_) open.push_back(entry.session);
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
    text = "sid=" + found->second.session->sid() + " remote=" + found->second.session->remote();
  }
  const std::string_view peer = hub_.peer_id(connection);
  if (!peer.empty()) text += " peer=" + std::string(peer);
  const std::string_view room = hub_.room_of(connection);
  if (!room.empty()) text += " room=" + std::string(room);
  return text;
}

}  // namespace rtcwire::server
