// The Engine.IO websocket transport: one packet per websocket message, binary packets as binary
// messages. Opens a session or probes to take one over from polling or SSE. Beast's websocket
// stream reads, answers pings and closes; what the session sends is framed here (websocket_frame).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "gathering_stream.hpp"
#include "io_types.hpp"
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
  bool writable() const override { return state_ == State::open && queued_.empty(); }
  void send(std::vector<engineio::Packet> packets, std::size_t bytes) override;
  void close(TransportClose how, std::function<void()> done) override;

 private:
  enum class State { accepting, open, closing, closed };

  void read_next();
  void on_read(boost::beast::error_code error);
  void write_next();
  void drop_queued();
  void on_write(boost::beast::error_code error);
  void close_websocket();
  void end();

  boost::beast::websocket::stream<GatheringStream> websocket_;
  State state_ = State::accepting;
  std::weak_ptr<ServerTransportOwner> owner_;
  boost::beast::flat_buffer read_buffer_;
  // Whole websocket frames not yet handed to the stream, and the send() bytes they carry. The
  // frames are laid out here rather than written one by one by the websocket library: one write
  // per turn instead of one per message.
  std::string queued_;
  std::size_t queued_bytes_ = 0;
  std::size_t writing_bytes_ = 0;  // the send() bytes of the write in flight
  bool writing_ = false;
  SteadyTimer close_deadline_;
  std::function<void()> on_closed_;
};

}  // namespace rtcwire::server
