// Property: the connection dies between an ice-servers request (a credential refresh at 80% of
// the lifetime) and its answer, losing the request or the answer. The request is unsequenced, so
// nothing retries it: the resumed session's welcome brings fresh credentials, the client takes
// them without an error, and the refreshes after it go on as before.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pair_scenario.hpp"
#include "turn_credentials.hpp"

namespace rtcwire::testing {
namespace {

constexpr uint64_t kSeeds = 200;
constexpr base::Millis kLifetime{20000};

// Every credential minted expires later than the one before, so a fresh one is always new.
class CountingTurnCredentials final : public server::TurnCredentials {
 public:
  envelope::IceServersGrant mint(std::string_view peer) const override {
    return server::mint_turn_credentials(settings_, peer, 1'000'000 + ++minted_);
  }

 private:
  server::TurnSettings settings_{"a-fake-test-secret-of-16+",
                                 {"turn:127.0.0.1:3478"},
                                 std::chrono::duration_cast<std::chrono::seconds>(kLifetime)};
  mutable int64_t minted_ = 0;
};

nlohmann::json ice_servers(Pair& pair) { return pair.client(0).peers().config().ice_servers; }

TEST(PairIceServers, AConnectionLostBetweenRequestAndAnswerStillGetsFreshCredentials) {
  const std::vector<std::vector<engineio::TransportKind>> ladders = {
      {engineio::TransportKind::websocket, engineio::TransportKind::sse,
       engineio::TransportKind::polling},
      {engineio::TransportKind::polling},
      {engineio::TransportKind::sse}};
  for (uint64_t seed : seeds(kSeeds)) {
    server::HubSettings settings;
    settings.turn = std::make_shared<CountingTurnCredentials>();
    Pair pair(seed, settings);
    const auto pick = [&](int below) {
      return std::uniform_int_distribution<int>(0, below - 1)(pair.random());
    };
    pair.add_client(pair.client_config(ladders[pick(3)]));
    pair.faults = FaultPlan{base::Millis(1 + pick(30)), base::Millis(pick(20))};
    ASSERT_TRUE(gather_in_room(pair, "room")) << replay_hint(seed, pair);
    const nlohmann::json first = ice_servers(pair);
    ASSERT_FALSE(first.empty()) << "the welcome's credentials";
    const std::string peer_id = pair.client(0).peer_id();

    pair.reset_after_sending(0, "ice-servers");
    const auto changed_from = [&](const nlohmann::json& old) {
      return [&pair, old] {
        return pair.client(0).state() == client::ClientState::connected && ice_servers(pair) != old;
      };
    };
    ASSERT_TRUE(pair.run_until(changed_from(first), pair.now() + kLifetime + base::Millis(30000)))
        << replay_hint(seed, pair);
    EXPECT_EQ(pair.resets(), 1) << "the connection died after the request\n"
                                << replay_hint(seed, pair);
    EXPECT_EQ(pair.client(0).peer_id(), peer_id) << "the session resumed";

    // The next refresh, on an undisturbed connection, is asked and answered as usual.
    const nlohmann::json second = ice_servers(pair);
    ASSERT_TRUE(pair.run_until(changed_from(second), pair.now() + kLifetime))
        << replay_hint(seed, pair);
    EXPECT_EQ(pair.resets(), 1);
    for (const client::ClientEvent& event : pair.events(0)) {
      const auto* error = std::get_if<client::client_event::ErrorRaised>(&event);
      EXPECT_EQ(error, nullptr) << error->error.message << "\n" << replay_hint(seed, pair);
    }
  }
}

}  // namespace
}  // namespace rtcwire::testing
