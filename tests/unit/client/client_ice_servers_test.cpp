// The client's ICE servers at run time: setIceServers, the provider flow through JS, and what the
// live peer connections get (set-configuration + restart-ice, only on a real change).
#include <gtest/gtest.h>

#include "client/scripted_server.hpp"
#include "rtcwire/client/config.hpp"
#include "rtcwire/client/event_encoding.hpp"

namespace rtcwire::client {

using base::Millis;

namespace {

using envelope::Json;
using testing::ScriptedServer;

// The live connections' configuration actions, encoded as JS gets them.
std::vector<std::string> configuration_actions(Client& client) {
  std::vector<std::string> types;
  const Json outputs = Json::parse(encode_reply(client));
  for (const Json& action : outputs["peer"]) {
    if (action["type"] == "set-configuration") {
      types.push_back("set-configuration " + action["config"].dump());
    } else if (action["type"] == "restart-ice") {
      types.push_back("restart-ice");
    }
  }
  return types;
}

std::vector<base::Error> take_errors(ScriptedServer& server) {
  std::vector<base::Error> errors;
  for (const auto& event : server.take_events()) {
    if (auto* raised = std::get_if<client_event::ErrorRaised>(&event)) {
      errors.push_back(raised->error);
    }
  }
  return errors;
}

int count_ice_servers_needed(ScriptedServer& server) {
  int needed = 0;
  for (const auto& event : server.take_events()) {
    needed += std::holds_alternative<client_event::IceServersNeeded>(event);
  }
  return needed;
}

// Whether the client asks for the provider when its timers fire at `at` (other timers, pings and
// reconnects, fire too: they never ask for it).
bool needed_at(ScriptedServer& server, Millis at) {
  server.now = at;
  server.client.handle_timeout(at);
  return count_ice_servers_needed(server) > 0;
}

ClientConfig with_provider() {
  ClientConfig config = testing::default_client_config();
  config.peers.ice_servers_provider = true;
  return config;
}

TEST(ClientIceServersTest, SetIceServersReconfiguresLiveConnectionsOnlyOnARealChange) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2", "p3"});
  configuration_actions(server.client);
  const Json servers = Json::parse(R"([{"urls":"stun:s"}])");
  ASSERT_TRUE(server.client.set_ice_servers(servers, "relay", server.now).ok());
  const std::string set =
      R"(set-configuration {"iceServers":[{"urls":"stun:s"}],"iceTransportPolicy":"relay"})";
  EXPECT_EQ(configuration_actions(server.client),
            (std::vector<std::string>{set, "restart-ice", set, "restart-ice"}));
  ASSERT_TRUE(server.client.set_ice_servers(servers, "", server.now).ok());
  EXPECT_TRUE(configuration_actions(server.client).empty());
}

TEST(ClientIceServersTest, ABadListOrPolicyThrowsAndChangesNothing) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  configuration_actions(server.client);
  const auto bad_list =
      server.client.set_ice_servers(Json::parse(R"([{"urls":"turn:t"}])"), "", server.now);
  ASSERT_FALSE(bad_list.ok());
  EXPECT_EQ(bad_list.error().code, base::ErrorCode::invalid_argument);
  const auto bad_policy = server.client.set_ice_servers(Json::array(), "none", server.now);
  ASSERT_FALSE(bad_policy.ok());
  EXPECT_EQ(bad_policy.error().code, base::ErrorCode::invalid_argument);
  EXPECT_TRUE(configuration_actions(server.client).empty());
}

TEST(ClientIceServersTest, ProviderIsAskedAtConnectAndItsListIsAppliedWhenItArrives) {
  ScriptedServer server(with_provider());
  server.start_connect();
  EXPECT_EQ(count_ice_servers_needed(server), 1);
  server.send_open_packet();
  server.take_frames();
  server.send_envelope(testing::new_session("me", "s1", 65536));
  server.join_room("lobby", {"p2"});
  // Connections are not held back for the provider: p2's exists already.
  configuration_actions(server.client);
  server.client.ice_servers_provided(R"({"iceServers":[{"urls":"stun:p"}],"ttl":60})", server.now);
  EXPECT_EQ(
      configuration_actions(server.client),
      (std::vector<std::string>{
          R"(set-configuration {"iceServers":[{"urls":"stun:p"}],"iceTransportPolicy":"all"})",
          "restart-ice"}));
  // Asked again at 80% of the ttl.
  const Millis answered = server.now;
  EXPECT_FALSE(needed_at(server, answered + Millis(47999)));
  EXPECT_TRUE(needed_at(server, answered + Millis(48000)));
}

TEST(ClientIceServersTest, ProviderFailureKeepsTheListReportsAndRetriesWithBackoff) {
  ScriptedServer server(with_provider());
  server.connect_fully();
  server.client.ice_servers_provided(R"([{"urls":"stun:good"}])", server.now);
  server.join_room("lobby", {"p2"});
  configuration_actions(server.client);
  server.client.ice_servers_failed("HTTP 503 from https://creds.example", server.now);
  auto errors = take_errors(server);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, base::ErrorCode::ice_servers_unavailable);
  EXPECT_NE(errors[0].message.find("HTTP 503"), std::string::npos);
  EXPECT_TRUE(configuration_actions(server.client).empty());
  Millis failed = server.now;
  EXPECT_FALSE(needed_at(server, failed + Millis(1999)));
  EXPECT_TRUE(needed_at(server, failed + Millis(2000)));
  server.client.ice_servers_provided("[{\"urls\":\"ftp://x\"}]", server.now);
  errors = take_errors(server);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, base::ErrorCode::ice_servers_unavailable);
  failed = server.now;
  EXPECT_FALSE(needed_at(server, failed + Millis(3999)));
  EXPECT_TRUE(needed_at(server, failed + Millis(4000)));
  // The list in use stays the good one.
  EXPECT_TRUE(configuration_actions(server.client).empty());
}

TEST(ClientIceServersTest, ProviderAndSetIceServersGoThroughTheConfigAndEncoding) {
  auto config = parse_client_config(
      R"({"url":"http://x","peers":{"iceServersProvider":true,"iceServers":[{"urls":"stun:a"}]}})");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config.value().peers.ice_servers_provider);
  EXPECT_FALSE(
      parse_client_config(R"({"url":"http://x","peers":{"iceServersProvider":"u"}})").ok());
  EXPECT_FALSE(
      parse_client_config(R"({"url":"http://x","peers":{"iceServers":[{"urls":"http://a"}]}})")
          .ok());
  Client client(config.value());
  ASSERT_TRUE(client.connect(Millis(1)).ok());
  const Json outputs = Json::parse(encode_reply(client));
  bool needed = false;
  for (const Json& event : outputs["events"])
    needed = needed || event["type"] == "ice-servers-needed";
  EXPECT_TRUE(needed);
}

const Json kTurn =
    Json::parse(R"([{"urls":["turn:127.0.0.1:3478"],"username":"100:me","credential":"c1"}])");

envelope::Welcome welcome_with(Json servers, std::uint64_t expires_in_ms) {
  envelope::Welcome welcome = testing::new_session("me", "s1", 65536);
  welcome.ice_servers = envelope::IceServersGrant{std::move(servers), expires_in_ms};
  return welcome;
}

// Connected with the server's credentials in the welcome, in a room with p2.
void connect_with_turn(ScriptedServer& server, std::uint64_t expires_in_ms) {
  server.start_connect();
  server.send_open_packet(10000000, 10000000);  // no ping timeout within the test
  server.take_frames();
  server.send_envelope(welcome_with(kTurn, expires_in_ms));
  server.take_events();
  server.join_room("lobby", {"p2"});
}

// Whether an ice-servers request went out among the frames the client wrote.
bool asked_for_ice_servers(ScriptedServer& server) {
  bool asked = false;
  for (const auto& frame : server.take_frames()) {
    if (!frame.starts_with('4')) continue;  // Engine.IO's own packets
    asked =
        asked || std::holds_alternative<envelope::IceServersRequest>(testing::decode_sent(frame));
  }
  return asked;
}

TEST(ClientIceServersTest, WelcomeCredentialsGoToEveryConnection) {
  ScriptedServer server;
  connect_with_turn(server, 600000);
  const Json outputs = Json::parse(encode_reply(server.client));
  ASSERT_EQ(outputs["peer"][0]["type"], "pc-create");
  EXPECT_EQ(outputs["peer"][0]["config"]["iceServers"], kTurn);
}

TEST(ClientIceServersTest, CredentialsAreRefreshedAt80PercentAndApplied) {
  ScriptedServer server;
  connect_with_turn(server, 10000);
  configuration_actions(server.client);
  const Millis welcomed = server.now;
  server.now = welcomed + Millis(7999);
  server.client.handle_timeout(server.now);
  EXPECT_FALSE(asked_for_ice_servers(server));
  server.now = welcomed + Millis(8000);
  server.client.handle_timeout(server.now);
  ASSERT_EQ(server.client.state(), ClientState::connected);
  EXPECT_TRUE(asked_for_ice_servers(server));
  const Json fresh =
      Json::parse(R"([{"urls":["turn:127.0.0.1:3478"],"username":"200:me","credential":"c2"}])");
  server.send_envelope(envelope::IceServersGrant{fresh, 10000});
  EXPECT_EQ(configuration_actions(server.client),
            (std::vector<std::string>{
                "set-configuration " +
                    Json({{"iceServers", fresh}, {"iceTransportPolicy", "all"}}).dump(),
                "restart-ice"}));
  // The same credentials again change nothing.
  server.send_envelope(envelope::IceServersGrant{fresh, 10000});
  EXPECT_TRUE(configuration_actions(server.client).empty());
}

TEST(ClientIceServersTest, ABadListFromTheServerIsInvalidIceServersAndIgnored) {
  ScriptedServer server;
  connect_with_turn(server, 600000);
  configuration_actions(server.client);
  server.send_envelope(envelope::IceServersGrant{Json::parse(R"([{"urls":"turn:evil"}])"), 600000});
  const auto errors = take_errors(server);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, base::ErrorCode::invalid_ice_servers);
  EXPECT_TRUE(configuration_actions(server.client).empty());
  // A bad list in a welcome too.
  ScriptedServer other;
  other.start_connect();
  other.send_open_packet();
  other.take_frames();
  other.send_envelope(welcome_with(Json::object(), 600000));
  EXPECT_EQ(other.client.state(), ClientState::connected);
  const auto welcome_errors = take_errors(other);
  ASSERT_EQ(welcome_errors.size(), 1u);
  EXPECT_EQ(welcome_errors[0].code, base::ErrorCode::invalid_ice_servers);
}

TEST(ClientIceServersTest, ARefusedRequestRetriesIn5sAndTurnNotConfiguredStopsQuietly) {
  ScriptedServer server;
  connect_with_turn(server, 10000);
  server.now += Millis(8000);
  server.client.handle_timeout(server.now);
  ASSERT_TRUE(asked_for_ice_servers(server));
  server.send_envelope(envelope::ErrorReply{base::ErrorCode::rate_limited, "slow down", 0});
  EXPECT_EQ(take_errors(server).size(), 1u);  // the app sees rate_limited as always
  const Millis refused = server.now;
  server.now = refused + Millis(4999);
  server.client.handle_timeout(server.now);
  EXPECT_FALSE(asked_for_ice_servers(server));
  server.now = refused + Millis(5000);
  server.client.handle_timeout(server.now);
  ASSERT_TRUE(asked_for_ice_servers(server));
  server.send_envelope(
      envelope::ErrorReply{base::ErrorCode::turn_not_configured, "no TURN here", 0});
  EXPECT_TRUE(take_errors(server).empty());
  EXPECT_EQ(server.client.state(), ClientState::connected);
  server.now += Millis(3600000);
  server.client.handle_timeout(server.now);
  EXPECT_FALSE(asked_for_ice_servers(server));
}

}  // namespace
}  // namespace rtcwire::client
