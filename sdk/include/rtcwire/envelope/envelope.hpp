// The rtcwire envelope, version 1: the JSON carried inside Engine.IO message packets.
// Client -> server and server -> client envelopes are distinct types, so each side can only decode
// what the other may legally send. docs/protocol.md describes the wire form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"

namespace rtcwire::envelope {

using Json = nlohmann::json;

inline constexpr int kVersion = 1;
inline constexpr std::size_t kMaxRoomBytes = 128;
// What is_valid_room() checks, for the error that refuses a room name.
inline constexpr std::string_view kRoomNameRule =
    "room names are 1 to 128 bytes of UTF-8 without control, format or separator characters "
    "(Unicode Cc, Cf, Zl, Zp)";
inline constexpr std::size_t kMaxPeerIdBytes = 64;
inline constexpr std::size_t kMaxSdkNameBytes = 64;
inline constexpr std::size_t kMaxErrorMessageBytes = 512;
// Deeper JSON is refused before parsing: it would only serve to exhaust the stack.
inline constexpr int kMaxJsonDepth = 32;
// App data sits one level inside its envelope.
inline constexpr int kMaxAppDataDepth = kMaxJsonDepth - 1;
inline constexpr std::size_t kMaxSessionBytes = 128;
inline constexpr std::size_t kMaxTokenBytes = 128;
// A connection token (JWT) in hello or refresh; real ones are well under 2 KiB.
inline constexpr std::size_t kMaxAuthBytes = 8192;
inline constexpr std::size_t kMaxUserBytes = 128;
// Sequence numbers stay exact in every JSON implementation (2^53 - 1).
inline constexpr std::uint64_t kMaxSeq = 9007199254740991ULL;

// Reliable envelopes carry a per-direction sequence number, 1, 2, 3... per session; 0 means
// "not sequenced" (hello, welcome, ack, goaway, and refusals outside a session).
using Seq = std::uint64_t;
// Names a request so its answer can be matched to it: the client picks it (1 to kMaxSeq), the
// server echoes it on the answer. 0 means "none" (a client that sends no ids gets none back).
using RequestId = std::uint64_t;

// Cumulative acknowledgement, both directions: every sequenced envelope up to `seq` arrived.
// With `replay`, the sender saw a gap after `seq` and asks for everything after it again.
struct Ack {
  Seq seq = 0;
  bool replay = false;
  bool operator==(const Ack&) const = default;
};

// ---- client -> server ----
// Asks to continue an earlier session; `ack` is the last server seq the client received.
struct ResumeRequest {
  std::string session;
  std::string token;
  Seq ack = 0;
  bool operator==(const ResumeRequest&) const = default;
};
struct Hello {
  std::string sdk;  // e.g. "rtcwire-js/0.1.0", informational
  std::optional<ResumeRequest> resume;
  std::optional<std::string> auth;  // the app's connection token (a JWT), when it has one
  bool operator==(const Hello&) const = default;
};
// A fresh connection token for the running session (unsequenced: it matters only now).
struct Refresh {
  std::string auth;
  bool operator==(const Refresh&) const = default;
};
struct Join {
  std::string room;
  RequestId id = 0;
  bool operator==(const Join&) const = default;
};
struct Leave {
  bool operator==(const Leave&) const = default;
};
struct SignalTo {  // WebRTC signalling for one peer of the room
  std::string to;
  Json data;
  bool operator==(const SignalTo&) const = default;
};
struct Publish {  // to every other peer of the room
  Json data;
  bool operator==(const Publish&) const = default;
};
struct DirectTo {  // app message to one peer of the room, relayed by the server
  std::string to;
  Json data;
  bool operator==(const DirectTo&) const = default;
};
// Asks for fresh TURN credentials before the current ones expire (unsequenced, no fields).
struct IceServersRequest {
  bool operator==(const IceServersRequest&) const = default;
};
using ClientEnvelope =
    std::variant<Hello, Join, Leave, SignalTo, Publish, DirectTo, Ack, Refresh, IceServersRequest>;

// ---- server -> client ----
// TURN credentials minted by the server: an RTCIceServer array and how long they stay valid. Both
// in welcome and as the answer to IceServersRequest (unsequenced). The list is kept as JSON, not
// checked here: the client validates it like the app's own iceServers.
struct IceServersGrant {
  Json ice_servers;
  std::uint64_t expires_in_ms = 0;
  bool operator==(const IceServersGrant&) const = default;
};
struct Welcome {
  std::string peer;  // this client's peer id
  std::string session;
  std::string token;                  // secret that resumes `session`
  std::size_t max_message_bytes = 0;  // largest envelope the server accepts
  bool resumed = false;               // the session named in hello.resume continues
  Seq ack = 0;                        // resumed: the last client seq the server received
  // Set when hello asked to resume and the server started a new session instead.
  std::optional<base::ErrorCode> resume_error;
  // With a connection token: how long it stays valid; the client refreshes it before then.
  std::optional<std::uint64_t> auth_expires_in_ms;
  // When the server mints TURN credentials (iceServers, iceServersExpireInMs).
  std::optional<IceServersGrant> ice_servers;
  bool operator==(const Welcome&) const = default;
};
// The answer to Refresh: the new token is in force for this long (unsequenced).
struct Refreshed {
  std::uint64_t auth_expires_in_ms = 0;
  bool operator==(const Refreshed&) const = default;
};
struct Joined {  // answer to Join: the room and the peers already in it (presence)
  std::string room;
  std::vector<std::string> peers;
  // The user (the token's `sub`) of each peer that has one: an object of peer id -> user, or null.
  Json users;
  RequestId id = 0;  // the join's id
  bool operator==(const Joined&) const = default;
};
struct Left {  // answer to Leave
  std::string room;
  bool operator==(const Left&) const = default;
};
struct PeerJoined {
  std::string peer;
  std::optional<std::string> user;  // the token's `sub`, when the peer has one
  bool operator==(const PeerJoined&) const = default;
};
struct PeerLeft {
  std::string peer;
  bool operator==(const PeerLeft&) const = default;
};
struct SignalFrom {
  std::string from;
  Json data;
  bool operator==(const SignalFrom&) const = default;
};
struct Published {
  std::string from;
  Json data;
  bool operator==(const Published&) const = default;
};
struct DirectFrom {
  std::string from;
  Json data;
  bool operator==(const DirectFrom&) const = default;
};
struct ErrorReply {
  base::ErrorCode code;
  std::string message;
  RequestId id = 0;  // the refused request's id, when it had one
  bool operator==(const ErrorReply&) const = default;
};
// The server is shutting down: reconnect after a random delay in [0, reconnect_in_ms], probably to
// another instance. `ack` is the last client seq it received.
struct GoAway {
  std::uint64_t reconnect_in_ms = 0;
  Seq ack = 0;
  bool operator==(const GoAway&) const = default;
};
using ServerEnvelope =
    std::variant<Welcome, Joined, Left, PeerJoined, PeerLeft, SignalFrom, Published, DirectFrom,
                 ErrorReply, Ack, GoAway, Refreshed, IceServersGrant>;

// An envelope with the sequence number it travelled with (0: none) and, on server envelopes, the
// cumulative ack piggybacked on it (0: none).
template <class Envelope>
struct Sequenced {
  Envelope envelope;
  Seq seq = 0;
  Seq ack = 0;
  bool operator==(const Sequenced&) const = default;
};

// Join, leave, publish, direct and signal are sequenced client -> server (not hello, ack, refresh,
// ice-servers).
bool is_sequenced(const ClientEnvelope& envelope);
// Everything but welcome, ack, goaway, refreshed and ice-servers is sequenced server -> client
// (errors only in a session).
bool is_sequenced(const ServerEnvelope& envelope);

// `seq` 0 leaves the field out.
std::string encode(const ClientEnvelope& envelope, Seq seq = 0);
std::string encode(const ServerEnvelope& envelope, Seq seq = 0);
// Adds `"seq":N` to an envelope encoded without one, so a room broadcast is encoded once.
std::string with_seq(std::string_view encoded, Seq seq);
// Adds a piggybacked `"ack":N` to a sequenced server envelope encoded without one.
std::string with_ack(std::string_view encoded, Seq ack);

// Decoding validates everything: version, type, field types, sizes, depth, seq. Unknown fields are
// ignored; an unknown type is ErrorCode::unknown_type. Errors have ErrorOrigin::remote.
// Client envelopes may omit seq (a client that opts out of resume); server envelopes that are
// sequenced must carry one, except errors.
base::Result<Sequenced<ClientEnvelope>> decode_client(std::string_view text);
base::Result<Sequenced<ServerEnvelope>> decode_server(std::string_view text);

// The top-level `seq` of a JSON object that may be no valid envelope at all (0 when it has none
// that is valid), so a refusal can still use up its seq.
Seq peek_seq(std::string_view text);
// Likewise the top-level request `id` (0 when it has none that is valid), so a refusal of an
// undecodable request still names it.
RequestId peek_request_id(std::string_view text);

// Validation shared with the app-facing API.
bool is_valid_room(std::string_view room);
bool is_valid_peer_id(std::string_view peer);

}  // namespace rtcwire::envelope
