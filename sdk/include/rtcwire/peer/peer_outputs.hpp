// Where the machines of the peer layer put what they produce, drained by the client after each
// input: actions for the JS layer, notices for the app, signals for the remote peers.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "rtcwire/base/fifo.hpp"
#include "rtcwire/peer/handle_source.hpp"
#include "rtcwire/peer/peer_action.hpp"
#include "rtcwire/peer/peer_notice.hpp"

namespace rtcwire::peer {

struct OutgoingSignal {
  std::string peer;
  nlohmann::json data;
};

struct PeerOutputs {
  HandleSource handles;
  base::Fifo<PeerAction> actions;
  base::Fifo<PeerNotice> notices;
  base::Fifo<OutgoingSignal> signals;
  // Late events of a closed connection, channel or operation, and signals of an old connection:
  // dropped without a word (the tests count them).
  std::size_t stale = 0;
};

}  // namespace rtcwire::peer
