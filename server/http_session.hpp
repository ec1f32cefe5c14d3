// One HTTP/1.1 connection: /healthz, static files, Engine.IO handshake errors, and the hand-over of
// accepted websocket upgrades to an EngineioSession. Keep-alive, one request at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace rtcwire::server {

class Server;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Server& server, boost::asio::ip::tcp::socket socket);
  void start();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void read_request();
  void on_read(boost::beast::error_code error);
  void respond(boost::beast::http::message_generator response, bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code error);
  void close();

  // Routes that answer with a plain response (everything but an accepted upgrade).
  boost::beast::http::message_generator route(const Request& request) const;

  Server& server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string remote_;
};

}  // namespace rtcwire::server
