// rtcwire-server: accepts connections, routes Engine.IO requests to sessions (opening, upgrading
// and feeding them), owns the signalling hub (feeding it the time and running its timer), delivers
// its output, and drains gracefully on SIGINT/SIGTERM. Single-threaded: everything runs on one
// io_context thread, so nothing here needs a lock.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "connection_auth.hpp"
#include "connection_limiter.hpp"
#include "engineio_handshake.hpp"
#include "id_source.hpp"
#include "io_types.hpp"
#include "log.hpp"
#include "log_limiter.hpp"
#include "memory_reclaimer.hpp"
#include "metrics.hpp"
#include "origin_policy.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "server_options.hpp"
#include "server_transport.hpp"
#include "signalling_hub.hpp"
#include "tls_context.hpp"

namespace rtcwire::server {

using base::ErrorCode;
using base::local_error;
using base::Millis;
using base::Result;
using engineio::TransportKind;

class EngineIoSession;
class HttpSession;

class Server {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  Server(boost::asio::io_context& io, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Why the access options cannot be used (an unreadable key or certificate), checked before
  // start().
  const std::optional<std::string>& setup_error() const { return setup_error_; }
  // Binds, listens and starts accepting and watching for signals.
  boost::system::error_code start();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // The --metrics-port listener's address, when there is one.
  std::optional<boost::asio::ip::tcp::endpoint> metrics_endpoint() const;

  const ServerOptions& options() const { return options_; }
  ConnectionLimiter& connection_limiter() { return *connections_; }
  IoExecutor executor() { return io_.get_executor(); }
  std::size_t session_count() const { return sessions_.size(); }
  // Bytes buffered for clients: the hub's resume buffers and the sessions' send queues.
  BufferBudget& buffer_budget() { return hub_.buffer_budget(); }

  // ---- for HTTP sessions ----
  // A connection, or a request naming its client behind a trusted proxy, was over a limit.
  void on_connection_refused(const std::string& ip, ConnectionRefusal refusal);
  // The TLS context for a new connection; null without --tls-cert.
  std::shared_ptr<boost::asio::ssl::context> tls_context() const;
  const OriginPolicy& origin_policy() const { return origin_policy_; }
  // Counts the refusal and logs it the first time for each origin or host.
  void note_refused_request(RefusedRequest kind, std::string_view value);
  void note_tls_failure() { metrics_.tls_handshake_failed(); }
  std::string metrics_text() const;
  // A request to /engine.io/: opens, upgrades or feeds a session, or is refused.
  void on_engineio_request(const std::shared_ptr<HttpSession>& http, Request request);

  // ---- for Engine.IO sessions ----
  void on_message(ConnectionId connection, engineio::Packet packet);
  void on_session_upgraded(ConnectionId connection);
  void on_upgrade_abandoned(ConnectionId connection, std::string_view reason);
  // The session stopped taking messages; its transport may still be closing. `client_left`: the
  // client closed it (a close packet) rather than losing it.
  void on_session_closed(ConnectionId connection, std::string_view reason, bool client_left);
  // The session's transport is gone: nothing of it is left on the io_context.
  void on_session_ended();

 private:
  struct Entry {
    std::shared_ptr<EngineIoSession> session;
    std::string ip;   // the sid works only from this address
    std::string key;  // address_key(ip), for --max-sessions-per-ip
  };

  void accept_next();
  void on_accepted(TcpSocket socket);
  // Out of file descriptors: gives the reserve up for a moment to take the oldest waiting
  // connection off the queue and close it, so accept neither spins nor leaves clients hanging.
  enum class Shed { one, none_waiting, failed };
  Shed shed_one_connection();
  // Writes a line of kind `kind` (an event and code, never client input) unless that kind
  // already filled its share of this second; what is left out is reported when the second ends.
  void log_limited(std::string_view kind, std::string_view event, LogFields fields);
  void report_suppressed_logs();
  void arm_log_report();
  // The session `sid` names, if it was opened from `ip`.
  std::shared_ptr<EngineIoSession> find(std::string_view sid, const std::string& ip) const;
  void accept_metrics();
  void watch_reload_signal();
  // Measures how late the loop runs a timer, once a second.
  void measure_loop_lag();
  // Counts what the hub's output shows for the metrics.
  void count(const HubOutput& output);
  void refuse(HttpSession& http, HandshakeError error, boost::beast::http::status status,
              std::string_view message = {});
  void open_session(std::shared_ptr<ServerTransport> transport, std::string remote, std::string ip,
                    std::string key, const std::shared_ptr<HttpSession>& poll);
  void open_websocket_session(HttpSession& http, Request request);
  // A websocket naming a live session: the probe of an upgrade, or (`refuse`) one that is
  // accepted and closed at once, as the stock server does.
  void accept_probe(HttpSession& http, Request request, std::string sid, bool refuse);
  // Stops accepting and sends every client goaway; the sessions drain until drain_timeout.
  void shut_down(std::string_view why);
  void close_remaining_sessions();
  void stop_when_idle();
  // Delivers the hub's output, closes what it asks to close, and re-arms its timer.
  void dispatch(const HubOutput& output);
  // --max-sessions-per-ip reached for `ip`.
  bool at_session_limit(const std::string& key) const;
  void log_rejection(ConnectionId from, const HubOutput& output);
  // The hub's clock: steady, in milliseconds.
  static Millis now();
  void arm_hub_timer();
  // Returns the heap to the OS once a burst of buffered bytes is over.
  void reclaim_memory();
  LogFields describe(ConnectionId connection) const;  // sid, remote, peer, room for logs

  boost::asio::io_context& io_;
  ServerOptions options_;
  std::optional<std::string> setup_error_;
  std::shared_ptr<const TokenAuthority> tokens_;  // null without a JWT key
  std::optional<TlsCertificates> tls_;
  OriginPolicy origin_policy_;
  Metrics metrics_;
  std::unordered_set<std::string> logged_refusals_;  // bounded: see note_refused_request
  RandomIdSource ids_;
  SignallingHub hub_;
  TcpAcceptor metrics_acceptor_;
  SteadyTimer metrics_accept_retry_;
  boost::asio::signal_set reload_signal_;
  SteadyTimer lag_timer_;
  TcpAcceptor acceptor_;
  boost::asio::signal_set signals_;
  SteadyTimer accept_retry_;
  std::shared_ptr<ConnectionLimiter> connections_;
  int reserve_fd_ = -1;  // an open file given up to accept when descriptors run out
  LogLimiter log_limiter_;
  SteadyTimer log_report_timer_;
  bool log_report_armed_ = false;
  SteadyTimer hub_timer_;
  std::optional<Millis> hub_timer_deadline_;  // what hub_timer_ is armed for
  SteadyTimer drain_deadline_;
  SteadyTimer shutdown_deadline_;
  bool shutting_down_ = false;
  std::size_t sessions_closing_ = 0;
  std::unordered_map<ConnectionId, Entry> sessions_;
  std::unordered_map<std::string, ConnectionId> connection_by_sid_;
  std::unordered_map<std::string, std::size_t> sessions_per_ip_;
  MemoryReclaimer reclaimer_;
};

}  // namespace rtcwire::server
