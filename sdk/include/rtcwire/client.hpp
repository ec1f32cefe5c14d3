// The rtcwire client core: session, rooms and messaging over an Engine.IO connection, sans-I/O.
// Inputs are app commands and platform events (each with the current time); outputs are
// transport actions for the platform, events for the app, and the next timer deadline.
// Model: quinn-proto's Connection (handle_* in, poll_* out).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtcwire/engineio_connection.hpp"
#include "rtcwire/envelope.hpp"
#include "rtcwire/error.hpp"
#include "rtcwire/room_membership.hpp"
#include "rtcwire/server_url.hpp"
#include "rtcwire/time.hpp"
#include "rtcwire/timer_table.hpp"
#include "rtcwire/transport_action.hpp"

namespace rtcwire {

enum class ClientState {
  idle,          // created, connect() not called yet
  connecting,    // transport and handshake in progress
  connected,     // welcomed by the server: rooms and messages work
  disconnected,  // the connection was lost or refused
  closed,        // closed by the app; final
};

std::string_view to_string(ClientState state);

struct ClientConfig {
  std::string url;                      // http(s) or ws(s) URL of rtcwire-server
  std::string sdk = "rtcwire-cpp";      // sent in hello, informational
  Millis handshake_timeout{10000};      // connect() to welcome
  std::size_t max_message_bytes = 65536;  // until the server's welcome says otherwise
};

namespace client_event {
struct StateChanged {
  ClientState state;
  std::optional<Error> error;  // why, for disconnected
};
struct RoomJoined {
  std::string room;
  std::vector<std::string> peers;  // the others already there
};
struct RoomLeft {
  std::string room;
};
struct PeerJoined {
  std::string peer;
};
struct PeerLeft {
  std::string peer;
};
enum class MessageKind { room, direct };
struct MessageReceived {
  std::string from;
  MessageKind kind;
  envelope::Json data;
};
struct SignalReceived {
  std::string from;
  envelope::Json data;
};
// An error that did not change the client's state (e.g. the server refused one request).
struct ErrorRaised {
  Error error;
};
}  // namespace client_event

using ClientEvent =
    std::variant<client_event::StateChanged, client_event::RoomJoined, client_event::RoomLeft,
                 client_event::PeerJoined, client_event::PeerLeft, client_event::MessageReceived,
                 client_event::SignalReceived, client_event::ErrorRaised>;

class Client {
 public:
  explicit Client(ClientConfig config);

  ClientState state() const { return state_; }
  const std::string& peer_id() const { return peer_id_; }
  const RoomMembership& membership() const { return membership_; }
  std::size_t max_message_bytes() const { return max_message_bytes_; }

  // App commands. A returned error is the app's mistake (origin local) and changes nothing.
  Status connect(Millis now);
  Status join(std::string room, Millis now);
  Status leave(Millis now);
  Status publish(envelope::Json data, Millis now);
  Status send(std::string peer, envelope::Json data, Millis now);
  Status signal(std::string peer, envelope::Json data, Millis now);
  void close(Millis now);

  // Platform events, each tagged with the generation of the transport it came from.
  void handle_transport_open(uint32_t generation, Millis now);
  void handle_transport_text(uint32_t generation, std::string_view frame, Millis now);
  void handle_transport_binary(uint32_t generation, std::string_view frame, Millis now);
  void handle_transport_closed(uint32_t generation, Millis now);
  void handle_transport_error(uint32_t generation, std::string_view reason, Millis now);
  void handle_timeout(Millis now);

  std::optional<TransportAction> poll_action();
  std::optional<ClientEvent> poll_event();
  std::optional<Millis> poll_timeout() const;

 private:
  enum class Timer { handshake };

  Status transition(ClientState next, std::optional<Error> error = std::nullopt);
  Status require_connected() const;
  Status require_room() const;
  Status send_envelope(const envelope::ClientEnvelope& envelope);
  // Moves whatever the connection produced into this client's queues and reacts to its events.
  void drain_connection();
  void handle_message(const std::string& text, bool binary);
  void handle_envelope(envelope::ServerEnvelope envelope);
  void lose_connection(Error error);
  bool is_current(uint32_t generation) const;

  ClientConfig config_;
  ServerUrl server_url_;
  std::optional<Error> config_error_;
  ClientState state_ = ClientState::idle;
  uint32_t next_generation_ = 1;
  std::unique_ptr<EngineIoConnection> connection_;
  std::string peer_id_;
  std::size_t max_message_bytes_;
  RoomMembership membership_;
  TimerTable<Timer, 1> timers_;
  std::deque<TransportAction> actions_;
  std::deque<ClientEvent> events_;
};

}  // namespace rtcwire
