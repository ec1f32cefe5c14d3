#include "rtcwire/peer/channel_queue.hpp"

#include <limits>
#include <utility>

namespace rtcwire::peer {

ChannelQueue::ChannelQueue(uint32_t channel, std::string label, ChannelOptions options, bool remote)
    : channel_(channel), label_(std::move(label)), options_(std::move(options)), remote_(remote) {}

void ChannelQueue::opened(uint64_t max_message_size, base::Fifo<PeerAction>& actions) {
  if (state_ != ChannelState::connecting) return;
  state_ = ChannelState::open;
  max_message_size_ =
      max_message_size == 0 ? std::numeric_limits<uint64_t>::max() : max_message_size;
  actions.push_back(action::ChannelThreshold{channel_, kLowThreshold});
  flush(actions);
}

base::Status ChannelQueue::enqueue(uint64_t bytes, base::Fifo<PeerAction>& actions) {
  if (state_ == ChannelState::closed) {
    return base::local_error(base::ErrorCode::channel_closed, "the channel is closed");
  }
  if (bytes > max_message_size_) {
    return base::local_error(base::ErrorCode::message_too_large,
                             "a message of " + std::to_string(bytes) +
                                 " bytes exceeds the channel's maximum of " +
                                 std::to_string(max_message_size_) +
                                 (state_ == ChannelState::open ? "" : " until it opens"));
  }
  queued_.push_back(bytes);
  queued_bytes_ += bytes;
  if (state_ == ChannelState::open) flush(actions);
  return base::ok();
}

void ChannelQueue::drained(uint64_t buffered, base::Fifo<PeerAction>& actions) {
  if (state_ != ChannelState::open) return;
  in_browser_ = buffered;
  flush(actions);
}

void ChannelQueue::closed() {
  state_ = ChannelState::closed;
  queued_.clear();
  queued_bytes_ = 0;
  in_browser_ = 0;
}

void ChannelQueue::flush(base::Fifo<PeerAction>& actions) {
  uint32_t count = 0;
  // An empty buffer takes any one message, so one at the high water mark still goes.
  while (!queued_.empty() && (in_browser_ == 0 || in_browser_ + queued_.front() <= kHighWater)) {
    in_browser_ += queued_.front();
    queued_bytes_ -= queued_.front();
    queued_.pop_front();
    ++count;
  }
  if (count > 0) actions.push_back(action::ChannelFlush{channel_, count});
}

}  // namespace rtcwire::peer
