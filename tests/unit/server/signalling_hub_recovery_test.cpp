// How the hub recovers envelopes lost in flight on an attached connection (docs/protocol.md §2.1):
// acks piggybacked on every sequenced envelope, replays the client asks for, resends when no ack
// comes, and refusals that still use up their seq.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "hub_harness.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server {
namespace {

using namespace testing;
using Received = envelope::Sequenced<ServerEnvelope>;

constexpr Millis kResendAfter{1000};

std::vector<envelope::Seq> seqs_to(const HubOutput& out, ConnectionId to) {
  std::vector<envelope::Seq> seqs;
  for (const Received& received : received_by(out, to)) seqs.push_back(received.seq);
  return seqs;
}

class HubRecoveryTest : public HubTest {
 protected:
  HubRecoveryTest() : HubTest(kResendAfter) {}

  // alice and bob in "lobby"; alice has received seq 1 (joined) and 2 (peer-joined bob), bob seq 1.
  void SetUp() override {
    alice = welcomed();
    bob = welcomed();
    (void)send(alice, envelope::Join{"lobby"}, 1);
    (void)send(bob, envelope::Join{"lobby"}, 1);
    (void)send(alice, envelope::Ack{2});
    (void)send(bob, envelope::Ack{1});
  }

  HubOutput bob_publishes(int n) { return send(bob, envelope::Publish{n}); }

  ConnectionId alice = 0;
  ConnectionId bob = 0;
};

TEST_F(HubRecoveryTest, EverySequencedEnvelopeCarriesTheLastClientSeqReceived) {
  (void)send(alice, envelope::Publish{"a"}, 2);
  const HubOutput out = bob_publishes(1);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(piggybacked_ack(out.deliveries[0]), 2u);
  // It was the ack: none is pending for alice any more.
  EXPECT_TRUE(received_by(hub.handle_timeout(now + ReliableInbox::kAckDelay), alice).empty());
}

TEST_F(HubRecoveryTest, AReplayRequestResendsEverythingAfterItsAckInOrder) {
  (void)bob_publishes(1);  // alice 3
  (void)bob_publishes(2);  // alice 4
  (void)bob_publishes(3);  // alice 5
  // Alice lost 4 (a long-poll response) and saw 5: she asks for everything after 3.
  const HubOutput out = send(alice, envelope::Ack{3, true});
  EXPECT_EQ(seqs_to(out, alice), (std::vector<envelope::Seq>{4, 5}));
  EXPECT_EQ(received_by(out, alice)[0].envelope, ServerEnvelope(envelope::Published{peer(bob), 2}));
  EXPECT_FALSE(out.rejection);
}

TEST_F(HubRecoveryTest, ReplayRequestsInQuickSuccessionAreAnsweredOnce) {
  (void)bob_publishes(1);
  EXPECT_EQ(seqs_to(send(alice, envelope::Ack{2, true}), alice), (std::vector<envelope::Seq>{3}));
  EXPECT_TRUE(send(alice, envelope::Ack{2, true}).deliveries.empty());
  now += Millis(200);
  EXPECT_EQ(seqs_to(send(alice, envelope::Ack{2, true}), alice), (std::vector<envelope::Seq>{3}));
}

TEST_F(HubRecoveryTest, WithoutAnAckTheTailGoesAgainWithBackoff) {
  const Millis sent = now;
  (void)bob_publishes(1);  // alice 3: the last envelope, lost with nothing after it
  EXPECT_TRUE(seqs_to(hub.handle_timeout(sent + kResendAfter - Millis(1)), alice).empty());
  EXPECT_EQ(seqs_to(hub.handle_timeout(sent + kResendAfter), alice),
            (std::vector<envelope::Seq>{3}));
  // Lost again: twice as long this time.
  const Millis first_resend = sent + kResendAfter;
  EXPECT_TRUE(
      seqs_to(hub.handle_timeout(first_resend + 2 * kResendAfter - Millis(1)), alice).empty());
  EXPECT_EQ(seqs_to(hub.handle_timeout(first_resend + 2 * kResendAfter), alice),
            (std::vector<envelope::Seq>{3}));
  // An ack that covers it ends the resends.
  now = first_resend + 2 * kResendAfter;
  (void)send(alice, envelope::Ack{3});
  EXPECT_TRUE(seqs_to(hub.handle_timeout(now + 100 * kResendAfter), alice).empty());
}

TEST_F(HubRecoveryTest, AnAckThatMovesRestartsTheResendClock) {
  const Millis sent = now;
  (void)bob_publishes(1);  // alice 3
  now += Millis(600);
  (void)bob_publishes(2);  // alice 4
  (void)send(alice, envelope::Ack{3});
  // 4 went out 600 ms after 3: it is resent a full interval after the ack moved, not earlier.
  EXPECT_TRUE(seqs_to(hub.handle_timeout(sent + kResendAfter), alice).empty());
  EXPECT_EQ(seqs_to(hub.handle_timeout(now + kResendAfter), alice),
            (std::vector<envelope::Seq>{4}));
}

TEST_F(HubRecoveryTest, ADetachedSessionIsNotResentToAndItsResumeReplays) {
  (void)bob_publishes(1);  // alice 3
  hub.disconnect(alice, now);
  EXPECT_TRUE(hub.handle_timeout(now + 4 * kResendAfter).deliveries.empty());
  const ConnectionId again = hub.connect();
  const HubOutput resumed = send(again, envelope::Hello{"t", resume_of(alice, 2)});
  EXPECT_EQ(seqs_to(resumed, again), (std::vector<envelope::Seq>{0, 3}));
}

TEST_F(HubRecoveryTest, AResumeReplayLostInFlightGoesAgainWithoutAnAck) {
  (void)bob_publishes(1);  // alice 3
  hub.disconnect(alice, now);
  const ConnectionId again = hub.connect();
  const Millis resumed_at = now;
  // The replay of 3 is lost with nothing after it (found by the Pair harness, seed 13).
  EXPECT_EQ(seqs_to(send(again, envelope::Hello{"t", resume_of(alice, 2)}), again),
            (std::vector<envelope::Seq>{0, 3}));
  EXPECT_TRUE(seqs_to(hub.handle_timeout(resumed_at + kResendAfter - Millis(1)), again).empty());
  EXPECT_EQ(seqs_to(hub.handle_timeout(resumed_at + kResendAfter), again),
            (std::vector<envelope::Seq>{3}));
}

TEST_F(HubRecoveryTest, AnOversizeEnvelopeIsRefusedAndStillUsesUpItsSeq) {
  const std::string big(kLimit, 'x');
  const HubOutput refused = send(alice, envelope::Publish{big}, 2);
  expect_error(refused, alice, ErrorCode::message_too_large);
  // The next seq is 3, not a gap.
  const HubOutput next = send(alice, envelope::Publish{"small"}, 3);
  EXPECT_FALSE(next.rejection);
  EXPECT_EQ(received_by(next, bob).size(), 1u);
  // And a resend of the refused one is a duplicate, acknowledged, not refused again.
  const HubOutput again = send(alice, envelope::Publish{big}, 2);
  EXPECT_FALSE(again.rejection);
  EXPECT_EQ(received_by(again, alice), (std::vector<Received>{{envelope::Ack{3}, 0}}));
}

TEST_F(HubRecoveryTest, AnUndecodableEnvelopeWithAReadableSeqUsesItUp) {
  const HubOutput refused = hub.receive_text(alice, R"({"v":1,"t":"no-such-type","seq":2})", now);
  expect_error(refused, alice, ErrorCode::unknown_type);
  EXPECT_FALSE(send(alice, envelope::Publish{"next"}, 3).rejection);
  // Without a readable seq nothing is used up.
  expect_error(hub.receive_text(alice, R"({"v":1,"t":"publish","seq":"four"})", now), alice,
               ErrorCode::invalid_envelope);
  EXPECT_FALSE(send(alice, envelope::Publish{"after"}, 4).rejection);
}

// A client that never acknowledges costs a bounded amount (docs/server.md, "Resends").
class HubResendBoundsTest : public HubTest {
 protected:
  static constexpr std::size_t kTries = 3;
  static constexpr std::size_t kResendRate = 300;

  explicit HubResendBoundsTest(RateLimits limits = {}) : HubTest(bounded(limits)) {}

  static HubSettings bounded(RateLimits limits) {
    HubSettings settings;
    settings.max_message_bytes = kLimit;
    settings.resume_window = kWindow;
    settings.resume_buffer_bytes = kBuffer;
    settings.rate_limits = limits;
    settings.resend_after = kResendAfter;
    settings.resend_tries = kTries;
    settings.resend_bytes_per_second = kResendRate;
    return settings;
  }

  // alice and bob in "lobby", each having acknowledged everything so far.
  void SetUp() override {
    alice = welcomed();
    bob = welcomed();
    (void)send(alice, envelope::Join{"lobby"}, 1);
    (void)send(bob, envelope::Join{"lobby"}, 1);
    (void)send(alice, envelope::Ack{2});
    (void)send(bob, envelope::Ack{1});
  }

  // Runs the hub's timer up to `until`; counts what each connection was sent.
  std::map<ConnectionId, std::size_t> run_timers_until(Millis until) {
    std::map<ConnectionId, std::size_t> sent;
    for (auto next = hub.poll_timeout(); next && *next <= until; next = hub.poll_timeout()) {
      now = *next;
      for (const Delivery& delivery : hub.handle_timeout(now).deliveries) ++sent[delivery.to];
    }
    now = until;
    return sent;
  }

  ConnectionId alice = 0;
  ConnectionId bob = 0;
};

TEST_F(HubResendBoundsTest, ANeverAckingClientIsResentOnlyAFewTimes) {
  (void)send(bob, envelope::Publish{1});  // alice 3, never acknowledged
  EXPECT_EQ(run_timers_until(now + 1000 * kResendAfter)[alice], kTries);
  // More traffic does not start the resends again...
  (void)send(bob, envelope::Publish{2});  // alice 4
  EXPECT_EQ(run_timers_until(now + 1000 * kResendAfter)[alice], 0u);
  // ...an ack that moves does: alice is reading after all.
  (void)send(alice, envelope::Ack{3});
  const auto again = run_timers_until(now + 1000 * kResendAfter);
  EXPECT_EQ(again.at(alice), kTries);
}

TEST_F(HubResendBoundsTest, ResendsOverTheGlobalBudgetWaitForTheirTurn) {
  const std::string chunk(200, 'x');            // about 260 bytes relayed
  (void)send(alice, envelope::Publish{chunk});  // bob 2
  (void)send(bob, envelope::Publish{chunk});    // alice 3
  // Both are due at once, but the budget holds one resend: the other waits without losing a try.
  now += kResendAfter;
  const HubOutput first = hub.handle_timeout(now);
  EXPECT_EQ(first.deliveries.size(), 1u);
  const auto later = run_timers_until(now + 1000 * kResendAfter);
  EXPECT_EQ(later.at(alice) + later.at(bob), 2 * kTries - 1);
}

// 100 bytes a second, 1000 at once.
class HubReplayChargeTest : public HubResendBoundsTest {
 protected:
  HubReplayChargeTest() : HubResendBoundsTest(RateLimits{1000, 2000, 100, 1000, 100}) {}
};

TEST_F(HubReplayChargeTest, AReplayRequestIsChargedToTheClientsByteRate) {
  // alice 3, 4, 5: about 780 bytes. Bob's bucket (and alice's) refills in between.
  for (int i = 0; i < 3; ++i) {
    now += Millis(10000);
    ASSERT_FALSE(send(bob, envelope::Publish{std::string(200, 'x')}).rejection);
  }
  EXPECT_EQ(seqs_to(send(alice, envelope::Ack{2, true}), alice),
            (std::vector<envelope::Seq>{3, 4, 5}));
  // Alice's 1000-byte burst minus the replay leaves less than another replay.
  now += Millis(200);
  const HubOutput refused = send(alice, envelope::Ack{2, true});
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.rejection->code, ErrorCode::rate_limited);
  // Only the refusal went to alice (with the next seq), nothing of the tail again.
  EXPECT_EQ(seqs_to(refused, alice), (std::vector<envelope::Seq>{6}));
}

}  // namespace
}  // namespace rtcwire::server
