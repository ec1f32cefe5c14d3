#include "rtcwire/client/reconnect_policy.hpp"

#include <algorithm>
#include <cmath>

namespace rtcwire {

std::optional<Millis> ReconnectPolicy::next_delay(uint32_t attempt, RandomSource& random) const {
  if (attempt == 0 || (max_attempts && attempt > *max_attempts)) return std::nullopt;
  // Computed in double and clamped before converting, so large attempt numbers cannot overflow.
  const double grown = static_cast<double>(initial.count()) * std::pow(factor, attempt - 1.0);
  const auto ceiling = static_cast<int64_t>(std::min(grown, static_cast<double>(cap.count())));
  return Millis(random.uniform(0, std::max<int64_t>(ceiling, 0) + 1));
}

}  // namespace rtcwire
