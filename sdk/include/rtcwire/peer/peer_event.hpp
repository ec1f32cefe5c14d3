// What the JS layer reports about the RTCPeerConnections and RTCDataChannels it runs for the core.
// The JSON comes across the Wasm boundary and is checked field by field: it is untrusted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"
#include "rtcwire/peer/jsep.hpp"

namespace rtcwire::peer {

namespace event {
struct NegotiationNeeded {
  uint32_t pc;
};
struct OpDone {
  uint32_t pc;
  uint32_t op;
  std::optional<SignalingState> signaling_state;
  std::optional<Description> description;  // set-local: pc.localDescription
  std::optional<nlohmann::json> stats;     // get-stats: the summary JS made
};
struct OpFailed {
  uint32_t pc;
  uint32_t op;
  std::string name;  // the DOMException's name, e.g. InvalidStateError
  std::string message;
};
struct SignalingChanged {
  uint32_t pc;
  SignalingState state;
};
// A local candidate to signal; none: gathering is complete.
struct IceCandidate {
  uint32_t pc;
  std::optional<nlohmann::json> candidate;
};
// icecandidateerror: a STUN/TURN server did not serve this connection (diagnostics only).
struct CandidateError {
  uint32_t pc;
  std::string url;
  uint32_t error_code;
  std::string error_text;
};
struct IceStateChanged {
  uint32_t pc;
  std::string state;  // iceConnectionState
};
enum class ConnectionState { new_, connecting, connected, disconnected, failed, closed };
std::string_view to_string(ConnectionState state);
struct ConnectionChanged {
  uint32_t pc;
  ConnectionState state;
};
struct ChannelOpened {
  uint32_t channel;
  uint64_t max_message_size;  // pc.sctp.maxMessageSize
};
struct ChannelClosed {
  uint32_t channel;
};
struct ChannelLow {
  uint32_t channel;
  uint64_t buffered_amount;
};
// ondatachannel: a channel the remote app opened; `channel` is a handle JS allocated.
struct ChannelRemote {
  uint32_t pc;
  uint32_t channel;
  std::string label;
  bool ordered = true;
  std::optional<uint32_t> max_retransmits;
  std::optional<uint32_t> max_packet_life_time;
  std::string protocol;
};
struct TrackRemote {
  uint32_t pc;
  uint32_t track;  // a JS handle
  std::string kind;
  std::vector<std::string> streams;
};
}  // namespace event

using PeerEvent =
    std::variant<event::NegotiationNeeded, event::OpDone, event::OpFailed, event::SignalingChanged,
                 event::IceCandidate, event::IceStateChanged, event::ConnectionChanged,
                 event::ChannelOpened, event::ChannelClosed, event::ChannelLow,
                 event::ChannelRemote, event::TrackRemote, event::CandidateError>;

// {type: 'negotiation-needed' | 'op-done' | ..., pc, ...} as docs/architecture.md lists them.
// Errors: local invalid_argument naming what is wrong; nothing is partly accepted.
base::Result<PeerEvent> parse_peer_event(std::string_view json);

// A candidate as RTCIceCandidate.toJSON() gives it: {candidate, sdpMid?, sdpMLineIndex?,
// usernameFragment?}, strings bounded. Shared by the JS events and the wire.
bool is_valid_candidate(const nlohmann::json& candidate);

}  // namespace rtcwire::peer
