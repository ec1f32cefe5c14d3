// The hub with TURN credentials: welcome carries them, ice-servers answers with fresh ones at most
// once a second per session, and a server without TURN says turn_not_configured. Every answer and
// refusal is unsequenced: it matters only now, and a resume must not replay stale credentials.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "hub_harness.hpp"

namespace rtcwire::server::testing {
namespace {

constexpr std::string_view kSecret = "a-turn-secret-of-32-bytes-length";

// Mints with the real minter on a clock the test moves, counting what it minted.
class FakeTurn final : public TurnCredentials {
 public:
  envelope::IceServersGrant mint(std::string_view peer) const override {
    ++minted;
    return mint_turn_credentials(settings, peer, unix_now);
  }
  TurnSettings settings{std::string(kSecret),
                        {"stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp"},
                        std::chrono::seconds(600)};
  std::int64_t unix_now = 1700000000;
  mutable int minted = 0;
};

HubSettings turn_settings(std::shared_ptr<const TurnCredentials> turn, RateLimits limits = {}) {
  return HubSettings{.max_message_bytes = kLimit,
                     .resume_window = kWindow,
                     .resume_buffer_bytes = kBuffer,
                     .rate_limits = limits,
                     .resend_after = Millis(0),
                     .turn = std::move(turn)};
}

std::string username_of(const envelope::IceServersGrant& grant) {
  return grant.ice_servers.at(1).at("username");
}

std::shared_ptr<FakeTurn> make_fake() { return std::make_shared<FakeTurn>(); }

class HubWithTurn : public ::testing::Test {
 protected:
  std::shared_ptr<FakeTurn> turn = make_fake();
  Millis now{1000};
  CountingIds ids;
  SignallingHub hub{ids, turn_settings(turn)};

  // Says hello; returns the connection and its welcome.
  std::pair<ConnectionId, envelope::Welcome> welcomed(
      std::optional<envelope::ResumeRequest> resume = std::nullopt) {
    const ConnectionId connection = hub.connect();
    const HubOutput out = send(connection, envelope::Hello{"test", std::move(resume)});
    EXPECT_EQ(out.deliveries.size(), 1u);
    return {connection, std::get<envelope::Welcome>(decoded(out.deliveries.at(0)).envelope)};
  }
  HubOutput send(ConnectionId from, const envelope::ClientEnvelope& message,
                 envelope::Seq seq = 0) {
    return hub.receive_text(from, envelope::encode(message, seq), now);
  }
  // The single delivery of `out`, unsequenced.
  ServerEnvelope only_unsequenced(const HubOutput& out, ConnectionId to) {
    EXPECT_EQ(out.deliveries.size(), 1u);
    if (out.deliveries.empty()) return envelope::ErrorReply{};
    EXPECT_EQ(out.deliveries[0].to, to);
    const auto sequenced = decoded(out.deliveries[0]);
    EXPECT_EQ(sequenced.seq, 0u) << out.deliveries[0].text;
    return sequenced.envelope;
  }
};

TEST_F(HubWithTurn, TheWelcomeCarriesCredentialsForThePeer) {
  const auto [connection, welcome] = welcomed();
  ASSERT_TRUE(welcome.ice_servers.has_value());
  EXPECT_EQ(welcome.ice_servers->expires_in_ms, 600000u);
  EXPECT_EQ(username_of(*welcome.ice_servers), "1700000600:" + welcome.peer);
  EXPECT_EQ(welcome.ice_servers->ice_servers.at(1).at("credential"),
            turn_credential(kSecret, "1700000600:" + welcome.peer));
  EXPECT_EQ(welcome.ice_servers->ice_servers.at(0),
            (envelope::Json{{"urls", {"stun:127.0.0.1:3478"}}}));
}

TEST_F(HubWithTurn, AResumedWelcomeCarriesFreshCredentials) {
  const auto [first, welcome] = welcomed();
  hub.disconnect(first, now);
  turn->unix_now += 300;
  const auto [second, resumed] =
      welcomed(envelope::ResumeRequest{welcome.session, welcome.token, 0});
  ASSERT_TRUE(resumed.resumed);
  ASSERT_TRUE(resumed.ice_servers.has_value());
  EXPECT_EQ(username_of(*resumed.ice_servers), "1700000900:" + welcome.peer);
}

TEST_F(HubWithTurn, IceServersAnswersFreshCredentialsUnsequencedOnceASecond) {
  const auto [connection, welcome] = welcomed();
  turn->unix_now += 480;
  const ServerEnvelope answer =
      only_unsequenced(send(connection, envelope::IceServersRequest{}), connection);
  ASSERT_TRUE(std::holds_alternative<envelope::IceServersGrant>(answer));
  EXPECT_EQ(username_of(std::get<envelope::IceServersGrant>(answer)), "1700001080:" + welcome.peer);

  // A second request within the second is refused without minting, and unsequenced.
  const int minted = turn->minted;
  now += Millis(999);
  const HubOutput refused = send(connection, envelope::IceServersRequest{});
  const ServerEnvelope refusal = only_unsequenced(refused, connection);
  ASSERT_TRUE(std::holds_alternative<envelope::ErrorReply>(refusal));
  EXPECT_EQ(std::get<envelope::ErrorReply>(refusal).code, ErrorCode::rate_limited);
  ASSERT_TRUE(refused.rejection.has_value());
  EXPECT_EQ(refused.rejection->code, ErrorCode::rate_limited);
  EXPECT_EQ(turn->minted, minted);

  // A second after the answer, the next one is answered again.
  now += Millis(1);
  EXPECT_TRUE(std::holds_alternative<envelope::IceServersGrant>(
      only_unsequenced(send(connection, envelope::IceServersRequest{}), connection)));

  // The session's own sequence is untouched: the next join is seq 1 both ways.
  const auto joined = received_by(send(connection, envelope::Join{"lobby"}, 1), connection);
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0].seq, 1u);
  EXPECT_TRUE(std::holds_alternative<envelope::Joined>(joined[0].envelope));
}

TEST_F(HubWithTurn, TheBoundIsPerSession) {
  const auto [alice, alice_welcome] = welcomed();
  const auto [bob, bob_welcome] = welcomed();
  EXPECT_TRUE(std::holds_alternative<envelope::IceServersGrant>(
      only_unsequenced(send(alice, envelope::IceServersRequest{}), alice)));
  const ServerEnvelope answer = only_unsequenced(send(bob, envelope::IceServersRequest{}), bob);
  ASSERT_TRUE(std::holds_alternative<envelope::IceServersGrant>(answer));
  EXPECT_EQ(username_of(std::get<envelope::IceServersGrant>(answer)),
            "1700000600:" + bob_welcome.peer);
}

TEST_F(HubWithTurn, IceServersBeforeHelloIsInvalidState) {
  const ConnectionId connection = hub.connect();
  const HubOutput out = send(connection, envelope::IceServersRequest{});
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->code, ErrorCode::invalid_state);
  EXPECT_EQ(turn->minted, 0);
}

TEST(HubWithoutTurn, NoCredentialsInWelcomeAndIceServersIsTurnNotConfigured) {
  CountingIds ids;
  SignallingHub hub(ids, turn_settings(nullptr));
  const ConnectionId connection = hub.connect();
  const HubOutput hello = hub.receive_text(
      connection, envelope::encode(envelope::Hello{"test", std::nullopt}), Millis(0));
  const auto welcome = std::get<envelope::Welcome>(decoded(hello.deliveries.at(0)).envelope);
  EXPECT_FALSE(welcome.ice_servers.has_value());
  EXPECT_EQ(hello.deliveries[0].text.find("iceServers"), std::string::npos);

  const HubOutput out =
      hub.receive_text(connection, envelope::encode(envelope::IceServersRequest{}), Millis(0));
  ASSERT_EQ(out.deliveries.size(), 1u);
  const auto reply = decoded(out.deliveries[0]);
  EXPECT_EQ(reply.seq, 0u);
  ASSERT_TRUE(std::holds_alternative<envelope::ErrorReply>(reply.envelope));
  EXPECT_EQ(std::get<envelope::ErrorReply>(reply.envelope).code, ErrorCode::turn_not_configured);
}

TEST(HubTurnLimits, TheRequestCountsInTheSendersLimits) {
  CountingIds ids;
  const auto turn = make_fake();
  SignallingHub hub(ids, turn_settings(turn, RateLimits{.messages_per_second = 1,
                                                        .message_burst = 1,
                                                        .refusal_burst = 100}));
  const ConnectionId connection = hub.connect();
  (void)hub.receive_text(connection, envelope::encode(envelope::Hello{"test", std::nullopt}),
                         Millis(0));
  // The hello used the one envelope of the burst: the request is refused by the sender limit.
  const HubOutput out =
      hub.receive_text(connection, envelope::encode(envelope::IceServersRequest{}), Millis(0));
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->code, ErrorCode::rate_limited);
  EXPECT_EQ(turn->minted, 1);  // the welcome's only
}

}  // namespace
}  // namespace rtcwire::server::testing
