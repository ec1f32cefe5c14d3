// The Engine.IO websocket transport: one packet per websocket message, binary packets as binary
// messages. Opens a session or probes to take one over from polling or SSE. The websocket is the
// server's own: the handshake answered by websocket_handshake, client frames read by
// websocket_reader, server frames laid out by websocket_frame, all sent through a gathering_stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gathering_stream.hpp"
#include "io_types.hpp"
#include "server_stream.hpp"
#include "server_transport.hpp"
#include "websocket_frame.hpp"
#include "websocket_reader.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class WebSocketServerTransport final
    : public ServerTransport,
      public std::enable_shared_from_this<WebSocketServerTransport> {
 public:
  WebSocketServerTransport(ServerStream stream, std::size_t max_payload);

  // Answers the websocket upgrade request `upgrade`; `done(true)` once the 101 is on its way,
  // `done(false)` when the request was refused (the refusal is sent, the connection closed).
  void accept(const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
              std::function<void(bool accepted)> done);

  TransportKind kind() const override { return TransportKind::websocket; }
  void attach(std::weak_ptr<ServerTransportOwner> owner) override;
  // While the client's input is handled, the answers it causes gather in queued_ and leave in one
  // write after it: one send per read, not one for the first answer and one for the rest.
  bool writable() const override {
    return state_ == State::open && (queued_.empty() || (handling_input_ && !writing_));
  }
  bool reading_paused() const override { return read_paused_; }
  void send(std::vector<engineio::Packet> packets, std::size_t bytes) override;
  void close(TransportClose how, std::function<void()> done) override;

 private:
  // accepting: the handshake answer is being written. closing: the close frame is queued or sent;
  // waiting for it to be written and for the client's close frame (or the deadline).
  enum class State { accepting, open, closing, closed };

  void read_next();
  void on_readable(boost::beast::error_code error);
  void on_tls_read(boost::beast::error_code error, std::size_t bytes);
  void on_input(char* bytes, std::size_t size);
  void on_read_error(const boost::beast::error_code& error);
  // The client's websocket ended (its close frame, or a protocol error): answer with a close
  // frame carrying `code`, tell the owner `reason`.
  void on_client_done(std::uint16_t code, std::string_view reason);
  void start_close(std::uint16_t code);
  void queue_frame(WebSocketOpcode opcode, std::string_view payload);
  void write_next();
  void on_write(boost::beast::error_code error);
  void teardown_when_done();
  void end();

  GatheringStream stream_;
  WebSocketReader reader_;
  State state_ = State::accepting;
  std::weak_ptr<ServerTransportOwner> owner_;
  std::function<void(bool)> on_accepted_;
  bool accepted_ = false;
  // A TLS connection's read buffer (a plain one reads into one buffer shared by all connections).
  std::unique_ptr<char[]> tls_input_;
  bool reading_ = false;
  bool handling_input_ = false;  // on_input is running
  bool read_paused_ = false;     // the client's pings wait for their pongs to be written
  // Whole websocket frames not yet handed to the stream, and the send() bytes they carry. The
  // frames are laid out here: one write per turn instead of one per message.
  std::string queued_;
  std::size_t queued_bytes_ = 0;
  std::size_t writing_bytes_ = 0;      // the send() bytes of the write in flight
  std::size_t queued_pong_bytes_ = 0;  // the pongs in queued_
  bool writing_ = false;
  bool writing_close_ = false;  // the write in flight carries our close frame
  bool close_queued_ = false;   // our close frame is in queued_ or written
  bool close_written_ = false;  // ... and handed to the stream
  bool client_done_ = false;    // the client's close frame came, or it broke the protocol
  bool tearing_down_ = false;
  SteadyTimer close_deadline_;
  std::function<void()> on_closed_;
};

}  // namespace rtcwire::server
