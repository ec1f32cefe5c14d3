// The rate a transfer reports with its progress, from the injected clock.
#pragma once

#include <cstdint>

#include "rtcwire/base/time.hpp"

namespace rtcwire::peer {

// Average bytes per second over `elapsed`; 0 until a millisecond has passed. Sizes are below
// 2^53, so bytes * 1000 fits.
inline std::uint64_t bytes_per_second(std::uint64_t bytes, base::Millis elapsed) {
  if (elapsed.count() <= 0) return 0;
  return bytes * 1000 / static_cast<std::uint64_t>(elapsed.count());
}

}  // namespace rtcwire::peer
