// The client's ICE servers at run time: setIceServers, the provider flow through JS, and what the
// live peer connections get (set-configuration + restart-ice, only on a real change).
#include <gtest/gtest.h>

#include "client/scripted_server.hpp"
#include "rtcwire/client/config.hpp"
#include "rtcwire/client/event_encoding.hpp"

namespace rtcwire {
namespace {

using envelope::Json;
using testing::ScriptedServer;

// The live connections' configuration actions, encoded as JS gets them.
std::vector<std::string> configuration_actions(Client& client) {
  std::vector<std::string> types;
  const Json outputs = Json::parse(encode_outputs(client));
  for (const Json& action : outputs["peer"]) {
    if (action["type"] == "set-configuration") {
      types.push_back("set-configuration " + action["config"].dump());
    } else if (action["type"] == "restart-ice") {
      types.push_back("restart-ice");
    }
  }
  return types;
}

std::vector<Error> take_errors(ScriptedServer& server) {
  std::vector<Error> errors;
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
  EXPECT_EQ(bad_list.error().code, ErrorCode::invalid_argument);
  const auto bad_policy = server.client.set_ice_servers(Json::array(), "none", server.now);
  ASSERT_FALSE(bad_policy.ok());
  EXPECT_EQ(bad_policy.error().code, ErrorCode::invalid_argument);
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
  EXPECT_EQ(errors[0].code, ErrorCode::ice_servers_unavailable);
  EXPECT_NE(errors[0].message.find("HTTP 503"), std::string::npos);
  EXPECT_TRUE(configuration_actions(server.client).empty());
  Millis failed = server.now;
  EXPECT_FALSE(needed_at(server, failed + Millis(1999)));
  EXPECT_TRUE(needed_at(server, failed + Millis(2000)));
  server.client.ice_servers_provided("[{\"urls\":\"ftp://x\"}]", server.now);
  errors = take_errors(server);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::ice_servers_unavailable);
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
  const Json outputs = Json::parse(encode_outputs(client));
  bool needed = false;
  for (const Json& event : outputs["events"])
    needed = needed || event["type"] == "ice-servers-needed";
  EXPECT_TRUE(needed);
}

}  // namespace
}  // namespace rtcwire
