// The transport ladder on its own: the order of a round, the head start, the step down, and
// inputs a state does not allow refused without a change.
#include "rtcwire/client/transport_ladder.hpp"

#include <gtest/gtest.h>

namespace rtcwire::client {
namespace {

constexpr base::Millis kNow{1000};
const LadderTiming kTiming{base::Millis(5000), base::Millis(400), base::Millis(50), base::Millis(50), base::Millis(250)};
const std::vector<engineio::TransportKind> kAll{engineio::TransportKind::websocket, engineio::TransportKind::sse,
                                      engineio::TransportKind::polling};

TEST(TransportLadderTest, ARememberedTransportGoesFirst) {
  TransportLadder ladder(kAll, kTiming);
  const auto first = ladder.start(kNow, engineio::TransportKind::polling, false);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), engineio::TransportKind::polling);
  EXPECT_EQ(ladder.state(), LadderState::opening);
}

TEST(TransportLadderTest, TheNextRungStartsAlongsideAfterTheHeadStart) {
  TransportLadder ladder(kAll, kTiming);
  ASSERT_EQ(ladder.start(kNow, std::nullopt, false).value(), engineio::TransportKind::websocket);
  ASSERT_EQ(ladder.deadline(), kNow + base::Millis(400));
  EXPECT_FALSE(ladder.handle_timeout(kNow + base::Millis(399)));
  EXPECT_EQ(ladder.handle_timeout(kNow + base::Millis(400)), engineio::TransportKind::sse);
  EXPECT_EQ(ladder.handle_timeout(kNow + base::Millis(800)), engineio::TransportKind::polling);
  // Past the last rung of a first connect nothing more starts.
  EXPECT_FALSE(ladder.deadline());
}

TEST(TransportLadderTest, AFailureStepsDownAfterAJitteredDelayAndTheLastOneExhausts) {
  TransportLadder ladder({engineio::TransportKind::websocket, engineio::TransportKind::sse}, kTiming);
  base::RandomSource random(9);
  ASSERT_TRUE(ladder.start(kNow, std::nullopt, false).ok());
  const auto step = ladder.attempt_failed(false, kNow, random);
  ASSERT_TRUE(step.ok());
  EXPECT_TRUE(std::holds_alternative<ladder_step::StepDown>(step.value()));
  EXPECT_EQ(ladder.state(), LadderState::stepping);
  const auto at = ladder.deadline();
  ASSERT_TRUE(at);
  EXPECT_GE(*at, kNow + base::Millis(50));
  EXPECT_LE(*at, kNow + base::Millis(250));
  EXPECT_EQ(ladder.handle_timeout(*at), engineio::TransportKind::sse);
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
  EXPECT_FALSE(ladder.opened(base::Millis(10)).ok());
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
