// The negotiation messages peers exchange inside `signal` envelopes (docs/protocol.md, "Peer
// signals"): {"rtcwire": 1, "conn": n, "description" | "candidate" | "bye": ...}.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"
#include "rtcwire/peer/jsep.hpp"

namespace rtcwire::peer {

namespace signal {
struct Candidate {
  std::optional<nlohmann::json> candidate;  // none: end of candidates
};
struct Bye {};
}  // namespace signal

struct PeerSignal {
  // The sender's serial for its connection to the receiver: 1 up, +1 each time it starts over.
  uint32_t conn;
  using Body = std::variant<Description, signal::Candidate, signal::Bye>;
  Body body;
};

// Signals with an "rtcwire" member belong to the peer layer; others are the app's.
bool is_peer_signal(const nlohmann::json& data);
// Errors: remote invalid_signal (a bad version, conn, description or candidate).
base::Result<PeerSignal> decode_peer_signal(const nlohmann::json& data);
nlohmann::json encode_peer_signal(const PeerSignal& signal);

}  // namespace rtcwire::peer
