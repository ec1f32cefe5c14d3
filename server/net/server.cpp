#include "server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "address_key.hpp"
#include "engineio_session.hpp"
#include "http_session.hpp"
#include "log.hpp"
#include "polling_server_transport.hpp"
#include "rtcwire/base/error.hpp"
#include "sse_server_transport.hpp"
#include "url_decoding.hpp"
#include "websocket_server_transport.hpp"

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
// Descriptors kept free of connections for static files, logs and the accept reserve.
constexpr std::size_t kDescriptorReserve = 64;
// Log lines of one kind per second before the rest are only counted.
constexpr std::size_t kLogLinesPerKindPerSecond = 20;
constexpr Millis kLogWindow{1000};

std::size_t connection_limit(std::size_t configured) {
  if (configured != 0) return configured;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1 << 20;
  const auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
  return descriptors > 2 * kDescriptorReserve ? descriptors - kDescriptorReserve
                                              : kDescriptorReserve;
}

int open_reserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

constexpr std::chrono::seconds kLoopLagInterval{1};
// Distinct refused origins and hosts logged; past it a flood of made-up ones costs no log volume.
constexpr std::size_t kMaxLoggedRefusals = 1000;
constexpr std::size_t kMaxLoggedValueBytes = 200;

std::shared_ptr<const TokenAuthority> load_tokens(const AccessOptions& access,
                                                  std::optional<std::string>& error) {
  Result<std::shared_ptr<const JwtVerifier>> verifier =
      local_error(ErrorCode::invalid_argument, "no key");
  if (!access.jwt_secret.empty()) {
    verifier = JwtVerifier::with_secret(access.jwt_secret);
    if (!verifier) error = "--jwt-secret: " + verifier.error().message;
  } else if (!access.jwt_public_key.empty()) {
    std::ifstream file(access.jwt_public_key, std::ios::binary);
    std::ostringstream pem;
    pem << file.rdbuf();
    if (!file) {
      error = "--jwt-public-key: cannot read " + access.jwt_public_key;
      return nullptr;
    }
    verifier = JwtVerifier::with_public_key_pem(pem.str());
    if (!verifier)
      error = "--jwt-public-key " + access.jwt_public_key + ": " + verifier.error().message;
  } else {
    return nullptr;
  }
  if (!verifier) return nullptr;
  return std::make_shared<JwtAuthority>(verifier.value());
}

std::shared_ptr<const TurnCredentials> turn_credentials(const TurnOptions& turn) {
  auto settings = turn_settings(turn);
  if (!settings) return nullptr;
  return std::make_shared<WallClockTurnCredentials>(std::move(*settings));
}

std::optional<TlsCertificates> load_tls(const AccessOptions& access,
                                        std::optional<std::string>& error) {
  if (access.tls_cert.empty()) return std::nullopt;
  TlsCertificates tls(access.tls_cert, access.tls_key);
  if (auto failure = tls.reload()) error = "TLS: " + *failure;
  return tls;
}

std::vector<std::string> allowed_origins(const ServerOptions& options) {
  // The conformance mode serves test pages from anywhere.
  if (options.echo && options.access.allowed_origins.empty()) return {"*"};
  return options.access.allowed_origins;
}

bool is_loopback(const std::string& host) {
  error_code error;
  const auto address = asio::ip::make_address(host, error);
  return !error && address.is_loopback();
}

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
      tokens_(load_tokens(options_.access, setup_error_)),
      tls_(load_tls(options_.access, setup_error_)),
      origin_policy_(allowed_origins(options_), options_.access.allowed_hosts,
                     is_loopback(options_.host)),
      hub_(ids_, HubSettings{.max_message_bytes = options_.max_message_bytes,
                             .resume_window = options_.resume_window,
                             .resume_buffer_bytes = options_.resume_buffer_bytes,
                             .max_sessions_per_owner = options_.max_sessions_per_ip,
                             .rate_limits = options_.rate_limits,
                             .max_buffered_bytes = options_.max_buffered_bytes,
                             .ack_timeout = options_.ack_timeout,
                             .auth = effective_auth_mode(options_.access),
                             .tokens = tokens_,
                             .resend_after = options_.resend_after,
                             .resend_tries = options_.resend_tries,
                             .resend_bytes_per_second = options_.resend_rate,
                             .turn = turn_credentials(options_.turn)}),
      metrics_acceptor_(io),
      metrics_accept_retry_(io),
      reload_signal_(io),
      lag_timer_(io),
      acceptor_(io),
      signals_(io, SIGINT, SIGTERM),
      accept_retry_(io),
      connections_(std::make_shared<ConnectionLimiter>(connection_limit(options_.max_connections),
                                                       options_.max_connections_per_ip)),
      reserve_fd_(open_reserve()),
      log_limiter_(kLogLinesPerKindPerSecond, kLogWindow),
      log_report_timer_(io),
      hub_timer_(io),
      drain_deadline_(io),
      shutdown_deadline_(io) {}

Server::~Server() {
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

error_code Server::start() {
  if (setup_error_) return asio::error::invalid_argument;
  error_code error;
  const asio::ip::tcp::endpoint endpoint{asio::ip::make_address(options_.host, error),
                                         options_.port};
  if (error) return error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return error;

  if (options_.access.metrics_port) {
    const asio::ip::tcp::endpoint metrics{endpoint.address(), *options_.access.metrics_port};
    metrics_acceptor_.open(metrics.protocol(), error);
    if (!error) metrics_acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) metrics_acceptor_.bind(metrics, error);
    if (!error) metrics_acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) return error;
    accept_metrics();
  }

  signals_.async_wait([this](const error_code& wait_error, int signal) {
    if (!wait_error) shut_down(signal == SIGINT ? "SIGINT" : "SIGTERM");
  });
  if (tls_) {
    reload_signal_.add(SIGHUP);
    watch_reload_signal();
  }
  measure_loop_lag();
  accept_next();
  return {};
}

std::optional<asio::ip::tcp::endpoint> Server::metrics_endpoint() const {
  if (!metrics_acceptor_.is_open()) return std::nullopt;
  error_code ignored;
  return metrics_acceptor_.local_endpoint(ignored);
}

std::shared_ptr<asio::ssl::context> Server::tls_context() const {
  return tls_ ? tls_->current() : nullptr;
}

void Server::accept_metrics() {
  metrics_acceptor_.async_accept([this](const error_code& error, TcpSocket socket) {
    if (shutting_down_) return;
    if (!error) {
      // Scrapers count toward the connection limits like everyone else.
      error_code ignored;
      const auto peer = socket.remote_endpoint(ignored);
      ConnectionSlot slot;
      if (ignored || connections_->admit(address_key(peer.address()), slot)) {
        socket.close(ignored);
      } else {
        auto http = std::make_shared<HttpSession>(*this, std::move(socket), std::move(slot));
        http->serve_metrics_only();
        http->start();
      }
    }
    if (!error) {
      accept_metrics();
      return;
    }
    // Out of descriptors, say: try again shortly rather than spin, and never stop serving scrapes.
    log_limited("accept.failed", "metrics accept failed", {{"reason", error.message(), true}});
    metrics_accept_retry_.expires_after(kAcceptRetryDelay);
    metrics_accept_retry_.async_wait([this](const error_code& wait_error) {
      if (!wait_error && !shutting_down_) accept_metrics();
    });
  });
}

void Server::watch_reload_signal() {
  reload_signal_.async_wait([this](const error_code& error, int) {
    if (error) return;
    // New connections get the new certificate; established ones keep theirs.
    if (auto failure = tls_->reload()) {
      log_line("SIGHUP: TLS reload failed, keeping the current certificate: " + *failure);
    } else {
      log_line("SIGHUP: TLS certificate reloaded");
    }
    watch_reload_signal();
  });
}

void Server::measure_loop_lag() {
  const auto due = std::chrono::steady_clock::now() + kLoopLagInterval;
  lag_timer_.expires_at(due);
  lag_timer_.async_wait([this, due](const error_code& error) {
    if (error || shutting_down_) return;
    metrics_.loop_lag(std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - due));
    measure_loop_lag();
  });
}

void Server::note_refused_request(RefusedRequest kind, std::string_view value) {
  metrics_.refused_request(kind);
  const std::string name = kind == RefusedRequest::origin ? "origin" : "host";
  std::string shown(value.substr(0, kMaxLoggedValueBytes));
  // Header values are the client's: no control characters reach the log.
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"') c = '?';
  }
  if (logged_refusals_.size() > kMaxLoggedRefusals) return;
  if (logged_refusals_.size() == kMaxLoggedRefusals) {
    logged_refusals_.insert({});
    log_line("refused " + std::to_string(kMaxLoggedRefusals) +
             " distinct origins and hosts: further ones are counted, not logged");
    return;
  }
  if (!logged_refusals_.insert(name + " " + shown).second) return;
  log_line("refused " + name + "=\"" + shown + "\" (not allowed; logged once)");
}

std::string Server::metrics_text() const {
  Metrics::Gauges gauges;
  gauges.sessions = hub_.session_count();
  for (const auto& [connection, entry] : sessions_) {
    ++gauges.connections[static_cast<std::size_t>(entry.session->transport_kind())];
    if (entry.session->reading_paused()) ++gauges.paused_websocket_reads;
  }
  gauges.buffered_bytes = hub_.buffered_bytes();
  return metrics_.render(gauges);
}

void Server::count(const HubOutput& output) {
  for (const Delivery& delivery : output.deliveries) metrics_.message_sent(delivery.text.size());
  if (output.greeting) {
    if (output.greeting->resumed) {
      metrics_.resume("resumed");
    } else if (output.greeting->resume_error) {
      metrics_.resume(to_string(*output.greeting->resume_error));
    }
  }
  if (output.rejection) {
    switch (output.rejection->code) {
      case ErrorCode::unauthorized:
      case ErrorCode::token_expired:
      case ErrorCode::forbidden_room:
      case ErrorCode::forbidden_publish:
        metrics_.refused_token(to_string(output.rejection->code));
        break;
      case ErrorCode::too_many_sessions:
        metrics_.rate_limited("sessions_per_ip");
        break;
      default:
        break;
    }
  }
  for (const SessionEnd& end : output.ended) {
    if (end.why) metrics_.eviction(to_string(*end.why));
  }
}

asio::ip::tcp::endpoint Server::local_endpoint() const {
  error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void Server::accept_next() {
  acceptor_.async_accept([this](const error_code& error, TcpSocket socket) {
    if (shutting_down_) return;
    if (!error) {
      on_accepted(std::move(socket));
      accept_next();
      return;
    }
    const bool out_of_descriptors = error == asio::error::no_descriptors || error.value() == ENFILE;
    if (out_of_descriptors) {
      switch (shed_one_connection()) {
        case Shed::one:
          log_limited("accept.shed", "connection shed", {{"reason", error.message(), true}});
          accept_next();
          return;
        case Shed::none_waiting:
          // Accepting fails before it looks at the queue: wait for a client rather than retry.
          acceptor_.async_wait(asio::ip::tcp::acceptor::wait_read, [this](const error_code& e) {
            if (!e && !shutting_down_) accept_next();
          });
          return;
        case Shed::failed:
          break;
      }
    }
    // Keep serving the connections that exist and try again shortly.
    log_limited("accept.failed", "accept failed", {{"reason", error.message(), true}});
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([this](const error_code& wait_error) {
      if (!wait_error && !shutting_down_) accept_next();
    });
  });
}

void Server::on_accepted(TcpSocket socket) {
  error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return;  // already gone
  const auto peer = normalized(endpoint.address());
  // A trusted proxy carries many clients: each is counted once its request names it.
  const std::string key = options_.trusted_proxies.trusts(peer) ? std::string() : address_key(peer);
  ConnectionSlot slot;
  if (const auto refusal = connections_->admit(key, slot)) {
    on_connection_refused(address_text(peer), *refusal);
    // Closed at once, unread: answering would spend on the flood what the limit saves.
    socket.close(error);
    return;
  }
  std::make_shared<HttpSession>(*this, std::move(socket), std::move(slot))->start();
}

Server::Shed Server::shed_one_connection() {
  if (reserve_fd_ < 0) return Shed::failed;
  ::close(reserve_fd_);
  const int accepted = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
  const int accept_error = errno;
  if (accepted >= 0) ::close(accepted);
  reserve_fd_ = open_reserve();
  if (accepted >= 0) return Shed::one;
  return accept_error == EAGAIN || accept_error == EWOULDBLOCK ? Shed::none_waiting : Shed::failed;
}

void Server::on_connection_refused(const std::string& ip, ConnectionRefusal refusal) {
  const std::string kind = "refused." + std::string(to_string(refusal));
  log_limited(kind, "connection refused",
              {{"remote", ip}, {"code", std::string(to_string(refusal))}});
}

void Server::log_limited(std::string_view kind, std::string_view event, LogFields fields) {
  report_suppressed_logs();
  if (log_limiter_.admit(kind, now())) {
    log_event(event, fields);
    return;
  }
  arm_log_report();
}

void Server::arm_log_report() {
  if (log_report_armed_) return;
  const auto due = log_limiter_.next_report();
  if (!due) return;
  log_report_armed_ = true;
  log_report_timer_.expires_at(std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(*due)));
  log_report_timer_.async_wait([this](const error_code& error) {
    log_report_armed_ = false;
    if (error) return;
    report_suppressed_logs();
    arm_log_report();
  });
}

void Server::report_suppressed_logs() {
  for (const SuppressedLines& lines : log_limiter_.take_suppressed(now())) {
    log_event("log lines suppressed",
              {{"kind", lines.key}, {"count", std::to_string(lines.count)}});
  }
}

std::shared_ptr<EngineIoSession> Server::find(std::string_view sid, const std::string& ip) const {
  const auto connection = connection_by_sid_.find(std::string(sid));
  if (connection == connection_by_sid_.end()) return nullptr;
  const Entry& entry = sessions_.at(connection->second);
  // The sid travels in URLs and logs: from another address it names no session. A client whose
  // address changed reconnects and resumes with its token instead.
  if (entry.ip != ip) return nullptr;
  return entry.session;
}

void Server::on_engineio_request(const std::shared_ptr<HttpSession>& http, Request request) {
  const auto routed = route_engineio_request(
      {method_of(request), boost::beast::websocket::is_upgrade(request),
       split_target(request.target()).query},
      options_.transports,
      [this, ip = http->remote_ip()](std::string_view sid) -> std::optional<SessionView> {
        const auto session = find(sid, ip);
        if (!session) return std::nullopt;
        return SessionView{session->transport_kind(), session->upgrading()};
      });
  if (const auto* error = std::get_if<HandshakeError>(&routed)) {
    refuse(*http, *error, static_cast<http::status>(http_status_of(*error)));
    return;
  }
  const EngineIoRoute& route = std::get<EngineIoRoute>(routed);
  switch (route.action) {
    case EngineIoAction::open: {
      if (shutting_down_) {
        http->abort();
        return;
      }
      if (at_session_limit(http->remote_key())) {
        // The code the stock server uses when its allowRequest hook refuses, with 503: the
        // condition is temporary.
        metrics_.rate_limited("sessions_per_ip");
        refuse(*http, HandshakeError::forbidden, http::status::service_unavailable,
               kTooManySessions);
        return;
      }
      switch (route.transport) {
        case TransportKind::websocket:
          open_websocket_session(*http, std::move(request));
          return;
        case TransportKind::polling:
          open_session(std::make_shared<PollingServerTransport>(), http->remote(),
                       http->remote_ip(), http->remote_key(), http);
          return;
        case TransportKind::sse: {
          std::string remote = http->remote();
          std::string ip = http->remote_ip();
          std::string key = http->remote_key();
          auto stream = std::make_shared<SseServerTransport>(http->take_stream(), request.version(),
                                                             options_.sse_heartbeat_interval,
                                                             http->allow_origin());
          stream->hold(http->take_slot());
          open_session(std::move(stream), std::move(remote), std::move(ip), std::move(key),
                       nullptr);
          return;
        }
      }
      return;
    }
    case EngineIoAction::upgrade:
    case EngineIoAction::refuse_upgrade:
      accept_probe(*http, std::move(request), route.sid,
                   route.action == EngineIoAction::refuse_upgrade);
      return;
    case EngineIoAction::poll:
      find(route.sid, http->remote_ip())->on_poll(http);
      return;
    case EngineIoAction::post: {
      const bool binary = request[http::field::content_type] == "application/octet-stream";
      find(route.sid, http->remote_ip())->on_post(http, request.body(), binary);
      return;
    }
    case EngineIoAction::unsupported:
      http->reply(http::status::internal_server_error, "", "");
      return;
  }
}

bool Server::at_session_limit(const std::string& key) const {
  // Open connections only: whether one is a resume is not known before its hello, and a resume
  // must get through. Sessions kept for a resume are counted by the hub when a hello would start
  // a new one.
  const auto open = sessions_per_ip_.find(key);
  return open != sessions_per_ip_.end() && open->second >= options_.max_sessions_per_ip;
}

void Server::refuse(HttpSession& http, HandshakeError error, http::status status,
                    std::string_view message) {
  const std::string_view text = message.empty() ? message_of(error) : message;
  const std::string code = std::to_string(static_cast<int>(error));
  log_limited("handshake." + code, "engine.io handshake refused",
              {{"remote", http.remote()}, {"code", code}, {"message", std::string(text), true}});
  http.reply(status, "application/json", json_body_of(error, message));
}

void Server::open_session(std::shared_ptr<ServerTransport> transport, std::string remote,
                          std::string ip, std::string key,
                          const std::shared_ptr<HttpSession>& poll) {
  const ConnectionId connection = hub_.connect(key);
  const TransportKind kind = transport->kind();
  auto session = std::make_shared<EngineIoSession>(*this, connection, ids_.session_id(),
                                                   std::move(remote), std::move(transport));
  connection_by_sid_.emplace(session->sid(), connection);
  ++sessions_per_ip_[key];
  sessions_.emplace(connection, Entry{session, std::move(ip), std::move(key)});
  LogFields fields = describe(connection);
  fields.push_back({"transport", std::string(to_string(kind))});
  log_limited("connect", "connect", std::move(fields));
  session->start();
  // The handshake GET of a polling session is its first poll: it carries the open packet.
  if (poll) session->on_poll(poll);
}

void Server::open_websocket_session(HttpSession& http, Request request) {
  auto transport =
      std::make_shared<WebSocketServerTransport>(http.take_stream(), options_.max_payload);
  transport->hold(http.take_slot());
  transport->accept(request, [this, transport, remote = http.remote(), ip = http.remote_ip(),
                              key = http.remote_key()](bool accepted) mutable {
    if (!accepted) return;  // no session existed yet: nothing to tell anyone
    if (shutting_down_) {
      transport->close(TransportClose::server, nullptr);
      return;
    }
    open_session(std::move(transport), std::move(remote), std::move(ip), std::move(key), nullptr);
  });
}

void Server::accept_probe(HttpSession& http, Request request, std::string sid, bool refuse) {
  auto probe = std::make_shared<WebSocketServerTransport>(http.take_stream(), options_.max_payload);
  probe->hold(http.take_slot());
  probe->accept(request,
                [this, probe, refuse, sid = std::move(sid), ip = http.remote_ip()](bool accepted) {
                  if (!accepted) return;
                  const auto session = refuse || shutting_down_ ? nullptr : find(sid, ip);
                  if (!session) {
                    probe->close(TransportClose::server, nullptr);
                    return;
                  }
                  session->begin_upgrade(probe);
                });
}

void Server::on_message(ConnectionId connection, engineio::Packet packet) {
  metrics_.message_received(packet.data.size());
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
    LogFields fields = describe(connection);
    if (greeting->resumed) fields.push_back({"resumed", "true"});
    if (greeting->resume_error) {
      fields.push_back({"resume_error", std::string(to_string(*greeting->resume_error))});
    }
    log_limited("hello", "hello", std::move(fields));
  }
  log_rejection(connection, output);
  dispatch(output);
}

void Server::on_session_upgraded(ConnectionId connection) {
  LogFields fields = describe(connection);
  fields.push_back({"transport", "websocket"});
  log_limited("upgrade", "upgrade", std::move(fields));
}

void Server::on_upgrade_abandoned(ConnectionId connection, std::string_view reason) {
  LogFields fields = describe(connection);
  fields.push_back({"reason", std::string(reason), true});
  log_limited("upgrade_abandoned", "upgrade abandoned", std::move(fields));
}

void Server::on_session_closed(ConnectionId connection, std::string_view reason, bool client_left) {
  const auto found = sessions_.find(connection);
  if (found == sessions_.end()) return;
  LogFields fields = describe(connection);
  fields.push_back({"reason", std::string(reason), true});
  log_limited("disconnect", "disconnect", std::move(fields));
  connection_by_sid_.erase(found->second.session->sid());
  if (const auto count = sessions_per_ip_.find(found->second.key); --count->second == 0) {
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
  reclaim_memory();
  stop_when_idle();
}

void Server::log_rejection(ConnectionId from, const HubOutput& output) {
  if (!output.rejection) return;
  const std::string code(to_string(output.rejection->code));
  LogFields fields = describe(from);
  fields.push_back({"code", code});
  fields.push_back({"message", output.rejection->message, true});
  log_limited("error." + code, "error", std::move(fields));
}

void Server::dispatch(const HubOutput& output) {
  count(output);
  for (const Delivery& delivery : output.deliveries) {
    const auto found = sessions_.find(delivery.to);
    if (found == sessions_.end()) continue;
    // A copy: a send can close the session, which removes it from sessions_.
    const std::shared_ptr<EngineIoSession> session = found->second.session;
    session->send(engineio::Packet{engineio::PacketType::message, delivery.text, false});
  }
  // After the deliveries, so an error explaining the close reaches the client first.
  for (const ConnectionClose& close : output.closes) {
    const auto found = sessions_.find(close.connection);
    if (found == sessions_.end()) continue;
    const std::shared_ptr<EngineIoSession> session = found->second.session;
    session->close_when_flushed(close.reason);
  }
  for (const SessionEnd& end : output.ended) {
    LogFields fields{{"peer", end.peer}};
    if (end.why) {
      fields.push_back({"code", std::string(to_string(*end.why))});
    } else {
      fields.push_back({"reason", "client left", true});
    }
    log_limited("session_ended", "session ended", std::move(fields));
  }
  arm_hub_timer();
  reclaim_memory();
}

void Server::reclaim_memory() {
  if (reclaimer_.should_trim(buffer_budget().used())) MemoryReclaimer::trim();
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
  metrics_acceptor_.close(ignored);
  reload_signal_.cancel();
  lag_timer_.cancel();
  accept_retry_.cancel();
  metrics_accept_retry_.cancel();
  // Goaway joins each client's send queue behind what is already there, so it arrives last.
  dispatch(hub_.go_away(static_cast<std::uint64_t>(options_.goaway_spread.count())));
  // A polling client's close packet may never get through (it can sit behind a POST in flight, or
  // die with a reused connection), so a polling session is not waited for: goaway means a new
  // session on the next server, and nothing more is owed once it is written. Websocket and SSE
  // clients close at once, and their sessions keep relaying until they do.
  std::vector<std::shared_ptr<EngineIoSession>> polling;
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
  std::vector<std::shared_ptr<EngineIoSession>> open;
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

LogFields Server::describe(ConnectionId connection) const {
  LogFields fields;
  if (const auto found = sessions_.find(connection); found != sessions_.end()) {
    fields.push_back({"sid", found->second.session->sid()});
    fields.push_back({"remote", found->second.session->remote()});
  }
  const std::string_view peer = hub_.peer_id(connection);
  if (!peer.empty()) fields.push_back({"peer", std::string(peer)});
  // Client input: the log format quotes and escapes it.
  const std::string_view room = hub_.room_of(connection);
  if (!room.empty()) fields.push_back({"room", std::string(room)});
  return fields;
}

}  // namespace rtcwire::server
