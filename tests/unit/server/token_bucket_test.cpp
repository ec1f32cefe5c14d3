#include "token_bucket.hpp"

#include <gtest/gtest.h>

#include "memory_reclaimer.hpp"

namespace rtcwire::server {
namespace {

TEST(TokenBucketTest, ABurstThenTheRate) {
  TokenBucket bucket(10.0, 3.0, Millis{0});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.try_take(1.0, Millis{0}));
  EXPECT_FALSE(bucket.try_take(1.0, Millis{0}));
  EXPECT_FALSE(bucket.try_take(1.0, Millis{99}));
  EXPECT_TRUE(bucket.try_take(1.0, Millis{100}));
  EXPECT_FALSE(bucket.try_take(1.0, Millis{100}));
  // Never more than the burst, however long it rested.
  EXPECT_DOUBLE_EQ(bucket.tokens(Millis{100000}), 3.0);
}

TEST(TokenBucketTest, AFullBucketAdmitsOneItemLargerThanTheBurstThenRepaysIt) {
  TokenBucket bucket(100.0, 50.0, Millis{0});
  EXPECT_TRUE(bucket.try_take(60.0, Millis{0}));
  EXPECT_DOUBLE_EQ(bucket.tokens(Millis{0}), -10.0);
  EXPECT_FALSE(bucket.try_take(1.0, Millis{100}));  // back to 0: the debt is repaid first
  EXPECT_TRUE(bucket.try_take(1.0, Millis{110}));
}

TEST(TokenBucketTest, AClockThatStepsBackRefillsNothing) {
  TokenBucket bucket(1000.0, 1.0, Millis{1000});
  EXPECT_TRUE(bucket.try_take(1.0, Millis{1000}));
  EXPECT_FALSE(bucket.try_take(1.0, Millis{500}));
  EXPECT_FALSE(bucket.try_take(1.0, Millis{1000}));
}

TEST(MemoryReclaimerTest, TrimsOnceABurstHasDrainedToAQuarter) {
  MemoryReclaimer reclaimer;
  constexpr std::size_t kBurst = MemoryReclaimer::kMinBurstBytes;
  EXPECT_FALSE(reclaimer.should_trim(kBurst / 2));
  EXPECT_FALSE(reclaimer.should_trim(0)) << "a peak below the minimum is no burst";
  EXPECT_FALSE(reclaimer.should_trim(4 * kBurst));
  EXPECT_FALSE(reclaimer.should_trim(kBurst + 1));
  EXPECT_TRUE(reclaimer.should_trim(kBurst));
  EXPECT_FALSE(reclaimer.should_trim(kBurst / 2)) << "once, until what is left drains too";
}

}  // namespace
}  // namespace rtcwire::server
