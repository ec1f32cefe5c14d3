#include "peer_session.hpp"

#include <algorithm>

namespace rtcwire::server {

bool PeerSession::token_matches(std::string_view presented) const {
  // Tokens all have the same length, so an early return on a length mismatch reveals nothing.
  if (presented.size() != token.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    difference |= static_cast<unsigned char>(token[i] ^ presented[i]);
  }
  return difference == 0;
}

std::optional<Millis> PeerSession::next_deadline() const {
  if (!connection) return expires_at;
  const std::optional<Millis> ack = inbox.ack_deadline();
  if (!ack) return resend_at;
  if (!resend_at) return ack;
  return std::min(*ack, *resend_at);
}

}  // namespace rtcwire::server
