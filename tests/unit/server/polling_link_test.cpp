// A real client core and the real hub over an in-memory long-polling link (polling_link.hpp):
// envelopes lost in flight are recovered in-session, exactly once and in order, without errors
// for the app, within a bound on simulated time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "polling_link.hpp"

namespace rtcwire::server {
namespace {

using testing::PollingLink;
namespace ev = client_event;

constexpr std::size_t kAlice = 0;
constexpr std::size_t kBob = 1;

class PollingLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(link.add_client(1), kAlice);
    ASSERT_EQ(link.add_client(2), kBob);
    for (std::size_t peer : {kAlice, kBob}) {
      link.act(peer, [](Client& client, Millis now) { ASSERT_TRUE(client.connect(now).ok()); });
      ASSERT_TRUE(
          link.run_until([&] { return link.client(peer).state() == ClientState::connected; },
                         link.now() + Millis(1000)));
      link.act(peer,
               [](Client& client, Millis now) { ASSERT_TRUE(client.join("room", now).ok()); });
      ASSERT_TRUE(link.run_until([&] { return link.client(peer).membership().in_room(); },
                                 link.now() + Millis(1000)));
    }
    ASSERT_TRUE(link.run_until([&] { return link.client(kAlice).membership().has_peer(bob()); },
                               link.now() + Millis(1000)));
    link.clear_events(kAlice);
  }

  std::string bob() { return link.client(kBob).peer_id(); }

  // Bob sends `count` direct messages to alice, one every `every`; returns when the last was sent.
  Millis bob_sends(int count, Millis every, int lose_at = -1) {
    const std::string alice = link.client(kAlice).peer_id();
    for (int i = 0; i < count; ++i) {
      if (i == lose_at) link.lose_next_message_response();
      link.act(kBob,
               [&](Client& client, Millis now) { ASSERT_TRUE(client.send(alice, i, now).ok()); });
      link.run_until(link.now() + every);
    }
    return link.now();
  }

  // The numbers alice received, in order; fails on any error event or state change.
  std::vector<int> alice_received() {
    std::vector<int> received;
    for (const ClientEvent& event : link.events(kAlice)) {
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

  static std::vector<int> up_to(int count) {
    std::vector<int> all(count);
    for (int i = 0; i < count; ++i) all[i] = i;
    return all;
  }

  PollingLink link;
};

TEST_F(PollingLinkTest, WithoutFaultsEveryMessageArrivesOnceInOrder) {
  const Millis last_sent = bob_sends(300, Millis(3));
  EXPECT_TRUE(
      link.run_until([&] { return alice_received().size() == 300; }, last_sent + Millis(100)));
  EXPECT_EQ(alice_received(), up_to(300));
}

TEST_F(PollingLinkTest, ALostLongPollResponseMidStreamIsReplayedWithinASecond) {
  const Millis lost_at = link.now() + Millis(3 * 150);
  const Millis last_sent = bob_sends(300, Millis(3), 150);
  ASSERT_EQ(link.responses_lost(), 1);
  // A gap is noticed at the next response and the replay asked for at once.
  EXPECT_TRUE(
      link.run_until([&] { return alice_received().size() == 300; }, last_sent + Millis(100)));
  EXPECT_EQ(alice_received(), up_to(300));
  EXPECT_LT(last_sent - lost_at, Millis(1000));
  EXPECT_EQ(link.client(kAlice).state(), ClientState::connected);
}

TEST_F(PollingLinkTest, ALostResponseCarryingTheLastMessagesIsResentWithinASecond) {
  const Millis last_sent = bob_sends(20, Millis(3), 19);
  // Nothing follows to reveal the gap: the hub resends when no ack comes within its 1 s.
  EXPECT_TRUE(link.run_until([&] { return alice_received().size() == 20; },
                             last_sent + Millis(1000) + Millis(100)));
  EXPECT_EQ(link.responses_lost(), 1);
  EXPECT_EQ(alice_received(), up_to(20));
}

TEST_F(PollingLinkTest, ManyLostResponsesNeverLoseDuplicateOrReorder) {
  Millis last_sent = link.now();
  for (int burst = 0; burst < 20; ++burst) {
    last_sent = bob_sends(50, Millis(2), burst % 3 == 0 ? 49 : 10 + burst);
  }
  EXPECT_EQ(link.responses_lost(), 20);
  EXPECT_TRUE(
      link.run_until([&] { return alice_received().size() == 1000; }, last_sent + Millis(1100)));
  std::vector<int> expected;
  for (int burst = 0; burst < 20; ++burst) {
    for (int i = 0; i < 50; ++i) expected.push_back(i);
  }
  EXPECT_EQ(alice_received(), expected);
}

TEST_F(PollingLinkTest, RandomLossesOverManySeedsKeepEveryMessageOnceInOrderWithinBoundedLatency) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    link.clear_events(kAlice);
    link.lose_responses_randomly(0.05, seed);
    const std::string alice = link.client(kAlice).peer_id();
    std::vector<Millis> sent_at;
    for (int i = 0; i < 200; ++i) {
      sent_at.push_back(link.now());
      link.act(kBob,
               [&](Client& client, Millis now) { ASSERT_TRUE(client.send(alice, i, now).ok()); });
      link.run_until(link.now() + Millis(4));
    }
    ASSERT_TRUE(
        link.run_until([&] { return alice_received().size() == 200; }, link.now() + Millis(10000)));
    EXPECT_EQ(alice_received(), up_to(200));
    // A loss costs a replay round trip, or at worst resends after 1 s and then 2 s.
    Millis worst{0};
    const auto& times = link.event_times(kAlice);
    for (std::size_t e = 0; e < link.events(kAlice).size(); ++e) {
      const auto& message = std::get<ev::MessageReceived>(link.events(kAlice)[e]);
      worst = std::max(worst, times.at(e) - sent_at.at(message.data.get<int>()));
    }
    EXPECT_LE(worst, Millis(3100));
  }
  link.lose_responses_randomly(0, 0);
}

TEST_F(PollingLinkTest, BobsRequestsAreAcknowledgedByWhatTheHubSendsHim) {
  // Alice talks back: bob's outbox empties through acks riding on alice's messages to him.
  (void)bob_sends(5, Millis(3));
  ASSERT_TRUE(
      link.run_until([&] { return alice_received().size() == 5; }, link.now() + Millis(100)));
  ASSERT_GT(link.client(kBob).buffered_bytes(), 0u) << "the hub's own ack is not due yet";
  const std::string bob_id = bob();
  link.act(kAlice,
           [&](Client& client, Millis now) { ASSERT_TRUE(client.send(bob_id, 1, now).ok()); });
  EXPECT_TRUE(link.run_until([&] { return link.client(kBob).buffered_bytes() == 0; },
                             link.now() + Millis(50)));
}

}  // namespace
}  // namespace rtcwire::server
