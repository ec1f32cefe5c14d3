#include "rtcwire/base/timer_table.hpp"

#include <gtest/gtest.h>

namespace rtcwire::base {
namespace {

enum class Name { a, b, c };

TEST(TimerTableTest, ReportsTheEarliestDeadline) {
  TimerTable<Name, 3> timers;
  EXPECT_EQ(timers.earliest(), std::nullopt);
  timers.set(Name::b, Millis(50));
  timers.set(Name::a, Millis(70));
  EXPECT_EQ(timers.earliest(), Millis(50));
  timers.clear(Name::b);
  EXPECT_EQ(timers.earliest(), Millis(70));
}

TEST(TimerTableTest, TakesExpiredTimersInDeadlineOrder) {
  TimerTable<Name, 3> timers;
  timers.set(Name::a, Millis(30));
  timers.set(Name::b, Millis(10));
  timers.set(Name::c, Millis(100));
  EXPECT_TRUE(timers.take_expired(Millis(9)).empty());
  EXPECT_EQ(timers.take_expired(Millis(30)), (std::vector<Name>{Name::b, Name::a}));
  EXPECT_FALSE(timers.is_set(Name::a));
  EXPECT_TRUE(timers.is_set(Name::c));
  EXPECT_EQ(timers.earliest(), Millis(100));
}

}  // namespace
}  // namespace rtcwire::base
