// The bytes buffered for clients across all sessions (resume buffers and send queues), against
// one server-wide cap (--max-buffered-bytes), so many sessions together cannot exhaust memory.
#pragma once

#include <algorithm>
#include <cstddef>

namespace rtcwire::server {

class BufferBudget {
 public:
  explicit BufferBudget(std::size_t cap) : cap_(cap) {}

  // Whether `bytes` more stay within the cap. Only relayed messages are refused on this: what the
  // server says itself (presence, errors, pings) is small and always buffered.
  bool fits(std::size_t bytes) const { return bytes <= cap_ - std::min(used_, cap_); }
  // Past the cap, senders holding little of their receiver's buffer are still served, up to this
  // hard ceiling.
  bool fits_ceiling(std::size_t bytes) const {
    return bytes <= 2 * cap_ - std::min(used_, 2 * cap_);
  }
  void add(std::size_t bytes) { used_ += bytes; }
  void release(std::size_t bytes) { used_ -= std::min(bytes, used_); }

  std::size_t used() const { return used_; }
  std::size_t cap() const { return cap_; }

 private:
  std::size_t cap_;
  std::size_t used_ = 0;
};

}  // namespace rtcwire::server
