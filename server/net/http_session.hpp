// One HTTP/1.1 connection: /healthz, static files, and the requests to /engine.io/, which go to the
// Server. Keep-alive, one request at a time. An Engine.IO request may be held unanswered (a long
// poll) or take the connection over (a websocket, an SSE stream).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "connection_limiter.hpp"
#include "io_types.hpp"
#include "server_stream.hpp"

namespace rtcwire::server {

class Server;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `slot`: this connection's place among the server's counted connections.
  HttpSession(Server& server, TcpSocket socket, ConnectionSlot slot);
  void start();

  // ---- for the Engine.IO request handed to Server::on_engineio_request ----
  // Answers it (without Content-Type when `content_type` is empty), then reads the next request.
  void reply(boost::beast::http::status status, std::string_view content_type, std::string body);
  // Leaves it unanswered for now; `on_client_gone` runs if the client hangs up meanwhile.
  void hold(std::function<void()> on_client_gone);
  // Closes the connection without an answer.
  void abort();
  // Hands the connection over; this object does nothing more with it.
  ServerStream take_stream();
  // Hands the connection's place in the limits over with the stream.
  ConnectionSlot take_slot() { return std::move(slot_); }

  // The client: the TCP peer, or behind a trusted proxy the address its header names (then
  // without a port). Limits and logs use these.
  const std::string& remote() const { return remote_; }          // "address:port"
  const std::string& remote_ip() const { return remote_ip_; }    // "address"
  const std::string& remote_key() const { return remote_key_; }  // address_key() of remote_ip
  bool tls() const { return tls_; }
  // Access-Control-Allow-Origin for the request being answered; empty when none is due.
  const std::string& allow_origin() const { return allow_origin_; }
  // Serve only /metrics (the --metrics-port listener).
  void serve_metrics_only() { metrics_only_ = true; }

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  // With TLS configured, the first bytes tell a TLS ClientHello from plain HTTP.
  void detect_tls();
  void read_request();
  void on_header(boost::beast::error_code error);
  // RFC 9112 §6: the only transfer coding understood is a final, lone `chunked`; anything else
  // could make the rest of the body read as another request.
  bool framing_is_sound() const;
  // Behind a trusted proxy: the request names its client, who is then counted and logged.
  bool take_client_from_proxy();
  // Between requests a trusted proxy's kept-alive connection carries no client: charged to the
  // proxy's own (uncounted) address again, not to the client of its last request.
  void return_to_proxy();
  void on_read(boost::beast::error_code error);
  // Answers a request that could not be read, when there is somebody to answer, and hangs up.
  void answer_read_error(const boost::beast::error_code& error);
  void watch_held(std::uint64_t generation);
  void respond(boost::beast::http::message_generator response, bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code error);
  void close();

  // Routes outside /engine.io/, all answered with a plain response.
  // Not const: a static file takes its place among the counted descriptors (file_slot_).
  boost::beast::http::message_generator route(const Request& request);
  // The CORS preflight of an allowed origin (or any, in the conformance mode).
  boost::beast::http::message_generator preflight(const Request& request) const;
  // Prometheus /metrics: on the --metrics-port listener, or behind --metrics-token.
  boost::beast::http::message_generator metrics(const Request& request) const;

  Server& server_;
  ServerStream stream_;
  bool tls_ = false;
  bool metrics_only_ = false;
  std::string allow_origin_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  ConnectionSlot slot_;
  // The open file of a static response being written: a descriptor like a connection's, so it
  // counts toward the same limits; given back once the response is written.
  ConnectionSlot file_slot_;
  boost::asio::ip::address peer_;  // the TCP peer
  bool peer_is_proxy_ = false;     // a --trust-proxy peer
  std::string remote_;
  std::string remote_ip_;
  std::string remote_key_;
  std::string peer_remote_;  // the TCP peer's "address:port", which remote_ returns to

  // The request being answered.
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool held_ = false;
  std::uint64_t hold_generation_ = 0;  // tells a stale watch completion from the live one
  std::function<void()> on_client_gone_;
};

}  // namespace rtcwire::server
