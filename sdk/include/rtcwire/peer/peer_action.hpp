// What the peer layer asks the JS layer to do with its RTCPeerConnections and RTCDataChannels
// (docs/architecture.md, "Peers"). JS runs them in order; every async one (carrying an `op`) is
// answered by an op-done or op-failed event with the same pc and op.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "rtcwire/peer/file_transfer_outputs.hpp"
#include "rtcwire/peer/jsep.hpp"

namespace rtcwire::peer {

struct ChannelOptions {
  bool ordered = true;
  std::optional<uint32_t> max_retransmits;
  std::optional<uint32_t> max_packet_life_time;
  std::optional<uint16_t> id;  // set: negotiated out of band with this stream id
  std::string protocol;
};

namespace action {
// new RTCPeerConnection(config): config is {iceServers, iceTransportPolicy}.
struct PcCreate {
  std::string peer;
  uint32_t pc;
  nlohmann::json config;
};
struct PcClose {
  uint32_t pc;
};
// pc.setConfiguration(config), config as in PcCreate: new ICE servers or policy, used from the
// next gathering on (a RestartIce follows).
struct SetConfiguration {
  uint32_t pc;
  nlohmann::json config;
};
// pc.setLocalDescription(): the browser makes the offer or answer its state calls for.
struct SetLocal {
  uint32_t pc;
  uint32_t op;
};
struct SetRemote {
  uint32_t pc;
  uint32_t op;
  Description description;
};
// pc.addIceCandidate(candidate ?? undefined); no candidate: end of candidates.
struct AddCandidate {
  uint32_t pc;
  uint32_t op;
  std::optional<nlohmann::json> candidate;
};
struct RestartIce {
  uint32_t pc;
};
struct ChannelCreate {
  uint32_t pc;
  uint32_t channel;
  std::string label;
  ChannelOptions options;
};
struct ChannelClose {
  uint32_t channel;
};
// Send the next `count` payloads JS holds for this channel.
struct ChannelFlush {
  uint32_t channel;
  uint32_t count;
};
// channel.bufferedAmountLowThreshold = bytes.
struct ChannelThreshold {
  uint32_t channel;
  uint32_t bytes;
};
struct TrackAdd {
  uint32_t pc;
  uint32_t track;
  uint32_t stream;
};
struct TrackRemove {
  uint32_t pc;
  uint32_t track;
};
// The sender of `old` sends `replacement` instead (0: nothing, a muted sender).
struct TrackReplace {
  uint32_t pc;
  uint32_t old;
  uint32_t replacement;
};
struct GetStats {
  uint32_t pc;
  uint32_t op;
};
// A file transfer's action (peer/file_transfer_outputs.hpp) on the peer's `rtcwire-files` channel.
struct FileWork {
  uint32_t channel;
  FileAction work;
};
}  // namespace action

using PeerAction =
    std::variant<action::PcCreate, action::PcClose, action::SetLocal, action::SetRemote,
                 action::AddCandidate, action::RestartIce, action::ChannelCreate,
                 action::ChannelClose, action::ChannelFlush, action::ChannelThreshold,
                 action::TrackAdd, action::TrackRemove, action::TrackReplace, action::GetStats,
                 action::FileWork, action::SetConfiguration>;

}  // namespace rtcwire::peer
