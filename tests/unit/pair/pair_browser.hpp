// The browser of one Pair client, as far as peers go: it runs the core's peer actions on a JSEP
// model per RTCPeerConnection (tests/unit/peer/jsep_model.hpp) and answers with the events a
// browser fires, each after a random delay, in order per connection. An operation applies when it
// completes, not when it is issued; local candidates may reach the core before the op-done of the
// set-local that gathered them (as in browsers), so candidates can precede their description.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../peer/jsep_model.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/peer/peer_action.hpp"
#include "rtcwire/peer/peer_event.hpp"

namespace rtcwire::testing {

class PairBrowser {
 public:
  // Events `produce` returns are delivered to the core, in order, `delay` from now; per
  // connection nothing overtakes what was scheduled before.
  using Schedule = std::function<void(uint32_t pc, base::Millis delay,
                                      std::function<std::vector<peer::PeerEvent>()> produce)>;

  PairBrowser(std::string owner, std::mt19937_64& random, Schedule schedule);

  void run(const peer::PeerAction& action);

  // The open connection to `peer`, if any.
  JsepModel* model_for(const std::string& peer);
  JsepModel* model(uint32_t pc);
  // Operations the core issued on a connection while another one ran there (must stay 0).
  int overlapping_operations() const { return overlapping_; }
  // Payloads the core let out per channel (channel-flush counts).
  uint64_t flushed(uint32_t channel) const;
  // A network fault on the connection to `peer`.
  void fail(const std::string& peer);

 private:
  struct Connection {
    std::string peer;
    std::unique_ptr<JsepModel> model;
    bool operation_running = false;
  };

  base::Millis op_delay();
  // Runs an operation when it completes: `apply` makes its outcome.
  void operation(uint32_t pc, uint32_t op, std::function<JsepModel::Outcome(JsepModel&)> apply,
                 bool stats = false);
  // Delivers what the model fired just now.
  void fire(uint32_t pc);

  std::string owner_;
  std::mt19937_64& random_;
  Schedule schedule_;
  std::map<uint32_t, Connection> connections_;
  std::map<uint32_t, uint32_t> channel_pc_;
  std::map<uint32_t, uint64_t> flushed_;
  int overlapping_ = 0;
};

}  // namespace rtcwire::testing
