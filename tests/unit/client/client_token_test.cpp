// The client core with a connection token: hello carries it, a refresh is asked for before the
// server's deadline and sent without reconnecting, and refusals reach the app with their code.
#include <gtest/gtest.h>

#include "client/scripted_server.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/session/token_refresh.hpp"

namespace rtcwire::client {

using base::Millis;

namespace {

using testing::decode_sent;
using testing::find_event;
using testing::ScriptedServer;
namespace ev = client_event;

bool asked_for_token(const std::vector<ClientEvent>& events) {
  return find_event<ev::TokenNeeded>(events) != nullptr;
}

envelope::Welcome welcome_with_token(Millis lifetime) {
  envelope::Welcome welcome = testing::new_session("peer1", "s", 1024);
  welcome.auth_expires_in_ms = static_cast<std::uint64_t>(lifetime.count());
  return welcome;
}

TEST(TokenRefreshDelay, AQuarterOfTheLifetimeBeforeExpiryWithinBounds) {
  EXPECT_EQ(session::token_refresh_delay(Millis{10000}), Millis{7500});
  EXPECT_EQ(session::token_refresh_delay(Millis{1000}),
            Millis{500});  // at least half a second ahead
  EXPECT_EQ(session::token_refresh_delay(Millis{3600000}),
            Millis{3540000});  // at most a minute ahead
  EXPECT_EQ(session::token_refresh_delay(Millis{100}), Millis{0});
  EXPECT_EQ(session::token_refresh_delay(Millis{0}), Millis{0});
}

TEST(ClientTokenTest, HelloCarriesTheTokenAndRefreshesHappenWithoutReconnecting) {
  ScriptedServer server;
  ASSERT_TRUE(server.client.set_token("first", server.now).ok());
  server.start_connect();
  server.send_open_packet(100000, 100000);
  auto frames = server.take_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(decode_sent(frames[0]),
            envelope::ClientEnvelope(envelope::Hello{"test-sdk", std::nullopt, "first"}));
  server.send_envelope(welcome_with_token(Millis{4000}));
  ASSERT_EQ(server.client.state(), ClientState::connected);
  server.take_events();

  for (const char* next : {"second", "third", "fourth"}) {
    server.advance(Millis{2999});
    EXPECT_FALSE(asked_for_token(server.take_events()));
    server.advance(Millis{1});
    EXPECT_TRUE(asked_for_token(server.take_events()));
    ASSERT_TRUE(server.client.set_token(next, server.now).ok());
    frames = server.take_frames();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(decode_sent(frames[0]), envelope::ClientEnvelope(envelope::Refresh{next}));
    server.send_envelope(envelope::Refreshed{4000});
    EXPECT_EQ(server.client.state(), ClientState::connected);
  }
  // No transport was opened again.
  for (const auto& action : server.take_actions()) {
    EXPECT_FALSE(std::holds_alternative<engineio::OpenTransport>(action));
  }
}

TEST(ClientTokenTest, ARefusedHelloFailsTheConnectWithItsCode) {
  ScriptedServer server;
  ASSERT_TRUE(server.client.set_token("stale", server.now).ok());
  server.start_connect();
  server.send_open_packet(100000, 100000);
  server.take_frames();
  server.send_envelope(envelope::ErrorReply{base::ErrorCode::unauthorized, "bad token"});
  auto events = server.take_events();
  EXPECT_TRUE(asked_for_token(events));
  server.client.handle_transport_closed(server.generation, server.now);
  events = server.take_events();
  const auto* change = find_event<ev::StateChanged>(events);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->state, ClientState::disconnected);
  EXPECT_EQ(change->error->code, base::ErrorCode::unauthorized);
}

TEST(ClientTokenTest, AnExpiredSessionAsksForATokenAndStartsANewSession) {
  ScriptedServer server;
  ASSERT_TRUE(server.client.set_token("first", server.now).ok());
  server.start_connect();
  server.send_open_packet(100000, 100000);
  server.send_envelope(welcome_with_token(Millis{60000}));
  server.take_events();
  server.take_frames();
  server.send_envelope_with_seq(envelope::ErrorReply{base::ErrorCode::token_expired, "expired"}, 1);
  const auto events = server.take_events();
  EXPECT_TRUE(asked_for_token(events));
  const auto* change = find_event<ev::StateChanged>(events);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->state, ClientState::reconnecting);
  EXPECT_EQ(change->error->code, base::ErrorCode::token_expired);
  ASSERT_TRUE(server.client.set_token("fresh", server.now).ok());
  // The next hello starts over (no resume) with the fresh token.
  server.wait_for_reconnect();
  server.send_open_packet(100000, 100000);
  const auto frames = server.take_frames();
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(decode_sent(frames.back()),
            envelope::ClientEnvelope(envelope::Hello{"test-sdk", std::nullopt, "fresh"}));
}

TEST(ClientTokenTest, BadTokensAreInvalidArguments) {
  ScriptedServer server;
  EXPECT_EQ(server.client.set_token("", server.now).error().code,
            base::ErrorCode::invalid_argument);
  EXPECT_EQ(server.client.set_token(std::string(envelope::kMaxAuthBytes + 1, 'x'), server.now)
                .error()
                .code,
            base::ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace rtcwire::client
