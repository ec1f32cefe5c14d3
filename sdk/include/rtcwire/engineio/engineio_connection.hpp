// One Engine.IO v4 client session over a transport, sans-I/O: handshake, heartbeat, messages, and
// the upgrade of a polling or sse session to websocket (probe, pause, switch). It consumes
// platform events and the time, and produces platform actions, deadlines and connection events.
// A connection is used once; connecting again means a new connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/fifo.hpp"
#include "rtcwire/base/random_source.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/base/timer_table.hpp"
#include "rtcwire/engineio/client_transport.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "rtcwire/engineio/transport_action.hpp"

namespace rtcwire::engineio {

enum class EngineIoState {
  idle,     // created, nothing asked yet
  opening,  // transport requested, waiting for the Engine.IO open packet
  open,     // open packet received: messages flow
  closed,   // finished, for whatever reason
};

std::string_view to_string(EngineIoState state);

namespace engineio_event {
struct Opened {
  OpenInfo info;
};
struct Message {
  std::string data;
  bool binary = false;
};
struct Upgraded {  // the session now runs over this transport
  TransportKind kind;
};
struct Closed {
  std::optional<base::Error> error;  // empty when closed on request
};
}  // namespace engineio_event

using EngineIoEvent = std::variant<engineio_event::Opened, engineio_event::Message,
                                   engineio_event::Upgraded, engineio_event::Closed>;

// Makes the websocket transport for an upgrade probe (with a fresh generation).
using ProbeFactory = std::function<std::unique_ptr<ClientTransport>()>;

class EngineIoConnection {
 public:
  // Without a probe factory the connection never upgrades.
  // After a failed probe the next one waits reprobe_after[n] (the last one repeating) for the
  // n-th failure, ±25% jitter from `random_seed`; empty: one probe per connection.
  EngineIoConnection(std::unique_ptr<ClientTransport> transport, ProbeFactory probe_factory = {},
                     base::Millis upgrade_timeout = base::Millis(10000),
                     std::vector<base::Millis> reprobe_after = {}, uint64_t random_seed = 0);

  EngineIoState state() const { return state_; }
  TransportKind transport_kind() const { return transport_->kind(); }
  // True for the generation of the current transport or of an upgrade probe.
  bool owns(uint32_t generation) const;
  // Valid once open.
  const OpenInfo& open_info() const { return open_info_; }

  base::Status open(base::Millis now);
  base::Status send_message(std::string text);
  // Closes on request: sends the Engine.IO close packet when open, then closes the transport.
  void close();
  // Gives up on the connection without a close packet, which would tell the server the client is
  // leaving for good; the Closed event carries `error`.
  void abandon(base::Error error);

  void handle_transport_open(uint32_t generation, base::Millis now);
  void handle_transport_text(uint32_t generation, std::string_view text, base::Millis now);
  void handle_transport_binary(uint32_t generation, std::string_view bytes, base::Millis now);
  void handle_transport_closed(uint32_t generation, base::Millis now);
  void handle_transport_error(uint32_t generation, std::string_view reason, base::Millis now);
  void handle_http_response(uint32_t generation, uint32_t id, int status, std::string_view body,
                            base::Millis now);
  void handle_timeout(base::Millis now);

  std::optional<TransportAction> poll_action();
  std::optional<EngineIoEvent> poll_event();
  std::optional<base::Millis> poll_timeout() const { return timers_.earliest(); }

 private:
  enum class Timer { liveness, upgrade, reprobe };
  // The upgrade sub-machine: none (may probe) -> probing -> pausing (old transport drains) ->
  // done; a failed probe goes back to none when another is planned, else to done.
  enum class Upgrade { none, probing, pausing, done };

  base::Status transition(EngineIoState next);
  // The one place the upgrade state changes; an illegal move is an error and changes nothing.
  base::Status move_upgrade(Upgrade next);
  ClientTransport* find(uint32_t generation);
  void collect_actions();
  // Moves actions out of the transports and reacts to their signals until both are quiet.
  void drain(base::Millis now);
  void on_transport_signal(TransportSignal signal, base::Millis now);
  void on_probe_signal(TransportSignal signal, base::Millis now);
  void handle_packet(Packet packet, base::Millis now);
  void send_packet(Packet packet);
  void start_probe();
  // Drops the probe; `after`: done when no other probe may follow, none when one may.
  void abandon_probe(Upgrade after = Upgrade::done);
  // The probe did not work out: the session stays where it is and probes again later.
  void probe_failed(base::Millis now);
  void complete_upgrade();
  void fail(base::Error error);
  void arm_liveness(base::Millis now);

  std::unique_ptr<ClientTransport> transport_;
  std::unique_ptr<ClientTransport> probe_;
  ProbeFactory probe_factory_;
  base::Millis upgrade_timeout_;
  std::vector<base::Millis> reprobe_after_;
  base::RandomSource random_;
  std::size_t probes_failed_ = 0;
  Upgrade upgrade_ = Upgrade::none;
  std::vector<Packet> held_;  // written while the transport is paused for an upgrade
  EngineIoState state_ = EngineIoState::idle;
  OpenInfo open_info_;
  base::TimerTable<Timer, 3> timers_;
  base::Fifo<TransportAction> actions_;
  base::Fifo<EngineIoEvent> events_;
};

}  // namespace rtcwire::engineio
