#include "memory_reclaimer.hpp"

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rtcwire::server {

bool MemoryReclaimer::should_trim(std::size_t buffered) {
  peak_ = std::max(peak_, buffered);
  if (peak_ < kMinBurstBytes || buffered > peak_ / 4) return false;
  peak_ = buffered;
  return true;
}

void MemoryReclaimer::trim() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace rtcwire::server
