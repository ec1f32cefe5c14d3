// One Engine.IO v4 session, whatever carries it: the open packet, the server-driven heartbeat (ping
// every pingInterval, pong due within pingTimeout), the packet rules, a bounded send queue,
// upstream POSTs (polling and SSE), and the upgrade of a polling or SSE session to a websocket.
// Message packets go to the Server, which owns the signalling logic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "io_types.hpp"
#include "send_queue.hpp"
#include "server_transport.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class HttpSession;
class Server;

class EngineIoSession final : public ServerTransportOwner,
                              public std::enable_shared_from_this<EngineIoSession> {
 public:
  EngineIoSession(Server& server, ConnectionId connection, std::string sid, std::string remote,
                  std::shared_ptr<ServerTransport> transport);

  // Attaches the transport, sends the open packet and starts the heartbeat.
  void start();
  // Queues one packet for the client.
  void send(engineio::Packet packet);
  // Ends the session from the server side, telling the client.
  void close(std::string_view reason);
  // Sends nothing more and takes no more messages, then closes as close() does once what is
  // queued has been written (or after a short deadline, for a client that does not read).
  void close_when_flushed(std::string_view reason);

  // HTTP requests naming this session, routed here by the Server.
  void on_poll(std::shared_ptr<HttpSession> request);
  void on_post(std::shared_ptr<HttpSession> request, std::string_view body, bool binary_body);
  // A websocket that completed its handshake naming this session: it probes to take over.
  void begin_upgrade(std::shared_ptr<ServerTransport> probe);

  const std::string& sid() const { return sid_; }
  const std::string& remote() const { return remote_; }
  ConnectionId connection() const { return connection_; }
  TransportKind transport_kind() const { return transport_->kind(); }
  bool reading_paused() const { return transport_->reading_paused(); }
  bool upgrading() const { return probe_ != nullptr; }

  // ServerTransportOwner
  void on_packet(ServerTransport& from, engineio::Packet packet) override;
  void on_drain(ServerTransport& from, std::size_t bytes) override;
  void on_transport_error(ServerTransport& from, std::string_view reason) override;
  void on_transport_lost(ServerTransport& from, std::string_view reason) override;

 private:
  // open -> draining (close_when_flushed) -> closing -> closed; open -> closing directly.
  enum class State { open, draining, closing, closed };
  enum class Heartbeat { waiting_to_ping, awaiting_pong };
  // none -> probing (a websocket asked to take over) -> probed (old transport paused) -> none.
  enum class Upgrade { none, probing, probed };

  // The one place each state changes; a move the state does not allow changes nothing.
  bool move_to(State next);
  void move_upgrade(Upgrade next);
  // Open, or draining its queue before it closes: its transports still carry packets.
  bool live() const { return state_ == State::open || state_ == State::draining; }

  void on_session_packet(engineio::Packet packet);
  void on_probe_packet(engineio::Packet packet);
  void complete_upgrade();
  void abandon_upgrade(std::string_view reason);
  void flush();
  void finish_closing_when_flushed();

  // Enters a heartbeat phase and arms its timer: pingInterval before the ping, pingTimeout for
  // the pong.
  void arm_heartbeat(Heartbeat phase);
  void on_heartbeat_timer(std::uint64_t generation);

  // Leaves the open state once: the server is told, then the transport is closed.
  void finish(std::string_view reason, TransportClose how);

  Server& server_;
  ConnectionId connection_;
  std::string sid_;
  std::string remote_;
  State state_ = State::open;
  std::shared_ptr<ServerTransport> transport_;
  SendQueue send_queue_;

  // The websocket of an upgrade in progress; probed: transport_ is paused for it.
  std::shared_ptr<ServerTransport> probe_;
  Upgrade upgrade_ = Upgrade::none;
  SteadyTimer upgrade_deadline_;
  std::uint64_t upgrade_generation_ = 0;

  // Draining: the reason the session closes once its queue is written.
  std::string closing_reason_;
  SteadyTimer flush_deadline_;

  // The generation tells a stale timer completion (one already queued when the timer was re-armed)
  // from a live one.
  SteadyTimer heartbeat_timer_;
  std::uint64_t heartbeat_generation_ = 0;
  Heartbeat heartbeat_ = Heartbeat::waiting_to_ping;
  bool pong_deadline_refreshed_ = false;
};

}  // namespace rtcwire::server
