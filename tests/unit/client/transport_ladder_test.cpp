// The transport ladder on its own: the order of a round, the head start, the step down, and
// inputs a state does not allow refused without a change.
#include "rtcwire/client/transport_ladder.hpp"

#include <gtest/gtest.h>

namespace rtcwire::client {

using base::Millis;
using engineio::TransportKind;

namespace {

constexpr Millis kNow{1000};
const LadderTiming kTiming{Millis(5000), Millis(400), Millis(50), Millis(50), Millis(250)};
const std::vector<TransportKind> kAll{TransportKind::websocket, TransportKind::sse,
                                      TransportKind::polling};

TEST(TransportLadderTest, ARememberedTransportGoesFirst) {
  TransportLadder ladder(kAll, kTiming);
  const auto first = ladder.start(kNow, TransportKind::polling, false);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), TransportKind::polling);
  EXPECT_EQ(ladder.state(), LadderState::opening);
}

TEST(TransportLadderTest, TheNextRungStartsAlongsideAfterTheHeadStart) {
  TransportLadder ladder(kAll, kTiming);
  ASSERT_EQ(ladder.start(kNow, std::nullopt, false).value(), TransportKind::websocket);
  ASSERT_EQ(ladder.deadline(), kNow + Millis(400));
  EXPECT_FALSE(ladder.handle_timeout(kNow + Millis(399)));
  EXPECT_EQ(ladder.handle_timeout(kNow + Millis(400)), TransportKind::sse);
  EXPECT_EQ(ladder.handle_timeout(kNow + Millis(800)), TransportKind::polling);
  // Past the last rung of a first connect nothing more starts.
  EXPECT_FALSE(ladder.deadline());
}

TEST(TransportLadderTest, AFailureStepsDownAfterAJitteredDelayAndTheLastOneExhausts) {
  TransportLadder ladder({TransportKind::websocket, TransportKind::sse}, kTiming);
  base::RandomSource random(9);
  ASSERT_TRUE(ladder.start(kNow, std::nullopt, false).ok());
  const auto step = ladder.attempt_failed(false, kNow, random);
  ASSERT_TRUE(step.ok());
  EXPECT_TRUE(std::holds_alternative<ladder_step::StepDown>(step.value()));
  EXPECT_EQ(ladder.state(), LadderState::stepping);
  const auto at = ladder.deadline();
  ASSERT_TRUE(at);
  EXPECT_GE(*at, kNow + Millis(50));
  EXPECT_LE(*at, kNow + Millis(250));
  EXPECT_EQ(ladder.handle_timeout(*at), TransportKind::sse);
  const auto waiting = ladder.attempt_failed(true, *at, random);
  ASSERT_TRUE(waiting.ok());
  EXPECT_TRUE(std::holds_alternative<ladder_step::WaitForEarlier>(waiting.value()));
  const auto lost = ladder.attempt_failed(false, *at, random);
  ASSERT_TRUE(lost.ok());
  EXPECT_TRUE(std::holds_alternative<ladder_step::Exhausted>(lost.value()));
  EXPECT_EQ(ladder.state(), LadderState::idle);
}

TEST(TransportLadderTest, AnInputTheStateDoesNotAllowIsAnErrorAndChangesNothing) {
  TransportLadder ladder(kAll, kTiming);
  base::RandomSource random(1);
  const auto failed = ladder.attempt_failed(false, kNow, random);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, base::ErrorCode::invalid_state);
  EXPECT_FALSE(ladder.opened(Millis(10)).ok());
  EXPECT_EQ(ladder.state(), LadderState::idle);
  ASSERT_TRUE(ladder.start(kNow, std::nullopt, false).ok());
  const auto deadline = ladder.deadline();
  EXPECT_FALSE(ladder.start(kNow, std::nullopt, false).ok()) << "a round is already under way";
  EXPECT_EQ(ladder.state(), LadderState::opening);
  EXPECT_EQ(ladder.deadline(), deadline);
  EXPECT_EQ(to_string(LadderState::stepping), "stepping");
}

}  // namespace
}  // namespace rtcwire::client
