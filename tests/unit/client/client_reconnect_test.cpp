// Reconnection after a lost connection, with simulated time.
#include <gtest/gtest.h>

#include <algorithm>

#include "client/scripted_server.hpp"
#include "rtcwire/client/client.hpp"

namespace rtcwire::client {
namespace {

using testing::find_event;
using testing::ScriptedServer;
namespace ev = client_event;

std::vector<ev::StateChanged> state_changes(const std::vector<ClientEvent>& events) {
  std::vector<ev::StateChanged> changes;
  for (const auto& event : events) {
    if (const auto* change = std::get_if<ev::StateChanged>(&event)) changes.push_back(*change);
  }
  return changes;
}

TEST(ClientReconnectTest, ReconnectAsksToResumeAndAnExpiredSessionMeansResync) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  ASSERT_TRUE(server.client.publish("unacked", server.now).ok());
  const uint32_t first = server.generation;
  server.client.handle_transport_closed(first, server.now);
  server.take_events();

  const uint32_t second = server.wait_for_reconnect();
  EXPECT_GT(second, first);
  EXPECT_EQ(server.client.state(), ClientState::connecting);
  server.send_open_packet();
  const auto hello = server.take_frames();
  ASSERT_EQ(hello.size(), 1u);
  const envelope::ClientEnvelope resume =
      envelope::Hello{"test-sdk", envelope::ResumeRequest{"session-1", "token-session-1", 1}};
  EXPECT_EQ(testing::decode_sent(hello[0]), resume);

  auto expired = testing::new_session("me2", "s2");
  expired.resume_error = base::ErrorCode::session_expired;
  server.send_envelope(expired);
  const auto events = server.take_events();
  const auto changes = state_changes(events);
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().state, ClientState::connected);
  EXPECT_FALSE(changes.back().resumed);
  // The resync that explains it comes just before connected (resumed: false).
  ASSERT_GE(events.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<ev::StateChanged>(events.back()));
  ASSERT_TRUE(std::holds_alternative<ev::Resync>(events[events.size() - 2]));
  const auto& resync = std::get<ev::Resync>(events[events.size() - 2]);
  EXPECT_EQ(resync.reason.code, base::ErrorCode::session_expired);
  EXPECT_EQ(resync.reason.origin, base::ErrorOrigin::remote);
  const std::vector<envelope::ClientEnvelope> undelivered{envelope::Join{"lobby", 1},
                                                          envelope::Publish{"unacked"}};
  EXPECT_EQ(resync.undelivered, undelivered);
  EXPECT_EQ(server.client.peer_id(), "me2");
  EXPECT_FALSE(server.client.membership().in_room());
  EXPECT_EQ(server.client.buffered_bytes(), 0u);
  EXPECT_TRUE(server.take_frames().empty());  // nothing of the old session is sent again
}

TEST(ClientReconnectTest, BacksOffAcrossFailedAttempts) {
  ScriptedServer server;
  server.connect_fully();
  server.client.handle_transport_closed(server.generation, server.now);
  const int64_t ceilings[] = {500, 1000, 2000, 4000, 8000, 10000, 10000};
  for (uint32_t attempt = 1; attempt <= 7; ++attempt) {
    const auto changes = state_changes(server.take_events());
    ASSERT_FALSE(changes.empty());
    const auto& reconnecting = changes.back();
    ASSERT_EQ(reconnecting.state, ClientState::reconnecting);
    EXPECT_EQ(reconnecting.attempt, attempt);
    ASSERT_TRUE(reconnecting.retry_in);
    EXPECT_LE(reconnecting.retry_in->count(), ceilings[attempt - 1]);
    const uint32_t generation = server.wait_for_reconnect();
    server.client.handle_transport_error(generation, "refused", server.now);  // still down
  }
}

// The first retry's delay after the connection was lost by `lose` (with a seed of its own).
template <class Lose>
base::Millis first_retry_delay(uint64_t seed, base::ErrorCode expected, Lose lose) {
  ClientConfig config = testing::default_client_config();
  config.random_seed = seed;
  ScriptedServer server(config);
  server.connect_fully();
  lose(server);
  const auto changes = state_changes(server.take_events());
  // A delay of 0 is due in the same call: connecting may follow at once.
  const auto reconnecting_at = std::find_if(changes.begin(), changes.end(), [](const auto& change) {
    return change.state == ClientState::reconnecting;
  });
  EXPECT_NE(reconnecting_at, changes.end());
  if (reconnecting_at == changes.end()) return base::Millis(-1);
  const auto& reconnecting = *reconnecting_at;
  EXPECT_EQ(reconnecting.error ? reconnecting.error->code : base::ErrorCode::internal, expected);
  EXPECT_EQ(reconnecting.attempt, 1u);
  EXPECT_TRUE(reconnecting.retry_in);
  return reconnecting.retry_in.value_or(base::Millis(-1));
}

TEST(ClientReconnectTest, ASilentServerIsRetriedAlmostAtOnceAClosedConnectionBacksOff) {
  const auto go_silent = [](ScriptedServer& server) {
    // No ping comes: the ping deadline (pingInterval + pingTimeout) passes.
    for (int step = 0; step < 100 && server.client.state() == ClientState::connected; ++step) {
      server.advance_to_next_deadline();
    }
  };
  const auto close = [](ScriptedServer& server) {
    server.client.handle_transport_closed(server.generation, server.now);
  };
  base::Millis longest_after_close{0};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const base::Millis silent = first_retry_delay(seed, base::ErrorCode::ping_timeout, go_silent);
    EXPECT_GE(silent.count(), 0);
    EXPECT_LE(silent, ReconnectPolicy::kSilentDropSpread) << "seed " << seed;
    const base::Millis closed = first_retry_delay(seed, base::ErrorCode::transport_closed, close);
    EXPECT_LE(closed.count(), 500);
    longest_after_close = std::max(longest_after_close, closed);
  }
  EXPECT_GT(longest_after_close, ReconnectPolicy::kSilentDropSpread)
      << "a connection that closed waits the usual first step";
}

TEST(ClientReconnectTest, GivesUpAfterMaxAttempts) {
  ClientConfig config = testing::default_client_config();
  config.reconnect.max_attempts = 2;
  ScriptedServer server(config);
  server.connect_fully();
  server.client.handle_transport_closed(server.generation, server.now);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const uint32_t generation = server.wait_for_reconnect();
    server.client.handle_transport_error(generation, "refused", server.now);
  }
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
}

TEST(ClientReconnectTest, OfflineHoldsAndOnlineRetriesAtOnce) {
  ScriptedServer server;
  server.connect_fully();
  server.client.handle_network_change(false, server.now);
  server.client.handle_transport_closed(server.generation, server.now);
  auto changes = state_changes(server.take_events());
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().state, ClientState::reconnecting);
  EXPECT_FALSE(changes.back().retry_in.has_value());
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
  server.take_actions();
  server.advance(base::Millis(60000));
  EXPECT_TRUE(server.take_actions().empty());

  server.client.handle_network_change(true, server.now);
  EXPECT_EQ(server.client.state(), ClientState::connecting);
  bool opened = false;
  for (const auto& action : server.take_actions()) {
    opened |= std::holds_alternative<engineio::OpenTransport>(action);
  }
  EXPECT_TRUE(opened);
}

TEST(ClientReconnectTest, GoingOfflineWhileWaitingCancelsTheTimer) {
  ScriptedServer server;
  server.connect_fully();
  server.client.handle_transport_closed(server.generation, server.now);
  server.take_actions();
  ASSERT_TRUE(server.client.poll_timeout().has_value());
  server.client.handle_network_change(false, server.now);
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
  EXPECT_EQ(server.client.state(), ClientState::reconnecting);
}

TEST(ClientReconnectTest, TheFirstConnectFailingIsReportedNotRetried) {
  ScriptedServer server;
  const uint32_t generation = server.start_connect();
  server.client.handle_transport_error(generation, "refused", server.now);
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
}

TEST(ClientReconnectTest, CloseWhileReconnectingIsFinal) {
  ScriptedServer server;
  server.connect_fully();
  server.client.handle_transport_closed(server.generation, server.now);
  server.take_actions();
  server.client.close(server.now);
  EXPECT_EQ(server.client.state(), ClientState::closed);
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
  server.advance(base::Millis(20000));
  EXPECT_TRUE(server.take_actions().empty());
}

}  // namespace
}  // namespace rtcwire::client
