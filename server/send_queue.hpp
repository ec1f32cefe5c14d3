// The outgoing websocket text frames of one connection, bounded in bytes.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

namespace rtcwire::server {

// The frame being written stays at the front until its write completes, so it counts towards the
// cap: a client that stops reading holds the cap's worth of memory, never more.
class SendQueue {
 public:
  explicit SendQueue(std::size_t byte_cap) : byte_cap_(byte_cap) {}

  // False, queueing nothing, when the frame would take the queue over its cap.
  [[nodiscard]] bool push(std::string frame);
  const std::string& front() const { return frames_.front(); }
  void pop();
  void clear();

  bool empty() const { return frames_.empty(); }
  std::size_t queued_bytes() const { return queued_bytes_; }
  std::size_t byte_cap() const { return byte_cap_; }

 private:
  std::size_t byte_cap_;
  std::size_t queued_bytes_ = 0;
  std::deque<std::string> frames_;
};

}  // namespace rtcwire::server
