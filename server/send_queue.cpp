#include "send_queue.hpp"

#include <algorithm>
#include <utility>

namespace rtcwire::server {

bool SendQueue::push(engineio::Packet packet) {
  const std::size_t size = size_of(packet);
  if (size > byte_cap_ - counted_bytes()) return false;
  queued_bytes_ += size;
  packets_.push_back(std::move(packet));
  return true;
}

SendQueue::Batch SendQueue::take_all() {
  Batch batch{std::move(packets_), queued_bytes_};
  packets_.clear();
  in_flight_bytes_ += queued_bytes_;
  queued_bytes_ = 0;
  return batch;
}

void SendQueue::release(std::size_t bytes) {
  in_flight_bytes_ -= std::min(bytes, in_flight_bytes_);
}

void SendQueue::clear() {
  packets_.clear();
  queued_bytes_ = 0;
  in_flight_bytes_ = 0;
}

}  // namespace rtcwire::server
