#include "send_queue.hpp"

#include <utility>

namespace rtcwire::server {

bool SendQueue::push(std::string frame) {
  if (frame.size() > byte_cap_ - queued_bytes_) return false;
  queued_bytes_ += frame.size();
  frames_.push_back(std::move(frame));
  return true;
}

void SendQueue::pop() {
  queued_bytes_ -= frames_.front().size();
  frames_.pop_front();
}

void SendQueue::clear() {
  frames_.clear();
  queued_bytes_ = 0;
}

}  // namespace rtcwire::server
