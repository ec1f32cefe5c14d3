// One Engine.IO v4 client connection over one transport, sans-I/O: it consumes transport events
// and the time, and produces transport actions, a liveness deadline and connection events.
// A connection is used once; reconnecting means a new connection with a new generation.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "rtcwire/engineio_packet.hpp"
#include "rtcwire/error.hpp"
#include "rtcwire/time.hpp"
#include "rtcwire/timer_table.hpp"
#include "rtcwire/transport_action.hpp"

namespace rtcwire {

enum class EngineIoState {
  idle,         // created, nothing asked yet
  opening,      // transport requested, not open yet
  handshaking,  // transport open, waiting for the Engine.IO open packet
  open,         // open packet received: messages flow
  closed,       // finished, for whatever reason
};

std::string_view to_string(EngineIoState state);

namespace engineio_event {
struct Opened {
  engineio::OpenInfo info;
};
struct Message {
  std::string data;
  bool binary = false;
};
struct Closed {
  std::optional<Error> error;  // empty when closed on request
};
}  // namespace engineio_event

using EngineIoEvent =
    std::variant<engineio_event::Opened, engineio_event::Message, engineio_event::Closed>;

class EngineIoConnection {
 public:
  EngineIoConnection(uint32_t generation, TransportKind kind, std::string endpoint);

  uint32_t generation() const { return generation_; }
  EngineIoState state() const { return state_; }
  // Valid once open.
  const engineio::OpenInfo& open_info() const { return open_info_; }

  Status open(Millis now);
  Status send_message(std::string text);
  // Closes on request: sends the Engine.IO close packet when open, then closes the transport.
  void close();

  void handle_transport_open(Millis now);
  void handle_transport_text(std::string_view frame, Millis now);
  void handle_transport_binary(std::string_view frame, Millis now);
  void handle_transport_closed(Millis now);
  void handle_transport_error(std::string_view reason, Millis now);
  void handle_timeout(Millis now);

  std::optional<TransportAction> poll_action();
  std::optional<EngineIoEvent> poll_event();
  std::optional<Millis> poll_timeout() const { return timers_.earliest(); }

 private:
  enum class Timer { liveness };

  Status transition(EngineIoState next);
  void handle_packet(engineio::Packet packet, Millis now);
  void fail(Error error);
  void arm_liveness(Millis now);

  uint32_t generation_;
  TransportKind kind_;
  std::string endpoint_;
  EngineIoState state_ = EngineIoState::idle;
  engineio::OpenInfo open_info_;
  TimerTable<Timer, 1> timers_;
  std::deque<TransportAction> actions_;
  std::deque<EngineIoEvent> events_;
};

}  // namespace rtcwire
