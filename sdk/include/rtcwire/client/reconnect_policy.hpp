// When to try again after losing the connection: exponential backoff with full jitter, as a pure
// function of a context (which attempt, how long since the loss, why) and an injected random
// source. Models: livekit ReconnectPolicy (ReconnectContext), centrifuge-js backoff, AWS "full
// jitter".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "rtcwire/base/random_source.hpp"
#include "rtcwire/base/time.hpp"

namespace rtcwire {

enum class ReconnectReason {
  connection_lost,  // the transport failed or closed
  going_away,       // the server is shutting down and asked clients to come back within a spread
};

std::string_view to_string(ReconnectReason reason);

struct ReconnectContext {
  uint32_t attempt = 1;  // 1 for the first retry
  Millis elapsed{0};     // since the established connection was lost
  ReconnectReason reason = ReconnectReason::connection_lost;
  // going_away: the server's window (already capped); clients spread uniformly over it rather than
  // all coming back on the same backoff step.
  Millis going_away_within{0};
};

struct ReconnectPolicy {
  Millis initial{500};
  double factor = 2.0;
  Millis cap{10000};
  std::optional<uint32_t> max_attempts;  // empty: never give up
  std::optional<Millis> max_elapsed;     // empty: no time limit since the loss

  // The delay before attempt `context.attempt`: uniform in [0, going_away_within] for going_away,
  // otherwise uniform in [0, min(cap, initial * factor^(attempt-1))]; empty once max_attempts or
  // max_elapsed is used up.
  std::optional<Millis> next_delay(const ReconnectContext& context, RandomSource& random) const;
};

}  // namespace rtcwire
