// The Engine.IO long-polling transport, downstream half: the client's GET waits until the session
// has packets, which go out as one payload (packets joined by \x1e, binary as b + base64). One GET
// may wait at a time. Upstream POSTs are the session's, shared with the SSE transport.
#pragma once

#include <memory>

#include "server_transport.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class HttpSession;

class PollingServerTransport final : public ServerTransport,
                                     public std::enable_shared_from_this<PollingServerTransport> {
 public:
  // A GET of this session: held until there is something to send.
  void on_poll(std::shared_ptr<HttpSession> request);

  TransportKind kind() const override { return TransportKind::polling; }
  void attach(std::weak_ptr<ServerTransportOwner> owner) override { owner_ = std::move(owner); }
  bool writable() const override { return open_ && !paused_ && waiting_ != nullptr; }
  void send(std::vector<engineio::Packet> packets, std::size_t bytes) override;
  void pause() override;
  void resume() override;
  void close(TransportClose how, std::function<void()> done) override;

 private:
  void on_poll_gone(const HttpSession* request);
  // Answers the waiting GET with one payload.
  void answer(std::vector<engineio::Packet> packets);

  std::weak_ptr<ServerTransportOwner> owner_;
  std::shared_ptr<HttpSession> waiting_;
  bool open_ = true;
  bool paused_ = false;
};

}  // namespace rtcwire::server
