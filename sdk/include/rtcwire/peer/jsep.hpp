// The JSEP vocabulary the browser reports and the peer layer reasons with: signalling states and
// session descriptions (RFC 8829, as RTCPeerConnection exposes them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rtcwire::peer {

enum class SignalingState {
  stable,
  have_local_offer,
  have_remote_offer,
  have_local_pranswer,
  have_remote_pranswer,
  closed,
};

std::string_view to_string(SignalingState state);
// The browser's names ('have-local-offer', ...); nullopt for anything else.
std::optional<SignalingState> signaling_state_from_string(std::string_view name);

enum class DescriptionType { offer, answer };

std::string_view to_string(DescriptionType type);

struct Description {
  DescriptionType type;
  std::string sdp;

  bool operator==(const Description&) const = default;
};

// A peer's SDP is bounded on the wire (and by what the server relays).
inline constexpr std::size_t kMaxSdpBytes = 64 * 1024;
inline constexpr std::size_t kMaxCandidateBytes = 1024;

}  // namespace rtcwire::peer
