#include "rtcwire/peer/peer_notice.hpp"

namespace rtcwire::peer {

std::string_view to_string(PeerState state) {
  switch (state) {
    case PeerState::new_:
      return "new";
    case PeerState::connecting:
      return "connecting";
    case PeerState::connected:
      return "connected";
    case PeerState::reconnecting:
      return "reconnecting";
    case PeerState::failed:
      return "failed";
    case PeerState::closed:
      return "closed";
  }
  return "closed";
}

std::string_view to_string(ChannelState state) {
  switch (state) {
    case ChannelState::connecting:
      return "connecting";
    case ChannelState::open:
      return "open";
    case ChannelState::closed:
      return "closed";
  }
  return "closed";
}

}  // namespace rtcwire::peer
