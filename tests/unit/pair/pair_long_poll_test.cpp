// Lost long-poll responses (issue 8) between two polling clients: envelopes lost in flight are
// recovered in-session, exactly once and in order, without errors for the app, within a bound on
// simulated time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pair_scenario.hpp"

namespace rtcwire::testing {

using base::Millis;

namespace {

namespace ev = client::client_event;

constexpr std::size_t kAlice = 0;
constexpr std::size_t kBob = 1;

std::vector<int> up_to(int count) {
  std::vector<int> all(count);
  for (int i = 0; i < count; ++i) all[i] = i;
  return all;
}

class PairLongPollTest : public ::testing::Test {
 protected:
  explicit PairLongPollTest(uint64_t seed = 1) : pair(seed) {}

  void SetUp() override {
    ASSERT_EQ(pair.add_client(pair.client_config({engineio::TransportKind::polling})), kAlice);
    ASSERT_EQ(pair.add_client(pair.client_config({engineio::TransportKind::polling})), kBob);
    ASSERT_TRUE(gather_in_room(pair, "room"));
    pair.clear_events(kAlice);
  }

  std::string bob() { return pair.client(kBob).peer_id(); }

  // Bob sends `count` direct messages to alice, one every `every`, the response carrying message
  // `lose_at` to alice lost; returns when the last was sent.
  Millis bob_sends(int count, Millis every, int lose_at = -1) {
    const std::string alice = pair.client(kAlice).peer_id();
    for (int i = 0; i < count; ++i) {
      if (i == lose_at) pair.lose_next_poll_response(kAlice);
      pair.act(kBob, [&](client::Client& client, Millis now) {
        ASSERT_TRUE(client.send(alice, i, now).ok());
      });
      pair.run_until(pair.now() + every);
    }
    return pair.now();
  }

  // The numbers alice received, in order; fails on any error event or state change.
  std::vector<int> alice_received() {
    std::vector<int> received;
    for (const client::ClientEvent& event : pair.events(kAlice)) {
      if (const auto* message = std::get_if<ev::MessageReceived>(&event)) {
        received.push_back(message->data.get<int>());
      } else if (const auto* error = std::get_if<ev::ErrorRaised>(&event)) {
        ADD_FAILURE() << "error for the app: " << error->error.message;
      } else if (std::holds_alternative<ev::StateChanged>(event)) {
        ADD_FAILURE() << "the session did not stay up";
      }
    }
    return received;
  }

  Pair pair;
};

TEST_F(PairLongPollTest, WithoutFaultsEveryMessageArrivesOnceInOrder) {
  const Millis last_sent = bob_sends(300, Millis(3));
  EXPECT_TRUE(
      pair.run_until([&] { return alice_received().size() == 300; }, last_sent + Millis(100)));
  EXPECT_EQ(alice_received(), up_to(300));
}

TEST_F(PairLongPollTest, ALostLongPollResponseMidStreamIsReplayedWithinASecond) {
  const Millis lost_at = pair.now() + Millis(3 * 150);
  const Millis last_sent = bob_sends(300, Millis(3), 150);
  ASSERT_EQ(pair.responses_lost(), 1);
  // A gap is noticed at the next response and the replay asked for at once.
  EXPECT_TRUE(
      pair.run_until([&] { return alice_received().size() == 300; }, last_sent + Millis(100)));
  EXPECT_EQ(alice_received(), up_to(300));
  EXPECT_LT(last_sent - lost_at, Millis(1000));
  EXPECT_EQ(pair.client(kAlice).state(), client::ClientState::connected);
}

TEST_F(PairLongPollTest, ALostResponseCarryingTheLastMessagesIsResentWithinASecond) {
  const Millis last_sent = bob_sends(20, Millis(3), 19);
  // Nothing follows to reveal the gap: the hub resends when no ack comes within its 1 s.
  EXPECT_TRUE(pair.run_until([&] { return alice_received().size() == 20; },
                             last_sent + Millis(1000) + Millis(100)));
  EXPECT_EQ(pair.responses_lost(), 1);
  EXPECT_EQ(alice_received(), up_to(20));
}

TEST_F(PairLongPollTest, ManyLostResponsesNeverLoseDuplicateOrReorder) {
  Millis last_sent = pair.now();
  for (int burst = 0; burst < 20; ++burst) {
    last_sent = bob_sends(50, Millis(2), burst % 3 == 0 ? 49 : 10 + burst);
  }
  EXPECT_EQ(pair.responses_lost(), 20);
  EXPECT_TRUE(
      pair.run_until([&] { return alice_received().size() == 1000; }, last_sent + Millis(1100)));
  std::vector<int> expected;
  for (int burst = 0; burst < 20; ++burst) {
    for (int i = 0; i < 50; ++i) expected.push_back(i);
  }
  EXPECT_EQ(alice_received(), expected);
}

TEST_F(PairLongPollTest, BobsRequestsAreAcknowledgedByWhatTheHubSendsHim) {
  // Alice talks back: bob's outbox empties through acks riding on alice's messages to him.
  (void)bob_sends(5, Millis(3));
  ASSERT_TRUE(
      pair.run_until([&] { return alice_received().size() == 5; }, pair.now() + Millis(100)));
  ASSERT_GT(pair.client(kBob).buffered_bytes(), 0u) << "the hub's own ack is not due yet";
  const std::string bob_id = bob();
  pair.act(kAlice, [&](client::Client& client, Millis now) {
    ASSERT_TRUE(client.send(bob_id, 1, now).ok());
  });
  EXPECT_TRUE(pair.run_until([&] { return pair.client(kBob).buffered_bytes() == 0; },
                             pair.now() + Millis(50)));
}

// Random losses over many seeds, each on its own pair.
TEST(PairLongPoll, RandomLossesKeepEveryMessageOnceInOrderWithinBoundedLatency) {
  for (uint64_t seed : seeds(20)) {
    Pair pair(seed);
    pair.add_client(pair.client_config({engineio::TransportKind::polling}));
    pair.add_client(pair.client_config({engineio::TransportKind::polling}));
    ASSERT_TRUE(gather_in_room(pair, "room"));
    pair.clear_events(kAlice);
    pair.faults.lose_poll_response = 0.05;
    const std::string alice = pair.client(kAlice).peer_id();
    std::vector<Millis> sent_at;
    for (int i = 0; i < 200; ++i) {
      sent_at.push_back(pair.now());
      pair.act(kBob, [&](client::Client& client, Millis now) {
        ASSERT_TRUE(client.send(alice, i, now).ok());
      });
      pair.run_until(pair.now() + Millis(4));
    }
    const auto received = [&] {
      std::vector<int> numbers;
      for (const client::ClientEvent& event : pair.events(kAlice)) {
        if (const auto* message = std::get_if<ev::MessageReceived>(&event)) {
          numbers.push_back(message->data.get<int>());
        }
      }
      return numbers;
    };
    ASSERT_TRUE(
        pair.run_until([&] { return received().size() == 200; }, pair.now() + Millis(10000)))
        << replay_hint(seed, pair);
    EXPECT_EQ(received(), up_to(200)) << replay_hint(seed, pair);
    EXPECT_EQ(received().size(), pair.events(kAlice).size()) << "only messages, no errors";
    // A loss costs a replay round trip, or at worst resends after 1 s and then 2 s.
    Millis worst{0};
    for (std::size_t e = 0; e < pair.events(kAlice).size(); ++e) {
      const auto& message = std::get<ev::MessageReceived>(pair.events(kAlice)[e]);
      worst = std::max(worst, pair.event_times(kAlice).at(e) - sent_at.at(message.data.get<int>()));
    }
    EXPECT_LE(worst, Millis(3100)) << replay_hint(seed, pair);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace rtcwire::testing
