#include "send_queue.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(SendQueue, KeepsOrderAndCountsBytes) {
  SendQueue queue(100);
  EXPECT_TRUE(queue.push("first"));
  EXPECT_TRUE(queue.push("second"));
  EXPECT_EQ(queue.queued_bytes(), 11u);
  EXPECT_EQ(queue.front(), "first");
  queue.pop();
  EXPECT_EQ(queue.front(), "second");
  queue.pop();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.queued_bytes(), 0u);
}

TEST(SendQueue, RefusesWhatWouldGoOverTheCapAndQueuesNothingOfIt) {
  SendQueue queue(10);
  EXPECT_TRUE(queue.push(std::string(6, 'a')));
  EXPECT_FALSE(queue.push(std::string(5, 'b')));
  EXPECT_EQ(queue.queued_bytes(), 6u);
  EXPECT_TRUE(queue.push(std::string(4, 'c')));  // exactly at the cap
  EXPECT_EQ(queue.queued_bytes(), 10u);
  EXPECT_FALSE(queue.push("x"));
}

TEST(SendQueue, ASingleFrameOverTheCapIsRefused) {
  SendQueue queue(3);
  EXPECT_FALSE(queue.push("four"));
  EXPECT_TRUE(queue.empty());
}

TEST(SendQueue, ClearFreesTheBudget) {
  SendQueue queue(8);
  EXPECT_TRUE(queue.push("12345678"));
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.queued_bytes(), 0u);
  EXPECT_TRUE(queue.push("12345678"));
}

}  // namespace
}  // namespace rtcwire::server
