// The reconnect schedule on its own: which step follows each input, and inputs a state does not
// allow refused without a change.
#include "rtcwire/client/reconnect_schedule.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace rtcwire::client {

using base::Millis;

namespace {

constexpr Millis kNow{1000};

// The step, when it is a `Step` (copied out: the Result is usually a temporary).
template <class Step>
std::optional<Step> step_as(const base::Result<ReconnectStep>& step) {
  EXPECT_TRUE(step.ok()) << (step.ok() ? "" : step.error().message);
  if (!step.ok() || !std::holds_alternative<Step>(step.value())) return std::nullopt;
  return std::get<Step>(step.value());
}

ReconnectSchedule established_schedule(ReconnectPolicy policy = {}) {
  ReconnectSchedule schedule(policy);
  EXPECT_TRUE(schedule.connect().ok());
  EXPECT_TRUE(schedule.established().ok());
  return schedule;
}

TEST(ReconnectScheduleTest, AFirstConnectThatFailsGivesUp) {
  ReconnectSchedule schedule({});
  base::RandomSource random(1);
  ASSERT_TRUE(schedule.connect().ok());
  EXPECT_NE(step_as<reconnect_step::GiveUp>(
                schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random)),
            std::nullopt);
  EXPECT_EQ(schedule.state(), ReconnectState::idle);
}

TEST(ReconnectScheduleTest, ALostSessionWaitsThenRetriesAtItsDeadline) {
  ReconnectSchedule schedule = established_schedule();
  base::RandomSource random(1);
  const auto wait = step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random));
  ASSERT_NE(wait, std::nullopt);
  EXPECT_EQ(wait->attempt, 1u);
  ASSERT_TRUE(wait->retry_in);
  EXPECT_LE(wait->retry_in->count(), 500);
  ASSERT_EQ(schedule.deadline(), kNow + *wait->retry_in);
  EXPECT_NE(
      step_as<reconnect_step::Stay>(schedule.handle_timeout(*schedule.deadline() - Millis(1))),
      std::nullopt);
  EXPECT_NE(step_as<reconnect_step::Retry>(schedule.handle_timeout(*schedule.deadline())),
            std::nullopt);
  EXPECT_EQ(schedule.state(), ReconnectState::retrying);
  EXPECT_FALSE(schedule.deadline());
  // The retry fails too: attempt 2, and a welcome starts counting again.
  const auto again = step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random));
  ASSERT_NE(again, std::nullopt);
  EXPECT_EQ(again->attempt, 2u);
  ASSERT_TRUE(step_as<reconnect_step::Retry>(schedule.handle_timeout(*schedule.deadline())));
  ASSERT_TRUE(schedule.established().ok());
  EXPECT_EQ(schedule.attempt(), 0u);
}

TEST(ReconnectScheduleTest, ElapsedCountsFromTheLossOfTheSession) {
  ReconnectPolicy policy;
  policy.max_elapsed = Millis(60000);
  ReconnectSchedule schedule = established_schedule(policy);
  base::RandomSource random(1);
  ASSERT_TRUE(step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random)));
  ASSERT_TRUE(step_as<reconnect_step::Retry>(schedule.handle_timeout(*schedule.deadline())));
  ASSERT_TRUE(step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow + Millis(59999), random)));
  ASSERT_TRUE(step_as<reconnect_step::Retry>(schedule.handle_timeout(*schedule.deadline())));
  EXPECT_TRUE(step_as<reconnect_step::GiveUp>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow + Millis(60000), random)));
}

TEST(ReconnectScheduleTest, OfflineHoldsTheRetryAndOnlineRetriesAtOnce) {
  ReconnectSchedule schedule = established_schedule();
  base::RandomSource random(1);
  ASSERT_TRUE(step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random)));
  const auto held = step_as<reconnect_step::Wait>(schedule.network_changed(false));
  ASSERT_NE(held, std::nullopt);
  EXPECT_EQ(held->attempt, 1u);
  EXPECT_FALSE(held->retry_in);
  EXPECT_EQ(schedule.state(), ReconnectState::held_offline);
  EXPECT_FALSE(schedule.deadline());
  EXPECT_TRUE(step_as<reconnect_step::Stay>(schedule.network_changed(false)));
  EXPECT_TRUE(step_as<reconnect_step::Retry>(schedule.network_changed(true)));
  // Lost again while offline: held at once, no deadline.
  ASSERT_TRUE(step_as<reconnect_step::Stay>(schedule.network_changed(false)));
  const auto offline = step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random));
  ASSERT_NE(offline, std::nullopt);
  EXPECT_EQ(offline->attempt, 2u);
  EXPECT_FALSE(offline->retry_in);
}

TEST(ReconnectScheduleTest, GoingAwayGoesThroughThePolicyWindow) {
  ReconnectSchedule schedule = established_schedule();
  base::RandomSource random(3);
  const auto wait = step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::going_away, Millis(0), kNow, random));
  ASSERT_NE(wait, std::nullopt);
  EXPECT_EQ(wait->retry_in, Millis(0)) << "a window of 0 means now";
}

TEST(ReconnectScheduleTest, ASilentDropIsRetriedAlmostAtOnceThenBacksOff) {
  ReconnectSchedule schedule = established_schedule();
  base::RandomSource random(5);
  const auto wait = step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::silent_drop, Millis(0), kNow, random));
  ASSERT_NE(wait, std::nullopt);
  EXPECT_EQ(wait->attempt, 1u);
  ASSERT_TRUE(wait->retry_in);
  EXPECT_LE(*wait->retry_in, ReconnectPolicy::kSilentDropSpread);
  ASSERT_TRUE(step_as<reconnect_step::Retry>(schedule.handle_timeout(*schedule.deadline())));
  // The retry is refused: the second attempt waits on the policy's usual second step.
  const auto again = step_as<reconnect_step::Wait>(
      schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow + Millis(50), random));
  ASSERT_NE(again, std::nullopt);
  EXPECT_EQ(again->attempt, 2u);
  ASSERT_TRUE(again->retry_in);
  EXPECT_LE(again->retry_in->count(), 1000);
}

TEST(ReconnectScheduleTest, AnInputTheStateDoesNotAllowIsAnErrorAndChangesNothing) {
  ReconnectSchedule schedule({});
  base::RandomSource random(1);
  const auto lost = schedule.lost(ReconnectReason::connection_lost, Millis(0), kNow, random);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, base::ErrorCode::invalid_state);
  EXPECT_EQ(schedule.state(), ReconnectState::idle);
  const auto welcomed = schedule.established();
  ASSERT_FALSE(welcomed.ok());
  EXPECT_EQ(schedule.state(), ReconnectState::idle);

  ReconnectSchedule waiting = established_schedule();
  ASSERT_TRUE(step_as<reconnect_step::Wait>(
      waiting.lost(ReconnectReason::connection_lost, Millis(0), kNow, random)));
  const auto deadline = waiting.deadline();
  EXPECT_FALSE(waiting.connect().ok());
  EXPECT_FALSE(waiting.lost(ReconnectReason::connection_lost, Millis(0), kNow, random).ok());
  EXPECT_EQ(waiting.state(), ReconnectState::waiting);
  EXPECT_EQ(waiting.deadline(), deadline);
  EXPECT_EQ(waiting.attempt(), 1u);
}

TEST(ReconnectScheduleTest, EveryStateHasAName) {
  EXPECT_EQ(to_string(ReconnectState::held_offline), "held_offline");
  EXPECT_EQ(to_string(ReconnectState::first_connect), "first_connect");
}

}  // namespace
}  // namespace rtcwire::client
