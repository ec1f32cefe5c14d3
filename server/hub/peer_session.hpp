// One client's session on the server: who it is, which room it is in, and the two reliable streams
// (docs/protocol.md §2.1). It outlives the Engine.IO connection that carries it, so a client that
// reconnects within the resume window continues where it left off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "rtcwire/base/time.hpp"
#include "rtcwire/session/reliable_inbox.hpp"
#include "rtcwire/session/reliable_outbox.hpp"
#include "sender_limits.hpp"
#include "token_grant.hpp"

namespace rtcwire::server {

using base::Millis;
using base::Result;
using base::Status;
using session::ReliableInbox;
using session::ReliableOutbox;

using ConnectionId = std::uint64_t;

// One server -> client envelope kept until acknowledged, encoded with its seq.
struct Buffered {
  std::string text;
  std::string from;  // the peer whose message it relays; empty for the server's own envelopes
};

struct PeerSession {
  PeerSession(std::string peer, std::string id, std::string token, std::size_t buffer_bytes)
      : peer(std::move(peer)), id(std::move(id)), token(std::move(token)), outbox(buffer_bytes) {}

  // Whether `presented` is this session's token, in time independent of where they differ, so the
  // token cannot be guessed one character at a time.
  bool token_matches(std::string_view presented) const;
  // While attached the earliest of the pending ack, the resend and the token's expiry; the
  // expiry while detached; empty when nothing is due.
  std::optional<Millis> next_deadline() const;

  // Numbers and keeps `text`; false, keeping nothing, when the outbox cannot hold it.
  bool buffer(std::string text, std::string from, Millis now);
  // The client's cumulative ack: the bytes it released, or the error of an ack past the last seq.
  Result<std::size_t> acknowledge(envelope::Seq ack, Millis now);
  // Unacknowledged bytes relayed from `sender`.
  std::size_t relayed_from(const std::string& sender) const;
  // Holding unacknowledged envelopes, yet acknowledging nothing for `timeout`.
  bool stalled(Millis now, Millis timeout) const;

  std::string peer;
  std::string id;
  std::string token;
  std::string owner;                       // the address it was started from (for limits)
  std::string room;                        // empty when in no room
  std::optional<ConnectionId> connection;  // empty while detached
  std::optional<Millis> expires_at;        // set while detached
  std::optional<TokenGrant> grant;         // what the connection token allows; none: anything
  std::optional<Millis> token_expires_at;  // when the connection token runs out
  // Server -> client envelopes until the client acknowledges them.
  ReliableOutbox<Buffered> outbox;
  ReliableInbox inbox;  // client -> server sequence numbers
  // While attached and the outbox holds envelopes: when they go again unless an ack moves first
  // (a long-poll response lost in flight leaves nothing behind it to reveal the gap).
  std::optional<Millis> resend_at;
  Millis resend_after{0};                  // the current wait, doubling while no ack moves
  std::size_t resends_without_ack = 0;     // timer resends since an ack last moved
  std::optional<Millis> last_replay;       // when the client last asked for a replay
  std::optional<Millis> last_ice_servers;  // when an ice-servers request was last answered
  // The outbox overflowed: the session ends once the input being handled is done.
  bool overflowed = false;
  // The deadline filed in the hub's timer index, so it can be found and replaced.
  std::optional<Millis> scheduled;
  // The rate limits of its last connection, kept while detached so a resume does not refill them.
  std::optional<SenderLimiter> limiter;

 private:
  // Bytes in the outbox by the peer they were relayed from, for each sender's share of it.
  std::unordered_map<std::string, std::size_t> relayed_bytes_;
  // The last ack that released something, or when the outbox last stopped being empty.
  Millis progress_at_{0};
};

}  // namespace rtcwire::server
