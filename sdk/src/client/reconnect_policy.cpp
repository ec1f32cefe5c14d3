#include "rtcwire/client/reconnect_policy.hpp"

#include <algorithm>
#include <cmath>

namespace rtcwire::client {

std::string_view to_string(ReconnectReason reason) {
  switch (reason) {
    case ReconnectReason::connection_lost:
      return "connection_lost";
    case ReconnectReason::silent_drop:
      return "silent_drop";
    case ReconnectReason::going_away:
      return "going_away";
  }
  return "connection_lost";
}

ReconnectReason reconnect_reason(base::ErrorCode code) {
  return code == base::ErrorCode::ping_timeout ? ReconnectReason::silent_drop
                                               : ReconnectReason::connection_lost;
}

std::optional<base::Millis> ReconnectPolicy::next_delay(const ReconnectContext& context,
                                                        base::RandomSource& random) const {
  const uint32_t attempt = context.attempt;
  if (attempt == 0 || (max_attempts && attempt > *max_attempts)) return std::nullopt;
  if (max_elapsed && context.elapsed >= *max_elapsed) return std::nullopt;
  if (context.reason == ReconnectReason::going_away) {
    return base::Millis(
        random.uniform(0, std::max<int64_t>(context.going_away_within.count(), 0) + 1));
  }
  // Only the first retry: a path that goes silent on every retry backs off as usual.
  if (context.reason == ReconnectReason::silent_drop && attempt == 1) {
    const int64_t spread = std::min(initial, kSilentDropSpread).count();
    return base::Millis(random.uniform(0, std::max<int64_t>(spread, 0) + 1));
  }
  // Computed in double and clamped before converting, so large attempt numbers cannot overflow.
  const double grown = static_cast<double>(initial.count()) * std::pow(factor, attempt - 1.0);
  const auto ceiling = static_cast<int64_t>(std::min(grown, static_cast<double>(cap.count())));
  return base::Millis(random.uniform(0, std::max<int64_t>(ceiling, 0) + 1));
}

}  // namespace rtcwire::client
