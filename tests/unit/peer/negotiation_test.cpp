#include "rtcwire/peer/negotiation.hpp"

#include <gtest/gtest.h>

namespace rtcwire::peer {
namespace {

using S = SignalingState;

class NegotiationTest : public ::testing::Test {
 protected:
  std::vector<PeerAction> take() {
    std::vector<PeerAction> all;
    while (!outputs.actions.empty()) {
      all.push_back(outputs.actions.front());
      outputs.actions.pop_front();
    }
    return all;
  }
  // The one action issued since the last call, of type T.
  template <class T>
  T only() {
    auto all = take();
    EXPECT_EQ(all.size(), 1u);
    if (all.size() != 1 || !std::holds_alternative<T>(all[0])) {
      ADD_FAILURE() << "not the expected action";
      return T{};
    }
    return std::get<T>(all[0]);
  }

  PeerOutputs outputs;
  const Description offer{DescriptionType::offer, "remote-offer"};
  const Description answer{DescriptionType::answer, "remote-answer"};
};

TEST_F(NegotiationTest, OfferWhenNegotiationIsNeeded) {
  Negotiation n(7, false, outputs);
  n.negotiation_needed();
  const auto set_local = only<action::SetLocal>();
  EXPECT_EQ(set_local.pc, 7u);
  const auto settled = n.op_done(
      {7, set_local.op, S::have_local_offer, Description{DescriptionType::offer, "mine"}, {}});
  ASSERT_TRUE(settled.to_signal);
  EXPECT_EQ(settled.to_signal->sdp, "mine");
  EXPECT_EQ(n.state(), S::have_local_offer);
  n.remote_description(answer);
  const auto set_remote = only<action::SetRemote>();
  EXPECT_EQ(set_remote.description, answer);
  (void)n.op_done({7, set_remote.op, S::stable, {}, {}});
  EXPECT_EQ(n.state(), S::stable);
  EXPECT_TRUE(take().empty());
}

TEST_F(NegotiationTest, OneOperationAtATime) {
  Negotiation n(1, true, outputs);
  n.negotiation_needed();
  const auto first = only<action::SetLocal>();
  n.remote_candidate(nlohmann::json{{"candidate", "c"}});
  n.negotiation_needed();  // the browser fires again: still one offer
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(n.queued(), 2u);
  (void)n.op_done({1, first.op, S::have_local_offer, Description{DescriptionType::offer, "o"}, {}});
  // The candidate waits for a remote description; the second offer no longer applies.
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(n.queued(), 0u);
}

TEST_F(NegotiationTest, ImpoliteSideIgnoresACollidingOffer) {
  Negotiation n(1, false, outputs);
  n.negotiation_needed();
  const auto mine = only<action::SetLocal>();
  n.remote_description(offer);
  (void)n.op_done({1, mine.op, S::have_local_offer, Description{DescriptionType::offer, "o"}, {}});
  EXPECT_TRUE(take().empty());
  EXPECT_TRUE(n.ignoring_offer());
  // Candidates of the ignored offer wait, and failing later is not an error.
  n.remote_candidate(nlohmann::json{{"candidate", "c"}});
  n.remote_description(answer);
  const auto set_answer = only<action::SetRemote>();
  (void)n.op_done({1, set_answer.op, S::stable, {}, {}});
  const auto candidate = only<action::AddCandidate>();
  const auto settled = n.op_failed({1, candidate.op, "OperationError", "unknown ufrag"});
  EXPECT_FALSE(settled.error);
}

TEST_F(NegotiationTest, PoliteSideRollsBackAndAnswers) {
  Negotiation n(1, true, outputs);
  n.negotiation_needed();
  const auto mine = only<action::SetLocal>();
  n.remote_description(offer);
  (void)n.op_done({1, mine.op, S::have_local_offer, Description{DescriptionType::offer, "o"}, {}});
  const auto set_remote = only<action::SetRemote>();
  EXPECT_EQ(set_remote.description, offer);
  (void)n.op_done({1, set_remote.op, S::have_remote_offer, {}, {}});
  const auto make_answer = only<action::SetLocal>();
  const auto settled =
      n.op_done({1, make_answer.op, S::stable, Description{DescriptionType::answer, "a"}, {}});
  ASSERT_TRUE(settled.to_signal);
  EXPECT_EQ(settled.to_signal->type, DescriptionType::answer);
  EXPECT_FALSE(n.ignoring_offer());
}

TEST_F(NegotiationTest, CandidatesWaitForTheRemoteDescription) {
  Negotiation n(1, true, outputs);
  n.remote_candidate(nlohmann::json{{"candidate", "early"}});
  n.remote_candidate(std::nullopt);
  EXPECT_TRUE(take().empty());
  n.remote_description(offer);
  const auto set_remote = only<action::SetRemote>();
  (void)n.op_done({1, set_remote.op, S::have_remote_offer, {}, {}});
  // The answer first, then the candidates in their order.
  const auto answer_op = only<action::SetLocal>();
  (void)n.op_done({1, answer_op.op, S::stable, Description{DescriptionType::answer, "a"}, {}});
  const auto first = only<action::AddCandidate>();
  EXPECT_EQ(first.candidate, nlohmann::json({{"candidate", "early"}}));
  (void)n.op_done({1, first.op, S::stable, {}, {}});
  const auto end = only<action::AddCandidate>();
  EXPECT_FALSE(end.candidate);
}

TEST_F(NegotiationTest, StaleAnswersAndEventsChangeNothing) {
  Negotiation n(1, true, outputs);
  n.remote_description(answer);  // no offer of ours: dropped
  EXPECT_TRUE(take().empty());
  const auto before = outputs.stale;
  (void)n.op_done({1, 999, S::have_local_offer, {}, {}});
  (void)n.op_failed({1, 999, "InvalidStateError", "late"});
  EXPECT_EQ(outputs.stale, before + 2);
  EXPECT_EQ(n.state(), S::stable);
}

TEST_F(NegotiationTest, ImpossibleSignallingMovesAreRefused) {
  Negotiation n(1, true, outputs);
  EXPECT_FALSE(n.signaling_changed(S::have_local_pranswer).ok());
  EXPECT_EQ(n.state(), S::stable);
  EXPECT_TRUE(n.signaling_changed(S::closed).ok());
  EXPECT_FALSE(n.signaling_changed(S::stable).ok());
}

TEST_F(NegotiationTest, FailuresAreReportedWithCodes) {
  Negotiation n(1, false, outputs);
  n.remote_description(offer);
  const auto set_remote = only<action::SetRemote>();
  const auto refused = n.op_failed({1, set_remote.op, "OperationError", "bad sdp"});
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->code, base::ErrorCode::invalid_signal);
  n.negotiation_needed();
  const auto set_local = only<action::SetLocal>();
  const auto failed = n.op_failed({1, set_local.op, "InvalidStateError", "closed"});
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, base::ErrorCode::negotiation_failed);
}

TEST_F(NegotiationTest, StatsAnswerTheirOp) {
  Negotiation n(1, true, outputs);
  const uint32_t op = n.request_stats();
  const auto get = only<action::GetStats>();
  EXPECT_EQ(get.op, op);
  const auto settled = n.op_done({1, op, {}, {}, nlohmann::json{{"rttMs", 3}}});
  EXPECT_EQ(settled.stats_op, op);
  EXPECT_EQ((*settled.stats)["rttMs"], 3);
}

}  // namespace
}  // namespace rtcwire::peer
