#include "http_session.hpp"

#include <chrono>
#include <utility>
#include <vector>

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "address_key.hpp"
#include "mime_types.hpp"
#include "rtcwire/base/json_writer.hpp"
#include "secret_compare.hpp"
#include "server.hpp"
#include "static_files.hpp"
#include "trusted_proxies.hpp"
#include "url_decoding.hpp"

namespace rtcwire::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::chrono::seconds kRequestTimeout{30};
constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;
constexpr std::string_view kEngineioPath = "/engine.io/";

template <class Body>
void set_common_fields(http::response<Body>& response, unsigned version, bool keep_alive) {
  response.version(version);
  response.keep_alive(keep_alive);
  response.set(http::field::server, "rtcwire-server");
}

// A small in-memory response; HEAD gets the same headers without the body.
http::message_generator text_response(unsigned version, bool keep_alive, http::status status,
                                      std::string_view content_type, std::string body,
                                      bool head = false) {
  http::response<http::string_body> response{status, version};
  set_common_fields(response, version, keep_alive);
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.content_length(body.size());
  if (!head) response.body() = std::move(body);
  return response;
}

http::message_generator plain_error(const http::request<http::string_body>& request,
                                    http::status status) {
  return text_response(request.version(), request.keep_alive(), status, "text/plain; charset=utf-8",
                       std::string(http::obsolete_reason(status)) + "\n",
                       request.method() == http::verb::head);
}

http::message_generator static_file(const http::request<http::string_body>& request,
                                    const std::filesystem::path& path) {
  const bool head = request.method() == http::verb::head;
  http::file_body::value_type file;
  beast::error_code error;
  file.open(path.c_str(), beast::file_mode::scan, error);
  if (error) return plain_error(request, http::status::not_found);  // vanished since lookup
  const auto size = file.size();

  const auto set_fields = [&](auto& response) {
    set_common_fields(response, request.version(), request.keep_alive());
    response.set(http::field::content_type, mime_type_for(path.filename().string()));
    response.set(http::field::cache_control, "no-cache");
    response.set("X-Content-Type-Options", "nosniff");
    response.content_length(size);
  };
  if (head) {
    http::response<http::empty_body> response{http::status::ok, request.version()};
    set_fields(response);
    return response;
  }
  http::response<http::file_body> response{http::status::ok, request.version()};
  response.body() = std::move(file);
  set_fields(response);
  return response;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "Bearer <token>", compared in time independent of where they differ.
bool bearer_matches(std::string_view header, const std::string& token) {
  constexpr std::string_view kScheme = "Bearer ";
  return header.starts_with(kScheme) && secret_matches(header.substr(kScheme.size()), token);
}

}  // namespace

HttpSession::HttpSession(Server& server, TcpSocket socket, ConnectionSlot slot)
    : server_(server), stream_(TcpStream(std::move(socket))), slot_(std::move(slot)) {
  beast::error_code error;
  const auto endpoint = stream_.socket().remote_endpoint(error);
  peer_ = normalized(endpoint.address());
  peer_is_proxy_ = !error && server_.options().trusted_proxies.trusts(peer_);
  remote_ip_ = error ? "unknown" : address_text(peer_);
  remote_key_ = error ? "unknown" : address_key(peer_);
  remote_ = error ? "unknown" : remote_ip_ + ":" + std::to_string(endpoint.port());
  peer_remote_ = remote_;
}

void HttpSession::start() {
  if (server_.tls_context() && !metrics_only_) {
    detect_tls();
  } else {
    read_request();
  }
}

void HttpSession::detect_tls() {
  stream_.expires_after(kRequestTimeout);
  beast::async_detect_ssl(stream_.next_layer(), buffer_,
                          [self = shared_from_this()](beast::error_code error, bool hello) {
                            if (error) {
                              self->close();
                              return;
                            }
                            if (!hello) {
                              self->read_request();
                              return;
                            }
                            const auto context = self->server_.tls_context();
                            self->stream_.start_tls(*context);
                            self->tls_ = true;
                            self->stream_.tls_stream()->async_handshake(
                                boost::asio::ssl::stream_base::server, self->buffer_.data(),
                                [self](beast::error_code error, std::size_t used) {
                                  if (error) {
                                    // Scanners and clients that distrust the certificate: nothing
                                    // to answer.
                                    self->server_.note_tls_failure();
                                    self->close();
                                    return;
                                  }
                                  self->buffer_.consume(used);
                                  self->read_request();
                                });
                          });
}

void HttpSession::read_request() {
  parser_.emplace();
  // The limit depends on the route, known once the header is read (on_header).
  parser_->body_limit(boost::none);
  // Bounds both an idle keep-alive connection and a header sent slowly.
  stream_.expires_after(server_.options().http_idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code error, std::size_t) {
                            self->on_header(error);
                          });
}

void HttpSession::on_header(beast::error_code error) {
  if (error) {
    answer_read_error(error);
    return;
  }
  if (!framing_is_sound()) {
    respond(text_response(11, false, http::status::bad_request, "text/plain; charset=utf-8",
                          "Bad Request\n"),
            false);
    return;
  }
  if (peer_is_proxy_ && !take_client_from_proxy()) return;
  stream_.expires_after(kRequestTimeout);
  const bool engineio = split_target(parser_->get().target()).path.starts_with(kEngineioPath);
  // Engine.IO POST bodies are payloads, bounded by maxPayload as in the stock server.
  const std::uint64_t limit = engineio ? server_.options().max_payload : kMaxRequestBodyBytes;
  if (const auto length = parser_->content_length(); length && *length > limit) {
    answer_read_error(http::error::body_limit);
    return;
  }
  parser_->body_limit(limit);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
}

bool HttpSession::framing_is_sound() const {
  const auto& header = parser_->get();
  const auto fields = header.equal_range(http::field::transfer_encoding);
  if (fields.first == fields.second) return true;
  // HTTP/1.0 has no transfer codings; with a Content-Length as well the framing is ambiguous.
  if (header.version() < 11 || header.count(http::field::content_length) != 0) return false;
  std::size_t codings = 0;
  bool chunked_last = false;
  for (auto field = fields.first; field != fields.second; ++field) {
    std::string_view list = field->value();
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view coding = trimmed(list.substr(0, comma));
      if (!coding.empty()) {
        ++codings;
        chunked_last = equals_ignoring_case(coding, "chunked");
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return codings == 1 && chunked_last;
}

bool HttpSession::take_client_from_proxy() {
  const auto& header = parser_->get();
  const ProxyHeader which = server_.options().trusted_proxies.header;
  const auto fields =
      header.equal_range(which == ProxyHeader::forwarded ? "Forwarded" : "X-Forwarded-For");
  std::vector<std::string_view> values;
  for (auto field = fields.first; field != fields.second; ++field) values.push_back(field->value());
  const auto client = server_.options().trusted_proxies.client_address(peer_, values);
  const std::string ip = address_text(client);
  std::string key = address_key(client);
  if (const auto refusal = slot_.reassign(key)) {
    server_.on_connection_refused(ip, *refusal);
    respond(text_response(11, false, http::status::service_unavailable, "text/plain; charset=utf-8",
                          "Service Unavailable\n"),
            false);
    return false;
  }
  remote_ip_ = ip;
  remote_key_ = std::move(key);
  remote_ = ip;
  return true;
}

void HttpSession::return_to_proxy() {
  // A slot handed to a websocket or SSE stream went with it; this one is then empty.
  if (!slot_.counted()) return;
  (void)slot_.reassign(std::string());  // the proxy's share is never refused
  remote_ip_ = address_text(peer_);
  remote_key_ = address_key(peer_);
  remote_ = peer_remote_;
}

void HttpSession::answer_read_error(const beast::error_code& error) {
  if (error == http::error::body_limit) {
    // As the stock server: 413 without a body. The rest of the body is not read, so the
    // connection cannot carry another request.
    version_ = parser_->get().version();
    keep_alive_ = false;
    head_ = false;
    reply(http::status::payload_too_large, "", "");
    return;
  }
  // Unparseable request: answer it when the fault is the request's, then hang up.
  if (error != http::error::end_of_stream && error != beast::error::timeout &&
      error.category() == http::make_error_code(http::error::bad_target).category()) {
    respond(text_response(11, false, http::status::bad_request, "text/plain; charset=utf-8",
                          "Bad Request\n"),
            false);
    return;
  }
  close();
}

void HttpSession::on_read(beast::error_code error) {
  if (error) {
    answer_read_error(error);
    return;
  }
  const Request& request = parser_->get();
  const bool upgrade = beast::websocket::is_upgrade(request);
  version_ = request.version();
  head_ = request.method() == http::verb::head;
  // An upgrade request cannot continue as plain HTTP, so whatever answers it closes.
  keep_alive_ = request.keep_alive() && !upgrade;
  allow_origin_.clear();
  const std::string_view host = request[http::field::host];
  if (!server_.origin_policy().allows_host(host)) {
    server_.note_refused_request(RefusedRequest::host, host);
    keep_alive_ = false;
    respond(plain_error(request, http::status::forbidden), false);
    return;
  }
  const std::string_view path = split_target(request.target()).path;
  if (metrics_only_ || path == "/metrics") {
    respond(metrics(request), keep_alive_);
    return;
  }
  if (!path.starts_with(kEngineioPath)) {
    respond(route(request), keep_alive_);
    return;
  }
  std::optional<std::string_view> origin;
  if (const auto field = request.find(http::field::origin); field != request.end()) {
    origin = field->value();
  }
  if (!server_.origin_policy().allows_origin(origin, host, tls_)) {
    server_.note_refused_request(RefusedRequest::origin, *origin);
    keep_alive_ = false;
    reply(http::status::forbidden, "application/json",
          R"({"code":4,"message":"Origin not allowed"})");
    return;
  }
  // CORS only for origins allowed above; the conformance mode answers every origin.
  if (server_.options().echo) {
    allow_origin_ = "*";
  } else if (origin) {
    allow_origin_ = std::string(*origin);
  }
  if (request.method() == http::verb::options && !allow_origin_.empty()) {
    respond(preflight(request), keep_alive_);
  } else {
    server_.on_engineio_request(shared_from_this(), parser_->release());
  }
}

void HttpSession::reply(http::status status, std::string_view content_type, std::string body) {
  if (held_) {
    held_ = false;
    ++hold_generation_;
    on_client_gone_ = nullptr;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);  // the watch for the client leaving
  }
  http::response<http::string_body> response{status, version_};
  set_common_fields(response, version_, keep_alive_);
  if (!content_type.empty()) response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  if (!allow_origin_.empty()) {
    response.set(http::field::access_control_allow_origin, allow_origin_);
    response.set(http::field::vary, "Origin");
  }
  response.content_length(body.size());
  if (!head_) response.body() = std::move(body);
  respond(std::move(response), keep_alive_);
}

void HttpSession::hold(std::function<void()> on_client_gone) {
  held_ = true;
  on_client_gone_ = std::move(on_client_gone);
  // A long poll waits as long as the session has nothing to say; the heartbeat bounds that.
  stream_.expires_never();
  watch_held(++hold_generation_);
}

void HttpSession::watch_held(std::uint64_t generation) {
  // Readable while held means the client hung up, or pipelined a request, which waits its turn.
  stream_.socket().async_wait(boost::asio::ip::tcp::socket::wait_read,
                              [self = shared_from_this(), generation](beast::error_code error) {
                                if (generation != self->hold_generation_ || !self->held_) return;
                                beast::error_code ignored;
                                if (!error && self->stream_.socket().available(ignored) > 0) return;
                                auto gone = std::exchange(self->on_client_gone_, nullptr);
                                self->abort();
                                if (gone) gone();
                              });
}

void HttpSession::abort() {
  held_ = false;
  ++hold_generation_;
  on_client_gone_ = nullptr;
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

ServerStream HttpSession::take_stream() {
  stream_.expires_never();
  return std::move(stream_);
}

http::message_generator HttpSession::route(const Request& request) {
  const bool head = request.method() == http::verb::head;
  if (request.method() != http::verb::get && !head) {
    return plain_error(request, http::status::method_not_allowed);
  }
  const Target target = split_target(request.target());
  if (target.path == "/healthz") {
    std::string health = R"({"status":"ok")";
    base::json_writer::put_key(health, "sessions");
    base::json_writer::put_number(health, server_.session_count());
    health += '}';
    return text_response(request.version(), request.keep_alive(), http::status::ok,
                         "application/json", std::move(health), head);
  }
  const StaticLookup lookup = resolve_static(server_.options().static_mounts, target.path);
  switch (lookup.outcome) {
    case StaticOutcome::file:
      // Over the limits the file is not opened: descriptors stay for connections.
      if (server_.connection_limiter().admit(remote_key_, file_slot_)) {
        return plain_error(request, http::status::service_unavailable);
      }
      return static_file(request, lookup.file);
    case StaticOutcome::redirect: {
      http::response<http::string_body> response{http::status::moved_permanently,
                                                 request.version()};
      set_common_fields(response, request.version(), request.keep_alive());
      response.set(http::field::location, lookup.location);
      response.content_length(0);
      return response;
    }
    case StaticOutcome::bad_request:
      return plain_error(request, http::status::bad_request);
    case StaticOutcome::not_found:
      break;
  }
  return plain_error(request, http::status::not_found);
}

http::message_generator HttpSession::preflight(const Request& request) const {
  // What the `cors` middleware of a stock server answers for an allowed origin.
  http::response<http::empty_body> response{http::status::no_content, request.version()};
  set_common_fields(response, request.version(), keep_alive_);
  response.set(http::field::access_control_allow_origin, allow_origin_);
  response.set(http::field::vary, "Origin");
  response.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
  if (const auto headers = request[http::field::access_control_request_headers]; !headers.empty()) {
    response.set(http::field::access_control_allow_headers, headers);
    response.set(http::field::vary, "Access-Control-Request-Headers");
  }
  response.content_length(0);
  return response;
}

http::message_generator HttpSession::metrics(const Request& request) const {
  const bool head = request.method() == http::verb::head;
  const std::string_view path = split_target(request.target()).path;
  const std::string& token = server_.options().access.metrics_token;
  if (!metrics_only_) {
    // On the main port /metrics exists only behind its bearer token.
    if (token.empty()) return plain_error(request, http::status::not_found);
    if (!bearer_matches(request[http::field::authorization], token)) {
      http::response<http::string_body> response{http::status::unauthorized, request.version()};
      set_common_fields(response, request.version(), request.keep_alive());
      response.set(http::field::www_authenticate, "Bearer");
      response.set(http::field::content_type, "text/plain; charset=utf-8");
      response.body() = head ? "" : "Unauthorized\n";
      response.content_length(head ? 0 : response.body().size());
      return response;
    }
  } else if (path != "/metrics") {
    return plain_error(request, http::status::not_found);
  }
  if (request.method() != http::verb::get && !head) {
    return plain_error(request, http::status::method_not_allowed);
  }
  return text_response(request.version(), request.keep_alive(), http::status::ok,
                       "text/plain; version=0.0.4; charset=utf-8", server_.metrics_text(), head);
}

void HttpSession::respond(http::message_generator response, bool keep_alive) {
  stream_.expires_after(kRequestTimeout);
  beast::async_write(stream_, std::move(response),
                     [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
                       self->on_write(keep_alive, error);
                     });
}

void HttpSession::on_write(bool keep_alive, beast::error_code error) {
  file_slot_ = ConnectionSlot{};  // the response, and the file it held, are gone
  if (error || !keep_alive) {
    close();
    return;
  }
  if (peer_is_proxy_) return_to_proxy();
  read_request();
}

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace rtcwire::server
