// The hub with connection tokens: hello refused without a valid one, rooms and publish claims
// enforced, expiry on simulated time, refresh, and a resume that needs a token of the same user.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "hub_harness.hpp"

namespace rtcwire::server::testing {
namespace {

// Tokens are names of canned authorizations; anything else is unauthorized.
class FakeAuthority final : public TokenAuthority {
 public:
  Result<Authorization> authorize(std::string_view token) const override {
    const auto found = grants.find(std::string(token));
    if (found == grants.end()) return remote_error(ErrorCode::unauthorized, "unknown token");
    return found->second;
  }
  std::map<std::string, Result<Authorization>> grants;
};

Authorization grant(std::string user, std::optional<Millis> lifetime = std::nullopt,
                    std::optional<std::vector<std::string>> rooms = std::nullopt,
                    bool publish = true) {
  TokenGrant granted;
  granted.user = std::move(user);
  granted.rooms = std::move(rooms);
  granted.publish = publish;
  return Authorization{granted, lifetime};
}

class HubAuthTest : public HubTest {
 protected:
  HubAuthTest() {
    authority->grants.emplace("alice", grant("alice", Millis{10000}));
    authority->grants.emplace("alice-again", grant("alice", Millis{60000}));
    authority->grants.emplace("bob", grant("bob"));
    authority->grants.emplace(
        "lobby-only", grant("carol", std::nullopt, std::vector<std::string>{"lobby", "team-*"}));
    authority->grants.emplace("listener", grant("dave", std::nullopt, std::nullopt, false));
    authority->grants.emplace("expired",
                              Result<Authorization>(remote_error(ErrorCode::token_expired, "old")));
  }

  HubOutput hello(ConnectionId connection, std::optional<std::string> token,
                  std::optional<envelope::ResumeRequest> resume = std::nullopt) {
    return send(connection, envelope::Hello{"test", std::move(resume), std::move(token)});
  }

  ConnectionId welcomed_with(const std::string& token) {
    const ConnectionId connection = auth_hub.connect();
    const HubOutput out = auth_hub.receive_text(
        connection, envelope::encode(envelope::Hello{"test", std::nullopt, token}), now);
    EXPECT_EQ(out.deliveries.size(), 1u);
    welcomes[connection] = std::get<envelope::Welcome>(decoded(out.deliveries.at(0)).envelope);
    return connection;
  }

  std::string peer_of(ConnectionId connection) { return std::string(auth_hub.peer_id(connection)); }

  HubOutput send_to(ConnectionId from, const envelope::ClientEnvelope& message) {
    return auth_hub.receive_text(from, envelope::encode(message), now);
  }

  std::shared_ptr<FakeAuthority> authority = std::make_shared<FakeAuthority>();
  SignallingHub auth_hub{ids, HubSettings{.max_message_bytes = kLimit,
                                          .resume_window = kWindow,
                                          .resume_buffer_bytes = kBuffer,
                                          .auth = AuthMode::required,
                                          .tokens = authority,
                                          .resend_after = Millis{0}}};
};

envelope::ErrorReply error_of(const HubOutput& out) {
  EXPECT_EQ(out.deliveries.size(), 1u);
  if (out.deliveries.empty()) return {};
  return std::get<envelope::ErrorReply>(decoded(out.deliveries[0]).envelope);
}

TEST_F(HubAuthTest, HelloWithoutAValidTokenIsRefusedAndTheConnectionClosed) {
  for (const std::optional<std::string>& token :
       {std::optional<std::string>{}, std::optional<std::string>{"forged"},
        std::optional<std::string>{"expired"}}) {
    const ConnectionId connection = auth_hub.connect();
    const HubOutput out = auth_hub.receive_text(
        connection, envelope::encode(envelope::Hello{"test", std::nullopt, token}), now);
    const ErrorCode expected =
        token == "expired" ? ErrorCode::token_expired : ErrorCode::unauthorized;
    EXPECT_EQ(error_of(out).code, expected);
    ASSERT_EQ(out.closes.size(), 1u);
    EXPECT_EQ(out.closes[0].connection, connection);
    EXPECT_EQ(auth_hub.session_count(), 0u);
  }
}

TEST_F(HubAuthTest, TheWelcomeSaysHowLongTheTokenLasts) {
  const ConnectionId connection = welcomed_with("alice");
  EXPECT_EQ(welcomes.at(connection).auth_expires_in_ms, 10000u);
  EXPECT_EQ(welcomes.at(welcomed_with("bob")).auth_expires_in_ms, std::nullopt);
}

TEST_F(HubAuthTest, RoomsOutsideTheClaimAreForbidden) {
  const ConnectionId connection = welcomed_with("lobby-only");
  EXPECT_FALSE(send_to(connection, envelope::Join{"lobby"}).rejection);
  EXPECT_FALSE(send_to(connection, envelope::Join{"team-blue"}).rejection);
  const HubOutput out = send_to(connection, envelope::Join{"kitchen", 5});
  ASSERT_TRUE(out.rejection);
  EXPECT_EQ(out.rejection->code, ErrorCode::forbidden_room);
  // The refusal names the join it answers.
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(std::get<envelope::ErrorReply>(decoded(out.deliveries[0]).envelope).id, 5u);
  EXPECT_EQ(auth_hub.room_of(connection), "team-blue");
}

TEST_F(HubAuthTest, AListenerMayNotPublishOrSendDirectButMaySignal) {
  const ConnectionId listener = welcomed_with("listener");
  const ConnectionId speaker = welcomed_with("bob");
  (void)send_to(listener, envelope::Join{"stage"});
  const HubOutput joined = send_to(speaker, envelope::Join{"stage"});
  // Presence names the users.
  const auto room = std::get<envelope::Joined>(received_by(joined, speaker).at(0).envelope);
  EXPECT_EQ(room.users, (envelope::Json{{peer_of(listener), "dave"}}));
  const auto arrival = std::get<envelope::PeerJoined>(received_by(joined, listener).at(0).envelope);
  EXPECT_EQ(arrival.user, "bob");

  EXPECT_EQ(send_to(listener, envelope::Publish{"hi"}).rejection->code,
            ErrorCode::forbidden_publish);
  EXPECT_EQ(send_to(listener, envelope::DirectTo{peer_of(speaker), "hi"}).rejection->code,
            ErrorCode::forbidden_publish);
  const HubOutput signal = send_to(listener, envelope::SignalTo{peer_of(speaker), "answer"});
  EXPECT_FALSE(signal.rejection);
  EXPECT_EQ(received_by(signal, speaker).size(), 1u);
}

TEST_F(HubAuthTest, AnExpiredTokenEndsTheSessionAndTheRoomHearsIt) {
  const ConnectionId alice = welcomed_with("alice");
  const ConnectionId bob = welcomed_with("bob");
  (void)send_to(alice, envelope::Join{"room"});
  (void)send_to(bob, envelope::Join{"room"});
  const std::string alice_peer = peer_of(alice);
  ASSERT_EQ(auth_hub.poll_timeout(), now + Millis{10000});
  now += Millis{9999};
  EXPECT_TRUE(auth_hub.handle_timeout(now).closes.empty());
  now += Millis{1};
  const HubOutput out = auth_hub.handle_timeout(now);
  const auto to_alice = received_by(out, alice);
  ASSERT_EQ(to_alice.size(), 1u);
  EXPECT_EQ(std::get<envelope::ErrorReply>(to_alice[0].envelope).code, ErrorCode::token_expired);
  ASSERT_EQ(out.closes.size(), 1u);
  EXPECT_EQ(out.closes[0].connection, alice);
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{alice_peer, ErrorCode::token_expired}}));
  const auto to_bob = received_by(out, bob);
  ASSERT_EQ(to_bob.size(), 1u);
  EXPECT_EQ(std::get<envelope::PeerLeft>(to_bob[0].envelope).peer, alice_peer);
}

TEST_F(HubAuthTest, ARefreshMovesTheExpiryWithoutTouchingTheSession) {
  const ConnectionId alice = welcomed_with("alice");
  now += Millis{8000};
  const HubOutput out = send_to(alice, envelope::Refresh{"alice-again"});
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(std::get<envelope::Refreshed>(decoded(out.deliveries[0]).envelope).auth_expires_in_ms,
            60000u);
  EXPECT_EQ(auth_hub.poll_timeout(), now + Millis{60000});
  // Another user's token, or an invalid one, is refused; the session keeps its own.
  EXPECT_EQ(send_to(alice, envelope::Refresh{"bob"}).rejection->code, ErrorCode::unauthorized);
  EXPECT_EQ(send_to(alice, envelope::Refresh{"forged"}).rejection->code, ErrorCode::unauthorized);
  EXPECT_EQ(auth_hub.poll_timeout(), now + Millis{60000});
}

TEST_F(HubAuthTest, AResumeNeedsAValidTokenOfTheSameUser) {
  const ConnectionId alice = welcomed_with("alice");
  const envelope::ResumeRequest resume = resume_of(alice, 0);
  auth_hub.disconnect(alice, now);

  const ConnectionId tokenless = auth_hub.connect();
  const HubOutput refused = auth_hub.receive_text(
      tokenless, envelope::encode(envelope::Hello{"t", resume, std::nullopt}), now);
  EXPECT_EQ(error_of(refused).code, ErrorCode::unauthorized);

  const ConnectionId bob = auth_hub.connect();
  const HubOutput other =
      auth_hub.receive_text(bob, envelope::encode(envelope::Hello{"t", resume, "bob"}), now);
  const auto not_resumed = std::get<envelope::Welcome>(decoded(other.deliveries.at(0)).envelope);
  EXPECT_FALSE(not_resumed.resumed);
  EXPECT_EQ(not_resumed.resume_error, ErrorCode::session_expired);

  const ConnectionId again = auth_hub.connect();
  const HubOutput out = auth_hub.receive_text(
      again, envelope::encode(envelope::Hello{"t", resume, "alice-again"}), now);
  const auto welcome = std::get<envelope::Welcome>(decoded(out.deliveries.at(0)).envelope);
  EXPECT_TRUE(welcome.resumed);
  EXPECT_EQ(welcome.auth_expires_in_ms, 60000u);
}

TEST_F(HubTest, WithAuthOffTokensAreIgnoredAndRefreshIsInvalidState) {
  const ConnectionId connection = hub.connect();
  const HubOutput out = send(connection, envelope::Hello{"t", std::nullopt, "anything"});
  EXPECT_FALSE(out.rejection);
  expect_error(send(connection, envelope::Refresh{"x"}), connection, ErrorCode::invalid_state);
}

}  // namespace
}  // namespace rtcwire::server::testing
