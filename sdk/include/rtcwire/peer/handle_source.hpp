// The numbers the core gives the JS layer's RTCPeerConnections, RTCDataChannels and operations.
#pragma once

#include <cstdint>

namespace rtcwire::peer {

// Handles are never reused within one client, so a late event of a closed connection, channel or
// operation can never be taken for a newer one. JS numbers the channels the remote app opens from
// kFirstRemoteHandle up; the core's stay below it.
inline constexpr uint32_t kFirstRemoteHandle = 0x80000000u;

class HandleSource {
 public:
  uint32_t take() { return next_ < kFirstRemoteHandle - 1 ? next_++ : next_; }

 private:
  uint32_t next_ = 1;
};

}  // namespace rtcwire::peer
