// A client connection, plain TCP or TLS: one stream type for the HTTP, websocket and SSE code, so
// https and wss share every line of it with http and ws (the first bytes decide, see
// HttpSession::start). It is an AsyncStream; its lowest layer is the TcpStream, for
// timeouts and the socket.
#pragma once

#include <cstddef>
#include <utility>
#include <variant>

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "io_types.hpp"

namespace rtcwire::server {

using TlsStream = boost::asio::ssl::stream<TcpStream>;

class ServerStream {
 public:
  using executor_type = TcpStream::executor_type;

  explicit ServerStream(TcpStream plain) : stream_(std::move(plain)) {}
  explicit ServerStream(TlsStream tls) : stream_(std::move(tls)) {}

  executor_type get_executor() { return next_layer().get_executor(); }
  bool tls() const { return std::holds_alternative<TlsStream>(stream_); }
  TlsStream* tls_stream() { return std::get_if<TlsStream>(&stream_); }
  // Puts TLS over the plain connection (before anything was written); tls_stream() is then set.
  void start_tls(boost::asio::ssl::context& context) {
    TcpStream plain = std::move(std::get<TcpStream>(stream_));
    stream_.emplace<TlsStream>(std::move(plain), context);
  }
  // The TCP stream underneath (its timeouts, its socket).
  TcpStream& next_layer() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<TcpStream>(stream_);
  }
  TcpStream::socket_type& socket() { return next_layer().socket(); }
  void expires_after(std::chrono::steady_clock::duration after) {
    next_layer().expires_after(after);
  }
  void expires_never() { next_layer().expires_never(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& buffers) {
          std::visit([&](auto& stream) { stream.async_read_some(buffers, std::move(handler)); },
                     stream_);
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& buffers) {
          std::visit([&](auto& stream) { stream.async_write_some(buffers, std::move(handler)); },
                     stream_);
        },
        token, buffers);
  }

  // What a websocket stream over this one calls to close the connection (found by ADL).
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, ServerStream& stream,
                             Handler&& handler) {
    std::visit(
        [&](auto& inner) {
          using boost::beast::async_teardown;
          async_teardown(role, inner, std::forward<Handler>(handler));
        },
        stream.stream_);
  }
  friend void teardown(boost::beast::role_type role, ServerStream& stream,
                       boost::beast::error_code& error) {
    std::visit(
        [&](auto& inner) {
          using boost::beast::teardown;
          teardown(role, inner, error);
        },
        stream.stream_);
  }

 private:
  std::variant<TcpStream, TlsStream> stream_;
};

}  // namespace rtcwire::server
