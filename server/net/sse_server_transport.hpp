// The SSE transport, downstream half: one long `text/event-stream` response (chunked) whose events
// carry Engine.IO payloads (see sse_encoding.hpp), with a comment line on idle streams. Upstream
// POSTs are the session's, shared with the polling transport.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>

#include "io_types.hpp"
#include "server_stream.hpp"
#include "server_transport.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class SseServerTransport final : public ServerTransport,
                                 public std::enable_shared_from_this<SseServerTransport> {
 public:
  // `http_version` of the request; `allow_origin`, when not empty, is sent as
  // Access-Control-Allow-Origin (an allowed cross-origin page, or * in echo mode).
  SseServerTransport(ServerStream stream, unsigned http_version,
                     std::chrono::milliseconds heartbeat_interval, const std::string& allow_origin);

  TransportKind kind() const override { return TransportKind::sse; }
  // Writes the response header and starts the stream.
  void attach(std::weak_ptr<ServerTransportOwner> owner) override;
  bool writable() const override;
  void send(std::vector<engineio::Packet> packets, std::size_t bytes) override;
  void pause() override;
  void resume() override;
  void close(TransportClose how, std::function<void()> done) override;

 private:
  enum class State { open, closing, closed };

  struct Chunk {
    std::string text;
    std::size_t batch_bytes = 0;  // reported by on_drain once written
    bool last = false;            // the end of the response
  };

  void queue(Chunk chunk);
  void write_next();
  void on_write(boost::beast::error_code error, std::size_t batch_bytes);
  void watch_client();
  void arm_heartbeat();
  void end();

  ServerStream stream_;
  State state_ = State::open;
  std::weak_ptr<ServerTransportOwner> owner_;
  boost::beast::http::response<boost::beast::http::empty_body> header_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      serializer_;
  bool header_written_ = false;
  std::deque<Chunk> chunks_;
  bool writing_ = false;
  bool paused_ = false;
  bool chunked_ = true;  // HTTP/1.0 has no chunked encoding: the stream then ends by closing
  std::array<char, 512> discard_{};  // whatever the client sends after its GET
  std::chrono::milliseconds heartbeat_interval_;
  SteadyTimer heartbeat_;
  SteadyTimer close_deadline_;
  std::function<void()> on_closed_;
};

}  // namespace rtcwire::server
