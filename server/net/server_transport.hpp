// One way of carrying an Engine.IO session's packets to and from the client: a websocket, a series
// of long-polling requests, or an SSE stream (+ POST). The session above is the same for all three.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "connection_limiter.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "transport_set.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class ServerTransport;

// What a transport reports to the session it carries.
class ServerTransportOwner {
 public:
  virtual void on_packet(ServerTransport& from, engineio::Packet packet) = 0;
  // The transport finished a send() of `bytes` (0 when it only became writable) and may take more.
  virtual void on_drain(ServerTransport& from, std::size_t bytes) = 0;
  // The client broke the protocol on this transport (e.g. an undecodable frame).
  virtual void on_transport_error(ServerTransport& from, std::string_view reason) = 0;
  // The connection is gone: nothing more can be sent on it.
  virtual void on_transport_lost(ServerTransport& from, std::string_view reason) = 0;

 protected:
  ~ServerTransportOwner() = default;
};

enum class TransportClose {
  server,   // the server ends the session: tell the client (close packet, close frame)
  client,   // the client asked to close: release it quietly (a noop to a waiting poll)
  discard,  // an upgrade replaced the transport: release the client's waiting request
  abort,    // drop the connection without a word
};

class ServerTransport {
 public:
  virtual ~ServerTransport() = default;

  virtual TransportKind kind() const = 0;
  // Events go to `owner` from now on; a transport reads nothing before it has an owner.
  virtual void attach(std::weak_ptr<ServerTransportOwner> owner) = 0;
  // Whether a send() would go out now. A polling transport is writable only while a GET waits.
  virtual bool writable() const = 0;
  // Sends the packets as one write; on_drain(bytes) follows once they are written. Call only when
  // writable(), except for a websocket probe's pong.
  virtual void send(std::vector<engineio::Packet> packets, std::size_t bytes) = 0;
  // During an upgrade: release the client's downstream wait with a noop, then send nothing until
  // resume() (the upgrade failed) or close(discard) (it succeeded).
  virtual void pause() {}
  virtual void resume() {}
  // Whether reading waits for the client to read what the transport owes it (a websocket's pongs).
  virtual bool reading_paused() const { return false; }
  // Ends the transport; `done` runs once, when it holds no connection any more (maybe at once).
  virtual void close(TransportClose how, std::function<void()> done) = 0;

  // The counted place of the connection this transport took over (a websocket, an SSE stream),
  // kept as long as the transport, so the connection limits see it.
  void hold(ConnectionSlot slot) { slot_ = std::move(slot); }

 private:
  ConnectionSlot slot_;
};

}  // namespace rtcwire::server
