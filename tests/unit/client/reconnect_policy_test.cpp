#include "rtcwire/client/reconnect_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace rtcwire::client {

using base::Millis;

namespace {

ReconnectContext lost(uint32_t attempt) {
  return {attempt, Millis(0), ReconnectReason::connection_lost, Millis(0)};
}

TEST(ReconnectPolicyTest, DelaysStayWithinTheGrowingCeilingAndTheCap) {
  const ReconnectPolicy policy;  // 500 ms, x2, 10 s
  base::RandomSource random(1);
  const int64_t ceilings[] = {500, 1000, 2000, 4000, 8000, 10000, 10000, 10000};
  for (uint32_t attempt = 1; attempt <= 8; ++attempt) {
    for (int sample = 0; sample < 200; ++sample) {
      const auto delay = policy.next_delay(lost(attempt), random);
      ASSERT_TRUE(delay);
      EXPECT_GE(delay->count(), 0);
      EXPECT_LE(delay->count(), ceilings[attempt - 1]) << "attempt " << attempt;
    }
  }
  EXPECT_LE(policy.next_delay(lost(1000000), random)->count(), 10000);
}

TEST(ReconnectPolicyTest, FullJitterSpreadsOverTheWholeRange) {
  const ReconnectPolicy policy;
  base::RandomSource random(7);
  std::vector<int64_t> delays;
  for (int i = 0; i < 2000; ++i) delays.push_back(policy.next_delay(lost(6), random)->count());
  std::sort(delays.begin(), delays.end());
  // Uniform over [0, 10000]: quartiles near 2500, 5000, 7500.
  EXPECT_NEAR(static_cast<double>(delays[500]), 2500, 500);
  EXPECT_NEAR(static_cast<double>(delays[1000]), 5000, 500);
  EXPECT_NEAR(static_cast<double>(delays[1500]), 7500, 500);
  EXPECT_LT(delays.front(), 100);
  EXPECT_GT(delays.back(), 9900);
}

TEST(ReconnectPolicyTest, StopsAfterMaxAttempts) {
  ReconnectPolicy policy;
  policy.max_attempts = 3;
  base::RandomSource random(3);
  EXPECT_TRUE(policy.next_delay(lost(3), random));
  EXPECT_FALSE(policy.next_delay(lost(4), random));
  EXPECT_FALSE(policy.next_delay(lost(0), random));
}

TEST(ReconnectPolicyTest, StopsOnceMaxElapsedHasPassedSinceTheLoss) {
  ReconnectPolicy policy;
  policy.max_elapsed = Millis(30000);
  base::RandomSource random(3);
  EXPECT_TRUE(
      policy.next_delay({2, Millis(29999), ReconnectReason::connection_lost, Millis(0)}, random));
  EXPECT_FALSE(
      policy.next_delay({2, Millis(30000), ReconnectReason::connection_lost, Millis(0)}, random));
}

TEST(ReconnectPolicyTest, GoingAwaySpreadsUniformlyOverTheServersWindowInsteadOfBackingOff) {
  const ReconnectPolicy policy;  // a first backoff step would be at most 500 ms
  base::RandomSource random(11);
  std::vector<int64_t> delays;
  for (int i = 0; i < 2000; ++i) {
    const auto delay =
        policy.next_delay({1, Millis(0), ReconnectReason::going_away, Millis(20000)}, random);
    ASSERT_TRUE(delay);
    delays.push_back(delay->count());
  }
  std::sort(delays.begin(), delays.end());
  EXPECT_GE(delays.front(), 0);
  EXPECT_LE(delays.back(), 20000);
  EXPECT_NEAR(static_cast<double>(delays[1000]), 10000, 1000);
  EXPECT_GT(delays.back(), 19000);
}

TEST(ReconnectPolicyTest, TheFirstRetryAfterASilentDropComesAlmostAtOnce) {
  const ReconnectPolicy policy;  // a first backoff step would be up to 500 ms
  base::RandomSource random(13);
  std::vector<int64_t> delays;
  for (int i = 0; i < 2000; ++i) {
    const auto delay =
        policy.next_delay({1, Millis(0), ReconnectReason::silent_drop, Millis(0)}, random);
    ASSERT_TRUE(delay);
    delays.push_back(delay->count());
  }
  std::sort(delays.begin(), delays.end());
  EXPECT_GE(delays.front(), 0);
  EXPECT_LE(delays.back(), ReconnectPolicy::kSilentDropSpread.count());
  // Still jittered over the whole spread, not a fixed delay.
  EXPECT_LT(delays.front(), 5);
  EXPECT_GT(delays.back(), 45);
}

TEST(ReconnectPolicyTest, ASilentDropSpeedsUpOnlyTheFirstRetry) {
  const ReconnectPolicy policy;
  base::RandomSource random(17);
  int64_t longest = 0;
  for (int i = 0; i < 200; ++i) {
    const auto delay =
        policy.next_delay({2, Millis(300), ReconnectReason::silent_drop, Millis(0)}, random);
    ASSERT_TRUE(delay);
    EXPECT_LE(delay->count(), 1000);  // the second backoff step
    longest = std::max(longest, delay->count());
  }
  EXPECT_GT(longest, 500) << "a path that stays silent backs off as usual";
}

TEST(ReconnectPolicyTest, ASilentDropNeverWaitsLongerThanTheInitialStep) {
  ReconnectPolicy policy;
  policy.initial = Millis(10);
  base::RandomSource random(19);
  for (int i = 0; i < 200; ++i) {
    const auto delay =
        policy.next_delay({1, Millis(0), ReconnectReason::silent_drop, Millis(0)}, random);
    ASSERT_TRUE(delay);
    EXPECT_LE(delay->count(), 10);
  }
}

TEST(ReconnectPolicyTest, ASilentDropStillHonoursMaxAttempts) {
  ReconnectPolicy policy;
  policy.max_attempts = 0;
  base::RandomSource random(23);
  EXPECT_FALSE(policy.next_delay({1, Millis(0), ReconnectReason::silent_drop, Millis(0)}, random));
}

TEST(ReconnectPolicyTest, OnlyAPingTimeoutIsASilentDrop) {
  EXPECT_EQ(reconnect_reason(base::ErrorCode::ping_timeout), ReconnectReason::silent_drop);
  // The server closed or refused, or the transport failed: something answered, so back off.
  for (const base::ErrorCode code :
       {base::ErrorCode::transport_closed, base::ErrorCode::transport_error,
        base::ErrorCode::server_closed, base::ErrorCode::handshake_timeout}) {
    EXPECT_EQ(reconnect_reason(code), ReconnectReason::connection_lost) << to_string(code);
  }
  EXPECT_EQ(to_string(ReconnectReason::silent_drop), "silent_drop");
}

TEST(ReconnectPolicyTest, GoingAwayStillHonoursMaxAttempts) {
  ReconnectPolicy policy;
  policy.max_attempts = 0;
  base::RandomSource random(5);
  EXPECT_FALSE(policy.next_delay({1, Millis(0), ReconnectReason::going_away, Millis(100)}, random));
}

}  // namespace
}  // namespace rtcwire::client
