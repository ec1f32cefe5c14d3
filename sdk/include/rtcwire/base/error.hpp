// Errors are values: a stable code, where the fault lies, and a message for humans.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rtcwire::base {

// Where an error came from. Models h11's LocalProtocolError / RemoteProtocolError split.
enum class ErrorOrigin {
  local,      // the app misused the API (bad argument, wrong state)
  remote,     // the other side violated the protocol or refused a request
  transport,  // the network failed (socket closed, timed out)
};

// Stable codes: they cross the Wasm boundary and travel in error envelopes, so never renumber or
// rename one; add new codes at the end.
enum class ErrorCode {
  malformed_packet,     // Engine.IO framing that cannot be decoded
  malformed_json,       // not valid JSON (or invalid UTF-8)
  invalid_envelope,     // JSON that is not a valid rtcwire envelope (missing/mistyped field)
  unsupported_version,  // envelope version this side does not speak
  unknown_type,         // envelope type this side does not know
  message_too_large,    // over the negotiated size limit
  invalid_room,         // room name empty, too long or with control characters
  invalid_peer,         // peer id malformed
  not_in_room,          // action that needs a room while in none
  peer_not_found,       // target peer is not in the sender's room
  not_connected,        // action that needs a connection while there is none
  invalid_state,        // action not allowed in the current state
  handshake_timeout,    // transport open but no Engine.IO open / welcome in time
  ping_timeout,         // no ping from the server within pingInterval + pingTimeout
  transport_closed,     // the transport closed underneath us
  transport_error,      // the transport reported an error
  server_closed,        // the server closed the session
  invalid_argument,     // an app argument of the wrong shape
  internal,             // a bug: reported, never crashes
  session_expired,      // resume refused: the session is unknown (expired, or the server restarted)
  buffer_overflow,      // the server's replay buffer for the session overflowed: the session ended
  buffer_full,          // (client) too much unacknowledged outgoing data: slow down
  invalid_sequence,     // a sequence number or ack that skips ahead or points past what was sent
  going_away,           // the server is shutting down and asked the client to reconnect
  too_many_sessions,    // the client's address holds as many sessions as the server allows
  rate_limited,         // the sender is over its rate, or a receiver is not keeping up: refused
  server_busy,          // the server's buffers are full across all sessions: refused, try later
  unauthorized,         // the connection token is missing, malformed, badly signed or not yet valid
  token_expired,        // the connection token expired: refresh it (or reconnect with a new one)
  forbidden_room,       // the token's `rooms` claim does not allow this room
  forbidden_publish,    // the token says `publish: false`: this session may only listen
  hash_mismatch,        // a received file's SHA-256 differs from the sender's: the file is dropped
  transfer_rejected,    // the receiving app declined a file
  transfer_cancelled,   // a file transfer was cancelled by one side
  invalid_transfer,     // a file control message or chunk that breaks the transfer protocol
  too_many_transfers,   // over the limit of concurrent file transfers with one peer
  invalid_signal,       // a peer's negotiation message (description, candidate) was malformed
  ice_failed,           // a peer connection failed and its ICE restarts are used up
  channel_closed,       // the data channel is closed (or gone with its connection)
  negotiation_failed,   // the browser refused a negotiation step (an RTCPeerConnection op failed)
  peer_closed,          // the peer is closed (hung up, left the room): nothing more goes to it
  turn_not_configured,  // the server has no TURN secret: it cannot mint ICE server credentials
  turn_failed,          // gathering ended without a relay candidate although TURN was configured
  ice_servers_unavailable,  // the iceServers provider failed: the last good list stays in use
  invalid_ice_servers,      // an ICE server list from the network is malformed: it is ignored
};

std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> error_code_from_string(std::string_view name);
std::string_view to_string(ErrorOrigin origin);

struct Error {
  ErrorCode code;
  ErrorOrigin origin;
  std::string message;

  bool operator==(const Error&) const = default;
};

inline Error local_error(ErrorCode code, std::string message) {
  return Error{code, ErrorOrigin::local, std::move(message)};
}
inline Error remote_error(ErrorCode code, std::string message) {
  return Error{code, ErrorOrigin::remote, std::move(message)};
}
inline Error transport_error(ErrorCode code, std::string message) {
  return Error{code, ErrorOrigin::transport, std::move(message)};
}

// A state machine refused a move its owner asked for: a bug on this side, reported to the app as
// `internal` (never discarded, never a crash) with what was refused.
inline Error internal_error(const Error& refusal) {
  return Error{ErrorCode::internal, ErrorOrigin::local, "internal: " + refusal.message};
}

// A value or an error (std::expected is C++23 and absent from the Emscripten libc++ here).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Error error) : value_(std::move(error)) {}

  bool ok() const { return value_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(value_); }
  const T& value() const { return std::get<0>(value_); }
  const Error& error() const { return std::get<1>(value_); }

 private:
  std::variant<T, Error> value_;
};

// Result of an operation with nothing to return.
struct Done {};
using Status = Result<Done>;
inline Status ok() { return Done{}; }

}  // namespace rtcwire::base
