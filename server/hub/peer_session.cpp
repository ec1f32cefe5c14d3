#include "peer_session.hpp"

#include <algorithm>

#include "secret_compare.hpp"

namespace rtcwire::server {

bool PeerSession::token_matches(std::string_view presented) const {
  return secret_matches(presented, token);
}

std::optional<Millis> PeerSession::next_deadline() const {
  if (!connection) return expires_at;
  const std::optional<Millis> ack = inbox.ack_deadline();
  std::optional<Millis> due = ack;
  for (const std::optional<Millis>& other : {resend_at, token_expires_at}) {
    if (other && (!due || *other < *due)) due = other;
  }
  return due;
}

bool PeerSession::buffer(std::string text, std::string from, Millis now) {
  const std::size_t bytes = text.size();
  const bool was_empty = outbox.unacked().empty();
  if (!from.empty() && bytes <= outbox.byte_cap() - outbox.bytes()) relayed_bytes_[from] += bytes;
  if (!outbox.push(Buffered{std::move(text), std::move(from)}, bytes)) return false;
  if (was_empty) progress_at_ = now;
  return true;
}

Result<std::size_t> PeerSession::acknowledge(envelope::Seq ack, Millis now) {
  if (ack > outbox.last_seq()) {
    Status refused = outbox.acknowledge(ack);  // the outbox words the error
    return refused.error();
  }
  std::size_t released = 0;
  for (const auto& entry : outbox.unacked()) {
    if (entry.seq > ack) break;
    released += entry.bytes;
    if (entry.item.from.empty()) continue;
    const auto held = relayed_bytes_.find(entry.item.from);
    if ((held->second -= entry.bytes) == 0) relayed_bytes_.erase(held);
  }
  (void)outbox.acknowledge(ack);
  if (released != 0) progress_at_ = now;
  return released;
}

std::size_t PeerSession::relayed_from(const std::string& sender) const {
  const auto held = relayed_bytes_.find(sender);
  return held == relayed_bytes_.end() ? 0 : held->second;
}

bool PeerSession::stalled(Millis now, Millis timeout) const {
  return !outbox.unacked().empty() && now - progress_at_ >= timeout;
}

}  // namespace rtcwire::server
