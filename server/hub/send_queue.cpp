#include "send_queue.hpp"

#include <algorithm>
#include <utility>

namespace rtcwire::server {

bool SendQueue::push(engineio::Packet packet) {
  const std::size_t size = size_of(packet);
  if (size > byte_cap_ - counted_bytes()) return false;
  queued_bytes_ += size;
  if (budget_) budget_->add(size);
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
  const std::size_t released = std::min(bytes, in_flight_bytes_);
  in_flight_bytes_ -= released;
  if (budget_) budget_->release(released);
}

void SendQueue::clear() {
  if (budget_) budget_->release(counted_bytes());
  // Gives the memory back: a queue that grew for a slow reader would otherwise keep its capacity.
  std::vector<engineio::Packet>().swap(packets_);
  queued_bytes_ = 0;
  in_flight_bytes_ = 0;
}

}  // namespace rtcwire::server
