// One client's session on the server: who it is, which room it is in, and the two reliable streams
// (docs/protocol.md §2.1). It outlives the Engine.IO connection that carries it, so a client that
// reconnects within the resume window continues where it left off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "rtcwire/reliable_inbox.hpp"
#include "rtcwire/reliable_outbox.hpp"
#include "rtcwire/time.hpp"

namespace rtcwire::server {

using ConnectionId = std::uint64_t;

struct PeerSession {
  PeerSession(std::string peer, std::string id, std::string token, std::size_t buffer_bytes)
      : peer(std::move(peer)), id(std::move(id)), token(std::move(token)), outbox(buffer_bytes) {}

  // Whether `presented` is this session's token, in time independent of where they differ, so the
  // token cannot be guessed one character at a time.
  bool token_matches(std::string_view presented) const;
  // The pending ack or resend while attached, the expiry while detached; empty when none is due.
  std::optional<Millis> next_deadline() const;

  std::string peer;
  std::string id;
  std::string token;
  std::string owner;                       // the address it was started from (for limits)
  std::string room;                        // empty when in no room
  std::optional<ConnectionId> connection;  // empty while detached
  std::optional<Millis> expires_at;        // set while detached
  // Server -> client envelopes, encoded with their seq, until the client acknowledges them.
  ReliableOutbox<std::string> outbox;
  ReliableInbox inbox;  // client -> server sequence numbers
  // While attached and the outbox holds envelopes: when they go again unless an ack moves first
  // (a long-poll response lost in flight leaves nothing behind it to reveal the gap).
  std::optional<Millis> resend_at;
  Millis resend_after{0};             // the current wait, doubling while no ack moves
  std::optional<Millis> last_replay;  // when the client last asked for a replay
  // The outbox overflowed: the session ends once the input being handled is done.
  bool overflowed = false;
  // The deadline filed in the hub's timer index, so it can be found and replaced.
  std::optional<Millis> scheduled;
};

}  // namespace rtcwire::server
