// The rtcwire envelope, version 1: the JSON carried inside Engine.IO message packets.
// Client -> server and server -> client envelopes are distinct types, so each side can only decode
// what the other may legally send. docs/protocol.md describes the wire form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/error.hpp"

namespace rtcwire::envelope {

using Json = nlohmann::json;

inline constexpr int kVersion = 1;
inline constexpr std::size_t kMaxRoomBytes = 128;
inline constexpr std::size_t kMaxPeerIdBytes = 64;
inline constexpr std::size_t kMaxSdkNameBytes = 64;
inline constexpr std::size_t kMaxErrorMessageBytes = 512;
// Deeper JSON is refused before parsing: it would only serve to exhaust the stack.
inline constexpr int kMaxJsonDepth = 32;

// ---- client -> server ----
struct Hello {
  std::string sdk;  // e.g. "rtcwire-js/0.1.0", informational
  bool operator==(const Hello&) const = default;
};
struct Join {
  std::string room;
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
using ClientEnvelope = std::variant<Hello, Join, Leave, SignalTo, Publish, DirectTo>;

// ---- server -> client ----
struct Welcome {
  std::string peer;  // this client's peer id
  std::string session;
  std::size_t max_message_bytes = 0;  // largest envelope the server accepts
  bool operator==(const Welcome&) const = default;
};
struct Joined {  // answer to Join: the room and the peers already in it (presence)
  std::string room;
  std::vector<std::string> peers;
  bool operator==(const Joined&) const = default;
};
struct Left {  // answer to Leave
  std::string room;
  bool operator==(const Left&) const = default;
};
struct PeerJoined {
  std::string peer;
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
  ErrorCode code;
  std::string message;
  bool operator==(const ErrorReply&) const = default;
};
using ServerEnvelope = std::variant<Welcome, Joined, Left, PeerJoined, PeerLeft, SignalFrom,
                                    Published, DirectFrom, ErrorReply>;

std::string encode(const ClientEnvelope& envelope);
std::string encode(const ServerEnvelope& envelope);

// Decoding validates everything: version, type, field types, sizes, depth. Unknown fields are
// ignored; an unknown type is ErrorCode::unknown_type. Errors have ErrorOrigin::remote.
Result<ClientEnvelope> decode_client(std::string_view text);
Result<ServerEnvelope> decode_server(std::string_view text);

// Validation shared with the app-facing API.
bool is_valid_room(std::string_view room);
bool is_valid_peer_id(std::string_view peer);

}  // namespace rtcwire::envelope
