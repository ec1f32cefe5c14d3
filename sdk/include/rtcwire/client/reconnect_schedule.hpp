// When the client tries to get its connection back: a state machine over the reconnect policy
// with the offline hold. A first connect that fails is reported, not retried; a lost session is
// retried per the policy (a goaway too, through the same policy); offline holds the retry until
// the network is back. The Client turns each step into its own state change.
// Models: h11 _state.py (one transition function), centrifuge-js _setState.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/random_source.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/client/reconnect_policy.hpp"

namespace rtcwire::client {

enum class ReconnectState {
  idle,           // no connect under way: never asked, given up, or closed
  first_connect,  // connect() was called and no session was established yet
  established,    // a session is up: losing it schedules a retry
  waiting,        // a retry is due at deadline()
  held_offline,   // the network is down: the retry waits for it to come back
  retrying,       // a retry is under way
};

std::string_view to_string(ReconnectState state);

namespace reconnect_step {
struct Stay {};                          // nothing changes for the client
struct GiveUp {};                        // no more retries: the client is disconnected
struct Wait {                            // the client is reconnecting
  uint32_t attempt;                      // the attempt that comes next (1 for the first)
  std::optional<base::Millis> retry_in;  // empty while offline
};
struct Retry {};  // start the next attempt now
}  // namespace reconnect_step

using ReconnectStep = std::variant<reconnect_step::Stay, reconnect_step::GiveUp,
                                   reconnect_step::Wait, reconnect_step::Retry>;

class ReconnectSchedule {
 public:
  explicit ReconnectSchedule(ReconnectPolicy policy) : policy_(std::move(policy)) {}

  ReconnectState state() const { return state_; }
  // Attempts made since the session was lost.
  uint32_t attempt() const { return attempt_; }
  std::optional<base::Millis> deadline() const;
  bool online() const { return online_; }

  // Inputs. An input the current state does not allow is an invalid_state error and changes
  // nothing (a bug in the caller, which reports it).
  base::Status connect();
  base::Status established();
  // The connection (or the attempt to get it back) is gone. `going_away_within`: the server's
  // window for going_away.
  base::Result<ReconnectStep> lost(ReconnectReason reason, base::Millis going_away_within,
                                   base::Millis now, base::RandomSource& random);
  base::Result<ReconnectStep> network_changed(bool online);
  base::Result<ReconnectStep> handle_timeout(base::Millis now);
  // The app closed the client.
  void stop();

 private:
  base::Status transition(ReconnectState next);

  ReconnectPolicy policy_;
  ReconnectState state_ = ReconnectState::idle;
  uint32_t attempt_ = 0;
  base::Millis lost_at_{0};
  base::Millis retry_at_{0};  // valid while waiting
  bool online_ = true;
};

}  // namespace rtcwire::client
