// When to try again after losing the connection: exponential backoff with full jitter, as a pure
// function of the attempt number and an injected random source.
// Models: livekit ReconnectPolicy, centrifuge-js backoff, AWS "full jitter".
#pragma once

#include <cstdint>
#include <optional>

#include "rtcwire/base/random_source.hpp"
#include "rtcwire/base/time.hpp"

namespace rtcwire {

struct ReconnectPolicy {
  Millis initial{500};
  double factor = 2.0;
  Millis cap{10000};
  std::optional<uint32_t> max_attempts;  // empty: never give up

  // The delay before attempt `attempt` (1 for the first retry), uniform in
  // [0, min(cap, initial * factor^(attempt-1))]; empty once max_attempts is used up.
  std::optional<Millis> next_delay(uint32_t attempt, RandomSource& random) const;
};

}  // namespace rtcwire
