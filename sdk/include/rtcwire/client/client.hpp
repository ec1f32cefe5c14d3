// The rtcwire client core: session, rooms and messaging over an Engine.IO connection, sans-I/O.
// Inputs are app commands and platform events (each with the current time); outputs are
// transport actions for the platform, events for the app, and the next timer deadline.
// Model: quinn-proto's Connection (handle_* in, poll_* out).
#pragma once

#include <cstdint>
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
#include "rtcwire/client/ice_server_sources.hpp"
#include "rtcwire/client/reconnect_policy.hpp"
#include "rtcwire/client/reconnect_schedule.hpp"
#include "rtcwire/client/transport_ladder.hpp"
#include "rtcwire/engineio/engineio_connection.hpp"
#include "rtcwire/engineio/server_url.hpp"
#include "rtcwire/engineio/transport_action.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/peer/peer_registry.hpp"
#include "rtcwire/session/client_session.hpp"
#include "rtcwire/session/room_membership.hpp"

namespace rtcwire::client {

enum class ClientState {
  idle,          // created, connect() not called yet
  connecting,    // transport and handshake in progress
  connected,     // welcomed by the server: rooms and messages work
  reconnecting,  // the connection was lost; waiting to try again (or for the network)
  disconnected,  // the connection failed and will not be retried
  closed,        // closed by the app; final
};

std::string_view to_string(ClientState state);

// A transport that worked for a server, remembered by the platform until `until`.
struct RememberedTransport {
  engineio::TransportKind kind;
  base::Millis until;
};

struct ClientConfig {
  std::string url;                  // http(s) or ws(s) URL of rtcwire-server
  std::string sdk = "rtcwire-cpp";  // sent in hello, informational
  // The transport ladder, tried in this order; an upgrade to websocket follows a fallback when
  // websocket is in the list.
  std::vector<engineio::TransportKind> transports{engineio::TransportKind::websocket,
                                                  engineio::TransportKind::sse,
                                                  engineio::TransportKind::polling};
  // Per transport attempt: from opening it to the server's welcome. A transport that has not
  // delivered the Engine.IO open packet by then counts as failed and the next one is tried.
  base::Millis handshake_timeout{5000};
  // An attempt that has not opened after this head start does not hold up the next one: the next
  // rung starts alongside it (happy eyeballs) and the first to open wins. Past the last rung the
  // last transport is tried again alongside, for an attempt stuck on a dead pooled connection.
  base::Millis race_head_start{400};
  // Such a repeat needs a head start of only a few handshakes with this server (never less than
  // this, never more than race_head_start): a dead connection fails an attempt by silence alone,
  // and a browser may hold several, each costing one head start after a silent drop.
  base::Millis repeat_head_start_min{50};
  base::Millis upgrade_timeout{10000};
  // After a failed upgrade probe the session probes websocket again after these waits (±25%
  // jitter), the last one repeating; empty: one probe per connection.
  std::vector<base::Millis> reprobe_after{base::Millis(5000), base::Millis(30000),
                                          base::Millis(5 * 60 * 1000)};
  // Each step down the ladder waits a random delay in this range: never a zero-delay loop.
  base::Millis ladder_delay_min{50};
  base::Millis ladder_delay_max{250};
  // How long a transport that worked is worth starting with on the next connect.
  base::Millis remember_for{10 * 60 * 1000};
  std::optional<RememberedTransport> remembered;
  // After a connection that was established is lost; `max_attempts = 0` never retries.
  ReconnectPolicy reconnect;
  uint64_t random_seed = 0;
  std::size_t max_message_bytes = 65536;  // until the server's welcome says otherwise
  // Requests kept until the server acknowledges them (encoded bytes); past it, buffer_full.
  std::size_t resume_buffer_bytes = 1024 * 1024;
  // The WebRTC peer layer: auto-connect, ICE servers, restart policy.
  peer::PeerConfig peers;
};

namespace client_event {
struct StateChanged {
  ClientState state;
  std::optional<base::Error> error;  // why, for reconnecting and disconnected
  uint32_t attempt = 0;              // reconnecting: the attempt that comes next (1 for the first)
  std::optional<base::Millis> retry_in;  // reconnecting: the wait before it; empty while offline
  bool resumed = false;                  // connected: the previous session continues
  // connected: what the welcome said, as it was then (a later event may change the client).
  std::string peer_id{};
  std::size_t max_message_bytes = 0;
  std::optional<engineio::TransportKind> transport{};
};
// Connected again with a new session (after StateChanged connected, resumed false): the room and
// presence are gone, rebuild app state. `undelivered` are the requests the old session never
// acknowledged, oldest first (the server may or may not have processed them).
struct Resync {
  base::Error
      reason;  // why the session could not continue, e.g. session_expired or buffer_overflow
  std::vector<envelope::ClientEnvelope> undelivered;
};
struct RoomJoined {
  std::string room;
  std::vector<std::string> peers;  // the others already there
  // The user (connection token `sub`) of each peer that has one: peer id -> user, or null.
  envelope::Json users;
  envelope::RequestId request = 0;  // the join this answers (0: none pending)
};
struct RoomLeft {
  std::string room;
};
struct PeerJoined {
  std::string peer;
  std::optional<std::string> user;
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
// The session now runs over `kind` (after connecting, or after an upgrade).
struct TransportChanged {
  engineio::TransportKind kind;
};
// The platform should remember, for connects to `server`, to start with `kind` until `until`.
struct RememberTransport {
  std::string server;
  RememberedTransport transport;
};
// The connection token is about to expire, or the server refused it: the platform asks the app for
// a fresh one and passes it to set_token().
struct TokenNeeded {};
// The app's iceServersProvider is due: the platform calls it and reports ice_servers_provided()
// or ice_servers_failed().
struct IceServersNeeded {};
// An error that did not change the client's state (e.g. the server refused one request).
struct ErrorRaised {
  base::Error error;
  envelope::RequestId request = 0;  // the request the server refused, when it named one
};
}  // namespace client_event

using ClientEvent =
    std::variant<client_event::StateChanged, client_event::RoomJoined, client_event::RoomLeft,
                 client_event::PeerJoined, client_event::PeerLeft, client_event::MessageReceived,
                 client_event::SignalReceived, client_event::TransportChanged,
                 client_event::RememberTransport, client_event::Resync, client_event::ErrorRaised,
                 client_event::TokenNeeded, client_event::IceServersNeeded, peer::PeerNotice>;

class Client {
 public:
  explicit Client(ClientConfig config);
  // Its connections call back into it (for probe generations), so it stays where it was made.
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  ClientState state() const { return state_; }
  // The session's peer id (kept while reconnecting); empty without a session.
  const std::string& peer_id() const { return session_.peer_id(); }
  const session::RoomMembership& membership() const { return session_.membership(); }
  // Bytes of requests not acknowledged by the server yet (sent, or queued while reconnecting).
  std::size_t buffered_bytes() const { return session_.unacked_bytes(); }
  std::size_t max_message_bytes() const { return max_message_bytes_; }
  // The transport in use (or being tried), if any.
  std::optional<engineio::TransportKind> transport() const;

  // App commands. A returned error is the app's mistake (origin local) and changes nothing.
  // While a session waits to be resumed (reconnecting), requests are queued and sent on resume.
  base::Status connect(base::Millis now);
  // The id that the RoomJoined or ErrorRaised answering this join will carry.
  base::Result<envelope::RequestId> join(std::string room, base::Millis now);
  base::Status leave(base::Millis now);
  base::Status publish(envelope::Json data, base::Millis now);
  base::Status send(std::string peer, envelope::Json data, base::Millis now);
  base::Status signal(std::string peer, envelope::Json data, base::Millis now);
  void close(base::Millis now);
  // The app's connection token: every hello carries the latest one; while connected, a new one is
  // sent at once in a refresh envelope (no reconnect).
  base::Status set_token(std::string token, base::Millis now);

  // The app's ICE servers (and iceTransportPolicy 'all' | 'relay'; empty: unchanged) replace the
  // connect option's: checked like it (error local invalid_argument, nothing changes). Every
  // connection takes a changed effective list by set-configuration and an ICE restart.
  base::Status set_ice_servers(nlohmann::json servers, std::string_view policy, base::Millis now);
  // The platform's answer to IceServersNeeded: the provider's JSON text, or why it failed. A
  // failure or a bad list is an ice_servers_unavailable error event; the last good list stays.
  void ice_servers_provided(std::string_view json, base::Millis now);
  void ice_servers_failed(std::string_view reason, base::Millis now);

  // The peer layer (docs/architecture.md, "Peers"). App commands; errors are local.
  base::Status peer_connect(const std::string& peer, base::Millis now);
  base::Status peer_close(const std::string& peer, base::Millis now);
  base::Status peer_restart_ice(const std::string& peer, base::Millis now);
  base::Result<uint32_t> channel_open(const std::string& peer, std::string label,
                                      peer::ChannelOptions options, base::Millis now);
  base::Status channel_close(uint32_t channel, base::Millis now);
  // JS queued a payload of `bytes` for `channel` (it keeps the bytes).
  base::Status channel_enqueue(uint32_t channel, uint64_t bytes, base::Millis now);
  base::Status set_local_tracks(std::vector<peer::LocalTrack> tracks, base::Millis now);
  base::Status replace_track(uint32_t old, uint32_t replacement, base::Millis now);
  // The op id the `peer-stats` notice answering it will carry.
  base::Result<uint32_t> peer_stats(const std::string& peer, base::Millis now);
  // File transfers (docs/architecture.md, "File transfer"): the app's calls, the files channel's
  // messages, JS's reports.
  base::Result<uint32_t> file_send(const std::string& peer, std::string name, uint64_t size,
                                   std::string type, base::Millis now);
  base::Status file_accept(uint32_t transfer, base::Millis now);
  base::Status file_reject(uint32_t transfer, base::Millis now);
  base::Status file_cancel(uint32_t transfer, base::Millis now);
  base::Status file_control(uint32_t channel, std::string_view text, base::Millis now);
  base::Result<peer::ChunkAnswer> file_chunk(uint32_t channel, uint32_t sender_id, uint64_t offset,
                                             uint32_t length, base::Millis now);
  base::Status file_sent(uint32_t transfer, uint64_t offset, uint32_t length, base::Millis now);
  base::Status file_digest(uint32_t transfer, std::string_view sha256, base::Millis now);
  // What the JS layer's RTCPeerConnections and RTCDataChannels did.
  void handle_peer_event(const peer::PeerEvent& event, base::Millis now);
  const peer::PeerRegistry& peers() const { return peers_; }

  // Platform events, each tagged with the generation of the transport it came from.
  void handle_transport_open(uint32_t generation, base::Millis now);
  void handle_transport_text(uint32_t generation, std::string_view frame, base::Millis now);
  void handle_transport_binary(uint32_t generation, std::string_view frame, base::Millis now);
  void handle_transport_closed(uint32_t generation, base::Millis now);
  void handle_transport_error(uint32_t generation, std::string_view reason, base::Millis now);
  // The answer to an HttpRequest; status 0 when the request failed without a response.
  void handle_http_response(uint32_t generation, uint32_t id, int status, std::string_view body,
                            base::Millis now);
  // Fires every timer due at `now` (the platform calls it at poll_timeout()).
  void handle_timeout(base::Millis now);
  // The browser's online/offline events: offline holds reconnection, online retries at once.
  void handle_network_change(bool online, base::Millis now);

  std::optional<engineio::TransportAction> poll_action();
  std::optional<peer::PeerAction> poll_peer_action();
  std::optional<ClientEvent> poll_event();
  std::optional<base::Millis> poll_timeout() const;

 private:
  enum class Timer { handshake, ack, token_refresh, replay };
  // An earlier attempt of this connect, still opening alongside the newest.
  struct RacingAttempt {
    std::unique_ptr<engineio::EngineIoConnection> connection;
    base::Millis deadline;  // its handshake timeout
    base::Millis started;
  };
  static constexpr std::size_t kMaxParallelAttempts = 3;

  base::Status transition(client_event::StateChanged change);
  // Moves to a new state; a refused move is a bug in this class, reported as an internal error.
  void enter(client_event::StateChanged change);
  // A machine refused what this client asked of it: the app sees an internal error.
  void report_internal(const base::Error& refusal);
  // Requests need a connection, or a session to queue them for.
  base::Status require_session() const;
  base::Status require_room() const;
  base::Status require_peer(const std::string& peer) const;
  // Numbers and keeps a request for the session and sends it when connected.
  base::Status submit(envelope::ClientEnvelope request);
  // Writes one encoded envelope on the connection.
  base::Status write(std::string text);
  void send_ack();
  // Acknowledges now when enough arrived, otherwise arms the ack timer.
  void schedule_ack();
  // A gap in the server's stream: asks for a replay after the last envelope in order.
  void request_replay(base::Millis now);
  // Opens a transport attempt; the newest one, if still opening, keeps running alongside.
  void start_attempt(engineio::TransportKind kind, base::Millis now);
  // The current transport attempt failed before the Engine.IO handshake: the ladder says what next.
  void attempt_failed(base::Error error, base::Millis now);
  // Events of the earlier attempts: the first to open replaces the newest, failures drop out.
  void drain_racing(base::Millis now);
  void close_racing();
  // The Engine.IO open packet arrived on connection_: hello goes out.
  void on_opened(base::Millis now);
  RacingAttempt* racing(uint32_t generation);
  // The connection (the current one or an earlier attempt) a platform event belongs to.
  engineio::EngineIoConnection* route(uint32_t generation);
  // Reacts to what `target` produced after a platform event.
  void drain(const engineio::EngineIoConnection& target, base::Millis now);
  void drain_connection(base::Millis now);
  void handle_message(const std::string& text, bool binary, base::Millis now);
  void handle_welcome(envelope::Welcome welcome, base::Millis now);
  // The server said how long the token stays valid: ask for a new one before then.
  void schedule_token_refresh(std::uint64_t lifetime_ms, base::Millis now);
  void handle_envelope(envelope::ServerEnvelope envelope, base::Millis now);
  // The pending join an answer settles (`echoed`: the id it carries, 0 for the oldest); 0 if none.
  envelope::RequestId answer_join(envelope::RequestId echoed);
  // Ends the connection and the session: the next connection starts a new session.
  void abandon_session(base::Error error, base::Millis now);
  // The connection is gone: retry per the policy if one was established, else give up.
  void lose_connection(base::Error error, base::Millis now);
  // Asks the reconnect schedule what follows the loss of the connection, and follows it.
  void schedule_reconnect(base::Error error, ReconnectReason reason, base::Millis going_away_within,
                          base::Millis now);
  // Turns a step of the reconnect schedule into this client's state.
  void follow(base::Result<ReconnectStep> step, std::optional<base::Error> error, base::Millis now);
  void start_connecting(base::Millis now);
  bool owns(uint32_t generation) const;
  // One round of handle_timeout(): every deadline passed by `now` as the round begins.
  void fire_due_timers(base::Millis now);
  // The peer layer's signals go out as `signal` requests, its notices join the events.
  void collect_peer_outputs();
  // The effective ICE configuration changed, maybe: the peer layer applies a real change.
  void apply_ice_servers();
  // The server's TURN credentials (welcome or an ice-servers answer): kept and applied, or, when
  // malformed, an invalid_ice_servers error event.
  void take_server_ice_servers(const envelope::IceServersGrant& grant, base::Millis now);
  // Asks what IceServerSources says is due: the server's credentials, the app's provider.
  void refresh_ice_servers(base::Millis now);
  // Runs a peer command and collects what it produced.
  template <class Command>
  auto with_peers(Command command);

  ClientConfig config_;
  engineio::ServerUrl server_url_;
  std::optional<base::Error> config_error_;
  base::RandomSource random_;
  ClientState state_ = ClientState::idle;
  uint32_t next_generation_ = 1;
  TransportLadder ladder_;
  base::Millis attempt_started_{0};  // when the current attempt was opened
  std::unique_ptr<engineio::EngineIoConnection> connection_;
  std::size_t max_message_bytes_;
  session::ClientSession session_;
  base::TimerTable<Timer, 4> timers_;
  ReconnectSchedule reconnect_;
  std::optional<std::string> token_;  // the app's connection token, when it uses one
  // The server refused hello (say, unauthorized): the reason the connection then closes.
  std::optional<base::Error> hello_refusal_;
  std::vector<RacingAttempt> racing_;
  bool replay_requested_ = false;  // a replay was asked for and nothing in order arrived since
  envelope::RequestId last_request_id_ = 0;
  // Joins not answered yet, oldest first: a server that echoes no ids answers them in order.
  std::vector<envelope::RequestId> pending_joins_;
  base::Fifo<engineio::TransportAction> actions_;
  base::Fifo<ClientEvent> events_;
  IceServerSources ice_servers_;
  peer::PeerRegistry peers_;
};

}  // namespace rtcwire::client
