#include "log_limiter.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(LogLimiter, WritesUpToTheShareOfAWindowAndReportsTheRestWhenItEnds) {
  LogLimiter limiter(3, Millis{1000});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("error.malformed_json", Millis{100}));
  EXPECT_EQ(limiter.next_report(), std::nullopt);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.admit("error.malformed_json", Millis{200}));
  // Another kind has its own share.
  EXPECT_TRUE(limiter.admit("accept.failed", Millis{200}));
  EXPECT_EQ(limiter.next_report(), Millis{1100});
  EXPECT_TRUE(limiter.take_suppressed(Millis{1099}).empty());
  // Still suppressed until reported, even past the window's end.
  EXPECT_FALSE(limiter.admit("error.malformed_json", Millis{1100}));
  EXPECT_EQ(limiter.take_suppressed(Millis{1100}),
            (std::vector<SuppressedLines>{{"error.malformed_json", 6}}));
  EXPECT_EQ(limiter.next_report(), std::nullopt);
  EXPECT_TRUE(limiter.admit("error.malformed_json", Millis{1100}));
}

TEST(LogLimiter, AQuietKindStartsAFreshWindow) {
  LogLimiter limiter(1, Millis{1000});
  EXPECT_TRUE(limiter.admit("k", Millis{0}));
  EXPECT_FALSE(limiter.admit("k", Millis{999}));
  EXPECT_EQ(limiter.take_suppressed(Millis{1000}), (std::vector<SuppressedLines>{{"k", 1}}));
  EXPECT_TRUE(limiter.admit("k", Millis{5000}));
  EXPECT_FALSE(limiter.admit("k", Millis{5001}));
}

}  // namespace
}  // namespace rtcwire::server
