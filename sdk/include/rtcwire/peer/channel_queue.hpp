// One RTCDataChannel's send queue, as the core sees it: the payloads stay in JS (bytes never
// cross into Wasm); the core knows their sizes and decides when JS sends the next ones, so the
// browser's buffer never holds more than kHighWater (backpressure through bufferedamountlow).
// Messages are never split: one larger than the channel's maxMessageSize is refused.
#pragma once

#include <cstdint>
#include <string>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/fifo.hpp"
#include "rtcwire/peer/peer_action.hpp"
#include "rtcwire/peer/peer_notice.hpp"

namespace rtcwire::peer {

class ChannelQueue {
 public:
  // The browser's bufferedAmount is kept at or below this, one message excepted.
  static constexpr uint64_t kHighWater = 1024 * 1024;
  // bufferedamountlow fires when the browser's buffer drains to this.
  static constexpr uint32_t kLowThreshold = 256 * 1024;
  // Until the channel opens its maxMessageSize is unknown: the SCTP default (RFC 8841) applies.
  static constexpr uint64_t kMaxMessageBeforeOpen = 64 * 1024;

  ChannelQueue(uint32_t channel, std::string label, ChannelOptions options, bool remote);

  uint32_t channel() const { return channel_; }
  const std::string& label() const { return label_; }
  const ChannelOptions& options() const { return options_; }
  // Opened by the remote app (ondatachannel) rather than by this side.
  bool remote() const { return remote_; }
  ChannelState state() const { return state_; }
  uint64_t max_message_size() const { return max_message_size_; }
  // Bytes JS holds for this channel, and bytes the core believes the browser still buffers.
  uint64_t queued_bytes() const { return queued_bytes_; }
  uint64_t in_browser() const { return in_browser_; }

  // maxMessageSize 0 means no limit (the browser's Infinity).
  void opened(uint64_t max_message_size, base::Fifo<PeerAction>& actions);
  // JS queued a payload of `bytes`. Errors: local message_too_large, local channel_closed.
  base::Status enqueue(uint64_t bytes, base::Fifo<PeerAction>& actions);
  // bufferedamountlow, or JS's report after a flush left the buffer at or below the threshold
  // (the browser fires no event then): the browser's buffer holds `buffered` bytes.
  void drained(uint64_t buffered, base::Fifo<PeerAction>& actions);
  // What JS held for it is dropped (JS drops it too on channel-closed).
  void closed();

 private:
  void flush(base::Fifo<PeerAction>& actions);

  uint32_t channel_;
  std::string label_;
  ChannelOptions options_;
  bool remote_;
  ChannelState state_ = ChannelState::connecting;
  uint64_t max_message_size_ = kMaxMessageBeforeOpen;
  base::Fifo<uint64_t> queued_;  // sizes of the payloads JS holds, in order
  uint64_t queued_bytes_ = 0;
  uint64_t in_browser_ = 0;
};

}  // namespace rtcwire::peer
