// The Engine.IO websocket transport: one packet per websocket message, binary packets as binary
// messages. Opens a session or probes to take one over from polling or SSE.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "server_stream.hpp"
#include "server_transport.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class WebSocketServerTransport final
    : public ServerTransport,
      public std::enable_shared_from_this<WebSocketServerTransport> {
 public:
  WebSocketServerTransport(ServerStream stream, std::size_t max_payload);

  // Completes the websocket handshake for `upgrade`; `done` gets its outcome.
  void accept(boost::beast::http::request<boost::beast::http::string_body> upgrade,
              std::function<void(boost::beast::error_code)> done);

  TransportKind kind() const override { return TransportKind::websocket; }
  void attach(std::weak_ptr<ServerTransportOwner> owner) override;
  bool writable() const override { return state_ == State::open && frames_.empty(); }
  void send(std::vector<engineio::Packet> packets, std::size_t bytes) override;
  void close(TransportClose how, std::function<void()> done) override;

 private:
  enum class State { accepting, open, closing, closed };

  struct Frame {
    std::string data;
    bool binary = false;
    std::size_t batch_bytes = 0;  // reported by on_drain once this, the batch's last frame, is out
  };

  void read_next();
  void on_read(boost::beast::error_code error);
  void write_next();
  Frame& next_frame() { return frames_[next_frame_]; }
  bool frames_pending() const { return next_frame_ < frames_.size(); }
  void drop_frames();
  void on_write(boost::beast::error_code error);
  void close_websocket();
  void end();

  boost::beast::websocket::stream<ServerStream> websocket_;
  State state_ = State::accepting;
  std::weak_ptr<ServerTransportOwner> owner_;
  boost::beast::flat_buffer read_buffer_;
  // Frames to write, from frames_[next_frame_] on. A vector rather than a deque: an empty deque
  // still allocates over 500 bytes, on every one of many idle connections.
  std::vector<Frame> frames_;
  std::size_t next_frame_ = 0;
  Frame in_flight_;  // the frame being written
  bool writing_ = false;
  boost::asio::steady_timer close_deadline_;
  std::function<void()> on_closed_;
};

}  // namespace rtcwire::server
