// Gives the heap back to the OS after a burst of buffered bytes. glibc keeps freed memory for
// reuse, so without this a server that once buffered hundreds of MiB for a burst holds them for
// good.
#pragma once

#include <cstddef>

namespace rtcwire::server {

class MemoryReclaimer {
 public:
  // Bursts smaller than this are not worth a trim.
  static constexpr std::size_t kMinBurstBytes = 8 * 1024 * 1024;

  // Fed the bytes buffered now; true once they have fallen to a quarter of the peak since the last
  // trim, for a peak of at least kMinBurstBytes. Then trim().
  [[nodiscard]] bool should_trim(std::size_t buffered);
  // Returns the free memory at the top and in the middle of the heap to the OS.
  static void trim();

 private:
  std::size_t peak_ = 0;
};

}  // namespace rtcwire::server
