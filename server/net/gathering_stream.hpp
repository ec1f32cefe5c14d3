// A stream layer that gathers writes into one send. The websocket library writes one message per
// write; with several messages in flight per connection that was one send() per message, the
// largest cost of the server under load (loopback TCP per segment). Here a write is copied into a
// buffer and reported done at once; the buffer goes to the socket in one write:
// - when the layer is asked to read again, i.e. the received data has all been handled, so the
//   answers to a burst of messages leave together;
// - in the next turn of the event loop, for writes made while no received data was being
//   handled (a relay from another connection, a timer);
// - at once, when kGatherBytes are waiting.
// While a send is in flight a write may add up to kGatherBytes; past that it waits for the send,
// so a client that does not read still pushes back on its writer.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>

#include "server_stream.hpp"

namespace rtcwire::server {

class GatheringStream {
 public:
  using executor_type = ServerStream::executor_type;
  static constexpr std::size_t kGatherBytes = 64 * 1024;

  explicit GatheringStream(ServerStream stream) : next_(std::move(stream)) {}

  // Sends started by the layer itself keep `owner` (the object holding this stream) alive.
  void keep_alive_with(std::weak_ptr<const void> owner) { owner_ = std::move(owner); }

  executor_type get_executor() { return next_.get_executor(); }
  ServerStream& next_layer() { return next_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& buffers) {
          handling_input_ = false;
          flush();
          auto done = [this, handler = std::move(handler)](boost::beast::error_code error,
                                                           std::size_t bytes) mutable {
            handling_input_ = !error && bytes > 0;
            std::move(handler)(error, bytes);
          };
          // A plain connection reads the socket itself: a websocket uses none of the TCP
          // stream's timeouts, only its per-operation bookkeeping.
          if (next_.tls()) {
            next_.async_read_some(buffers, std::move(done));
          } else {
            next_.socket().async_read_some(buffers, std::move(done));
          }
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& buffers) {
          const std::size_t bytes = boost::asio::buffer_size(buffers);
          if (!write_error_) {
            const std::size_t start = pending_.size();
            pending_.resize(start + bytes);
            boost::asio::buffer_copy(boost::asio::buffer(pending_.data() + start, bytes), buffers);
          }
          if (pending_.size() >= kGatherBytes) {
            flush();
          } else if (!handling_input_) {
            flush_next_turn();
          }
          if (pending_.size() >= kGatherBytes) {
            // std::function copies; the handler only moves.
            auto held = std::make_shared<decltype(handler)>(std::move(handler));
            blocked_writers_.push_back(
                [this, held, bytes] { complete_write(std::move(*held), bytes); });
          } else {
            complete_write(std::move(handler), bytes);
          }
        },
        token, buffers);
  }

  // What a websocket stream over this one calls to close the connection (found by ADL): what is
  // gathered goes out first.
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, GatheringStream& stream,
                             Handler&& handler) {
    stream.flush();
    if (!stream.sending_now_) {
      async_teardown(role, stream.next_, std::forward<Handler>(handler));
      return;
    }
    auto held = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    stream.waiting_teardown_ = [&stream, role, held] {
      async_teardown(role, stream.next_, std::move(*held));
    };
  }

 private:
  template <class Handler>
  void complete_write(Handler&& handler, std::size_t bytes) {
    boost::asio::post(get_executor(),
                      boost::asio::append(std::forward<Handler>(handler), write_error_, bytes));
  }

  void flush_next_turn();
  void flush();
  void on_sent(boost::beast::error_code error);

  ServerStream next_;
  std::weak_ptr<const void> owner_;
  std::string pending_;  // gathered, not yet handed to the socket
  std::string sending_;  // in the socket write in flight
  bool sending_now_ = false;
  bool flush_queued_ = false;
  // From a read that brought data until the next read: the data is being handled.
  bool handling_input_ = false;
  boost::beast::error_code write_error_;
  // Writes past kGatherBytes, done in order as the sends make room. More than one can wait: the
  // transport's own and the websocket library's control frames (a pong, the close), which share
  // no lock with it.
  std::deque<std::function<void()>> blocked_writers_;
  // An async_teardown waiting for the send in flight.
  std::function<void()> waiting_teardown_;
};

}  // namespace rtcwire::server
