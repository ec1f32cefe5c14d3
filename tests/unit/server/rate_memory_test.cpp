#include "rate_memory.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtcwire::server {
namespace {

const RateLimits kLimits{10, 10, 1 << 20, 1 << 20, 100};

// A limiter with `left` of its 10 envelope tokens.
SenderLimiter drained_to(int left, Millis now) {
  SenderLimiter limiter(kLimits, now);
  for (int i = 0; i < 10 - left; ++i) (void)limiter.admit(1, now);
  return limiter;
}

// How many envelopes `limiter` admits at `now` before refusing one.
int admitted(SenderLimiter& limiter, Millis now) {
  int n = 0;
  while (n < 100 && limiter.admit(1, now).verdict == SenderLimiter::Verdict::admit) ++n;
  return n;
}

TEST(RateMemoryTest, GivesBackWhatAnAddressLeftOldestFirst) {
  RateMemory memory;
  const Millis now{1000};
  memory.keep("198.51.100.7", drained_to(2, now), now);
  memory.keep("198.51.100.7", drained_to(5, now), now);
  EXPECT_FALSE(memory.take("198.51.100.8", now).has_value());
  auto first = memory.take("198.51.100.7", now);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(admitted(*first, now), 2);
  auto second = memory.take("198.51.100.7", now);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(admitted(*second, now), 5);
  EXPECT_FALSE(memory.take("198.51.100.7", now).has_value());
  EXPECT_EQ(memory.size(), 0u);
}

TEST(RateMemoryTest, KeepsNothingForARestedLimiterOrAnUnknownAddress) {
  RateMemory memory;
  const Millis now{1000};
  memory.keep("198.51.100.7", SenderLimiter(kLimits, now), now);
  memory.keep("", drained_to(0, now), now);
  EXPECT_EQ(memory.size(), 0u);
}

TEST(RateMemoryTest, ForgetsAfterTheRetention) {
  RateMemory memory;
  const Millis now{1000};
  memory.keep("198.51.100.7", drained_to(0, now), now);
  EXPECT_FALSE(memory.take("198.51.100.7", now + RateMemory::kRetention).has_value());
  EXPECT_EQ(memory.size(), 0u);
}

TEST(RateMemoryTest, TheOldestGivesWayWhenFull) {
  RateMemory memory;
  const Millis now{1000};
  for (std::size_t i = 0; i <= RateMemory::kMaxEntries; ++i) {
    memory.keep("a" + std::to_string(i), drained_to(0, now), now);
  }
  EXPECT_EQ(memory.size(), RateMemory::kMaxEntries);
  EXPECT_FALSE(memory.take("a0", now).has_value());
  EXPECT_TRUE(memory.take("a1", now).has_value());
  EXPECT_TRUE(memory.take("a" + std::to_string(RateMemory::kMaxEntries), now).has_value());
}

}  // namespace
}  // namespace rtcwire::server
