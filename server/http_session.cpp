#include "http_session.hpp"

#include <chrono>
#include <string_view>
#include <utility>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>

#include "engineio_handshake.hpp"
#include "log.hpp"
#include "mime_types.hpp"
#include "server.hpp"
#include "static_files.hpp"

namespace rtcwire::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::chrono::seconds kRequestTimeout{30};
constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;
constexpr std::string_view kEngineioPath = "/engine.io/";

struct Target {
  std::string_view path;
  std::string_view query;
};

Target split_target(std::string_view target) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

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

std::string remote_address(const boost::asio::ip::tcp::socket& socket) {
  beast::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

HttpSession::HttpSession(Server& server, boost::asio::ip::tcp::socket socket)
    : server_(server), stream_(std::move(socket)), remote_(remote_address(stream_.socket())) {}

void HttpSession::start() { read_request(); }

void HttpSession::read_request() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  stream_.expires_after(kRequestTimeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
}

void HttpSession::on_read(beast::error_code error) {
  if (error == http::error::end_of_stream || error == beast::error::timeout) {
    close();
    return;
  }
  if (error) {
    // Unparseable request: answer it when the fault is the request's, then hang up.
    if (error.category() == http::make_error_code(http::error::bad_target).category()) {
      respond(text_response(11, false, http::status::bad_request, "text/plain; charset=utf-8",
                            "Bad Request\n"),
              false);
    } else {
      close();
    }
    return;
  }

  const Request& request = parser_->get();
  const Target target = split_target(request.target());
  if (!target.path.starts_with(kEngineioPath)) {
    const bool keep_alive = request.keep_alive() && !beast::websocket::is_upgrade(request);
    respond(route(request), keep_alive);
    return;
  }

  const bool upgrade = beast::websocket::is_upgrade(request);
  const auto rejection =
      check_handshake({request.method() == http::verb::get, upgrade, target.query},
                      [this](std::string_view sid) { return server_.has_sid(sid); });
  if (!rejection) {
    stream_.expires_never();
    server_.open_session(std::move(stream_), parser_->release(), remote_);
    return;
  }
  log_line("engine.io handshake refused remote=" + remote_ +
           " code=" + std::to_string(static_cast<int>(*rejection)) + " (" +
           std::string(message_of(*rejection)) + ")");
  // An upgrade request cannot continue as plain HTTP, so it is answered and closed.
  const bool keep_alive = request.keep_alive() && !upgrade;
  respond(text_response(request.version(), keep_alive,
                        static_cast<http::status>(http_status_of(*rejection)), "application/json",
                        json_body_of(*rejection)),
          keep_alive);
}

http::message_generator HttpSession::route(const Request& request) const {
  const bool head = request.method() == http::verb::head;
  if (request.method() != http::verb::get && !head) {
    return plain_error(request, http::status::method_not_allowed);
  }
  const Target target = split_target(request.target());
  if (target.path == "/healthz") {
    const nlohmann::ordered_json health{{"status", "ok"}, {"sessions", server_.session_count()}};
    return text_response(request.version(), request.keep_alive(), http::status::ok,
                         "application/json", health.dump(), head);
  }
  const StaticLookup lookup = resolve_static(server_.options().static_mounts, target.path);
  switch (lookup.outcome) {
    case StaticOutcome::file:
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

void HttpSession::respond(http::message_generator response, bool keep_alive) {
  stream_.expires_after(kRequestTimeout);
  beast::async_write(stream_, std::move(response),
                     [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
                       self->on_write(keep_alive, error);
                     });
}

void HttpSession::on_write(bool keep_alive, beast::error_code error) {
  if (error || !keep_alive) {
    close();
    return;
  }
  read_request();
}

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace rtcwire::server
