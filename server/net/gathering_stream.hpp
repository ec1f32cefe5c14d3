// A stream layer that gathers writes into one send. With several messages in flight per
// connection, one send() per message was the largest cost of the server under load (loopback TCP
// per segment). Here a write is copied into a buffer and reported done at once; the buffer goes to
// the socket in one write:
// - when the layer is asked to read again, i.e. the received data has all been handled, so the
//   answers to a burst of messages leave together;
// - in the next turn of the event loop, for writes made while no received data was being
//   handled (a relay from another connection, a timer);
// - at once, when kGatherBytes are waiting.
// While a send is in flight a write may add up to kGatherBytes; past that it waits for the send,
// so a client that does not read still pushes back on its writer.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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

  // Waits until the socket of a plain connection has something to read (data, its end or an
  // error); the caller then reads it without blocking. Nothing is held meanwhile, so an idle
  // connection needs no read buffer of its own.
  template <class Handler>
  void async_wait_readable(Handler&& handler) {
    start_reading();
    next_.socket().async_wait(
        boost::asio::socket_base::wait_read,
        [this, handler = std::forward<Handler>(handler)](boost::beast::error_code error) mutable {
          handling_input_ = !error;
          std::move(handler)(error);
        });
  }

  // A TLS connection's read: the TLS layer holds the socket's data, so it needs a buffer.
  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    start_reading();
    next_.async_read_some(buffers, [this, handler = std::forward<Handler>(handler)](
                                       boost::beast::error_code error, std::size_t bytes) mutable {
      handling_input_ = !error && bytes > 0;
      std::move(handler)(error, bytes);
    });
  }

  // One write at a time: `handler` runs once the bytes are gathered (or, past kGatherBytes, once a
  // send has made room for them).
  template <class Handler>
  void async_write(std::string_view bytes, Handler&& handler) {
    if (!write_error_) pending_.append(bytes);
    if (pending_.size() >= kGatherBytes) {
      flush();
    } else if (!handling_input_) {
      flush_next_turn();
    }
    if (pending_.size() >= kGatherBytes) {
      // std::function copies; the handler only moves.
      auto held = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
      blocked_writer_ = [this, held, size = bytes.size()] {
        complete_write(std::move(*held), size);
      };
    } else {
      complete_write(std::forward<Handler>(handler), bytes.size());
    }
  }

  // Ends the connection the way a websocket ends: what is gathered goes out first, then the
  // sending side is shut and the input read until the client closes too (Beast's teardown).
  template <class Handler>
  void async_teardown(Handler&& handler) {
    flush();
    if (!sending_now_) {
      teardown_next(std::forward<Handler>(handler));
      return;
    }
    auto held = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    waiting_teardown_ = [this, held] { teardown_next(std::move(*held)); };
  }

 private:
  template <class Handler>
  void complete_write(Handler&& handler, std::size_t bytes) {
    boost::asio::post(get_executor(),
                      boost::asio::append(std::forward<Handler>(handler), write_error_, bytes));
  }

  template <class Handler>
  void teardown_next(Handler&& handler) {
    using boost::beast::async_teardown;
    async_teardown(boost::beast::role_type::server, next_, std::forward<Handler>(handler));
  }
  void start_reading() {
    handling_input_ = false;
    flush();
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
  // A write past kGatherBytes, done once the sends make room.
  std::function<void()> blocked_writer_;
  // An async_teardown waiting for the send in flight.
  std::function<void()> waiting_teardown_;
};

}  // namespace rtcwire::server
