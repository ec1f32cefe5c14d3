#include "rtcwire/peer/channel_queue.hpp"

#include <gtest/gtest.h>

namespace rtcwire::peer {
namespace {

uint32_t flushed(base::Fifo<PeerAction>& actions) {
  uint32_t count = 0;
  while (!actions.empty()) {
    if (auto* flush = std::get_if<action::ChannelFlush>(&actions.front())) count += flush->count;
    actions.pop_front();
  }
  return count;
}

TEST(ChannelQueue, HoldsPayloadsUntilOpenThenSetsTheThreshold) {
  base::Fifo<PeerAction> actions;
  ChannelQueue channel(3, "rtcwire", {}, false);
  ASSERT_TRUE(channel.enqueue(1000, actions).ok());
  EXPECT_TRUE(actions.empty());
  channel.opened(262144, actions);
  ASSERT_EQ(actions.size(), 2u);
  const auto* threshold = std::get_if<action::ChannelThreshold>(&actions.front());
  ASSERT_TRUE(threshold);
  EXPECT_EQ(threshold->bytes, ChannelQueue::kLowThreshold);
  EXPECT_EQ(flushed(actions), 1u);
}

TEST(ChannelQueue, NeverFillsTheBrowserPastTheHighWater) {
  base::Fifo<PeerAction> actions;
  ChannelQueue channel(3, "rtcwire", {}, false);
  channel.opened(262144, actions);
  (void)flushed(actions);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(channel.enqueue(200000, actions).ok());
  EXPECT_EQ(flushed(actions), 5u);  // 1,000,000 bytes: a sixth would pass 1 MiB
  EXPECT_LE(channel.in_browser(), ChannelQueue::kHighWater);
  channel.drained(200000, actions);
  EXPECT_EQ(flushed(actions), 4u);
  channel.drained(0, actions);
  EXPECT_EQ(flushed(actions), 1u);
  EXPECT_EQ(channel.queued_bytes(), 0u);
}

TEST(ChannelQueue, RefusesMessagesOverTheMaximumAndAfterClose) {
  base::Fifo<PeerAction> actions;
  ChannelQueue channel(3, "rtcwire", {}, false);
  const auto early = channel.enqueue(ChannelQueue::kMaxMessageBeforeOpen + 1, actions);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, base::ErrorCode::message_too_large);
  channel.opened(262144, actions);
  EXPECT_TRUE(channel.enqueue(262144, actions).ok());
  EXPECT_EQ(channel.enqueue(262145, actions).error().code, base::ErrorCode::message_too_large);
  channel.closed();
  EXPECT_EQ(channel.enqueue(1, actions).error().code, base::ErrorCode::channel_closed);
}

TEST(ChannelQueue, ZeroMaximumMeansNoLimit) {
  base::Fifo<PeerAction> actions;
  ChannelQueue channel(3, "x", {}, true);
  channel.opened(0, actions);
  EXPECT_TRUE(channel.enqueue(10'000'000, actions).ok());
}

}  // namespace
}  // namespace rtcwire::peer
