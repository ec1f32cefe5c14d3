// What the peer layer tells the app (through the client's events): remote peers, their states,
// channels and tracks that became usable, stats answers and errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"
#include "rtcwire/peer/file_transfer_outputs.hpp"

namespace rtcwire::peer {

enum class PeerState { new_, connecting, connected, reconnecting, failed, closed };

std::string_view to_string(PeerState state);

enum class ChannelState { connecting, open, closed };

std::string_view to_string(ChannelState state);

namespace notice {
// A remote peer object exists (a member of the room).
struct PeerAppeared {
  std::string peer;
  std::optional<std::string> user;
  bool polite;
};
struct PeerStateChanged {
  std::string peer;
  PeerState state;
};
// A channel is usable: the default ones once open, or one the remote app opened.
struct ChannelReady {
  std::string peer;
  uint32_t channel;
  std::string label;
  bool ordered = true;
  std::optional<uint32_t> max_retransmits;
  std::optional<uint32_t> max_packet_life_time;
  std::string protocol;
  uint64_t max_message_size = 0;
};
struct ChannelStateChanged {
  uint32_t channel;
  ChannelState state;
};
struct TrackReceived {
  std::string peer;
  uint32_t track;
  std::vector<std::string> streams;
};
struct StatsReady {
  std::string peer;
  uint32_t op;
  nlohmann::json stats;
};
struct PeerError {
  std::string peer;
  base::Error error;
};
// A file transfer's event (peer/file_transfer_outputs.hpp).
struct FileNotice {
  std::string peer;
  FileEvent event;
};
}  // namespace notice

using PeerNotice =
    std::variant<notice::PeerAppeared, notice::PeerStateChanged, notice::ChannelReady,
                 notice::ChannelStateChanged, notice::TrackReceived, notice::StatsReady,
                 notice::PeerError, notice::FileNotice>;

}  // namespace rtcwire::peer
