#include "send_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtcwire::server {
namespace {

using engineio::Packet;
using engineio::PacketType;

Packet message(std::string text) { return Packet{PacketType::message, std::move(text), false}; }

TEST(SendQueue, KeepsOrderAndCountsDataPlusTheTypeByte) {
  SendQueue queue(100);
  EXPECT_TRUE(queue.push(message("first")));
  EXPECT_TRUE(queue.push(Packet{PacketType::ping, {}, false}));
  EXPECT_EQ(queue.counted_bytes(), 7u);
  const SendQueue::Batch batch = queue.take_all();
  ASSERT_EQ(batch.packets.size(), 2u);
  EXPECT_EQ(batch.packets[0], message("first"));
  EXPECT_EQ(batch.packets[1].type, PacketType::ping);
  EXPECT_EQ(batch.bytes, 7u);
  EXPECT_TRUE(queue.empty());
}

TEST(SendQueue, PacketsInFlightCountUntilReleased) {
  SendQueue queue(10);
  EXPECT_TRUE(queue.push(message("12345")));  // 6 bytes
  const SendQueue::Batch batch = queue.take_all();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.counted_bytes(), 6u);
  EXPECT_FALSE(queue.push(message("12345")));  // 6 more would be 12
  queue.release(batch.bytes);
  EXPECT_EQ(queue.counted_bytes(), 0u);
  EXPECT_TRUE(queue.push(message("12345")));
}

TEST(SendQueue, RefusesWhatWouldGoOverTheCapAndQueuesNothingOfIt) {
  SendQueue queue(10);
  EXPECT_TRUE(queue.push(message("12345")));
  EXPECT_FALSE(queue.push(message("123456")));
  EXPECT_EQ(queue.counted_bytes(), 6u);
  EXPECT_TRUE(queue.push(message("123")));  // exactly at the cap
  EXPECT_EQ(queue.counted_bytes(), 10u);
  EXPECT_FALSE(queue.push(Packet{PacketType::noop, {}, false}));
}

TEST(SendQueue, ASinglePacketOverTheCapIsRefused) {
  SendQueue queue(3);
  EXPECT_FALSE(queue.push(message("four")));
  EXPECT_TRUE(queue.empty());
}

TEST(SendQueue, ClearFreesTheBudgetIncludingWhatWasInFlight) {
  SendQueue queue(8);
  EXPECT_TRUE(queue.push(message("1234567")));
  queue.take_all();
  queue.clear();
  EXPECT_EQ(queue.counted_bytes(), 0u);
  EXPECT_TRUE(queue.push(message("1234567")));
}

TEST(SendQueue, ReleasingMoreThanInFlightStopsAtZero) {
  SendQueue queue(8);
  EXPECT_TRUE(queue.push(message("1")));
  queue.take_all();
  queue.release(100);
  EXPECT_EQ(queue.counted_bytes(), 0u);
}

}  // namespace
}  // namespace rtcwire::server
