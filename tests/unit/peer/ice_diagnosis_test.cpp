// ICE server lists as the core accepts them, and the errors that explain a failed connection:
// turn_failed when gathering ends with TURN configured, no relay candidate and an error from a
// TURN server, ice_failed when the
// connection fails; both name the servers (never the credentials), the candidate types gathered
// and the candidate errors seen.
#include <gtest/gtest.h>

#include "rtcwire/peer/ice_diagnosis.hpp"
#include "rtcwire/peer/ice_server_list.hpp"
#include "rtcwire/peer/peer_registry.hpp"
#include "rtcwire/peer/remote_peer.hpp"

namespace rtcwire::peer {

using base::Millis;

namespace {

using Json = nlohmann::json;
using C = event::ConnectionState;

const Json kTurnServers = Json::parse(R"([
  {"urls": "stun:127.0.0.1:3478"},
  {"urls": ["turn:127.0.0.1:3478?transport=udp", "turns:turn.example.org:443"],
   "username": "1700000000:me", "credential": "s3cret-credential"}])");

Json candidate(const std::string& type) {
  return {{"candidate", "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ " + type + " generation 0"},
          {"sdpMid", "0"}};
}

TEST(IceServerListTest, AcceptsWhatRTCPeerConnectionAccepts) {
  EXPECT_TRUE(is_valid_ice_server_list(Json::array()));
  EXPECT_TRUE(is_valid_ice_server_list(kTurnServers));
  EXPECT_TRUE(is_valid_ice_server_list(Json::parse(R"([{"urls": "stuns:s.example.org"}])")));
}

TEST(IceServerListTest, RefusesWhatWouldThrowOrIsUnbounded) {
  for (const char* bad : {
           R"({"urls": "stun:s"})",                     // not an array
           R"([{"url": "stun:s"}])",                    // no urls
           R"([{"urls": []}])",                         // no URL at all
           R"([{"urls": "http://s"}])",                 // not an ICE scheme
           R"([{"urls": ["stun:s", 5]}])",              // not a string
           R"([{"urls": "turn:t:3478"}])",              // TURN without secret
           R"([{"urls": "turn:t", "username": "u"}])",  // half a secret
           R"([{"urls": "stun:s", "credential": 7}])",  // not a string
           R"([7])",
       }) {
    EXPECT_FALSE(is_valid_ice_server_list(Json::parse(bad))) << bad;
  }
  Json many = Json::array();
  for (int i = 0; i < 33; ++i) many.push_back({{"urls", "stun:s"}});
  EXPECT_FALSE(is_valid_ice_server_list(many));
  Json long_url = Json::array({{{"urls", "stun:" + std::string(600, 'a')}}});
  EXPECT_FALSE(is_valid_ice_server_list(long_url));
  Json many_urls = Json::array({{{"urls", Json::array()}}});
  for (int i = 0; i < 17; ++i) many_urls[0]["urls"].push_back("stun:s");
  EXPECT_FALSE(is_valid_ice_server_list(many_urls));
}

TEST(IceDiagnosisTest, NamesServersTypesAndTheLikelyCauseWithoutCredentials) {
  IceDiagnosis diagnosis;
  diagnosis.gathered(candidate("host"));
  diagnosis.gathered(candidate("srflx"));
  diagnosis.candidate_error(
      event::CandidateError{1, "turn:127.0.0.1:3478?transport=udp", 401, "Unauthorized"});
  const std::string text = diagnosis.describe(kTurnServers);
  EXPECT_NE(text.find("stun:127.0.0.1:3478, turn:127.0.0.1:3478?transport=udp, "
                      "turns:turn.example.org:443"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("candidate types gathered: host, srflx;"), std::string::npos) << text;
  EXPECT_NE(text.find("the TURN credential or server is the likely cause"), std::string::npos);
  EXPECT_NE(text.find("turn:127.0.0.1:3478?transport=udp 401 Unauthorized"), std::string::npos);
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(text.find("1700000000:me"), std::string::npos);
  EXPECT_FALSE(diagnosis.relay_gathered());
}

TEST(IceDiagnosisTest, ARelayCandidateOrNoTurnServerBlamesNoCredential) {
  IceDiagnosis relayed;
  relayed.gathered(candidate("relay"));
  EXPECT_TRUE(relayed.relay_gathered());
  EXPECT_EQ(relayed.describe(kTurnServers).find("likely cause"), std::string::npos);
  IceDiagnosis direct;
  const std::string text = direct.describe(Json::array());
  EXPECT_NE(text.find("ICE servers: none; candidate types gathered: none"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("likely cause"), std::string::npos);
}

TEST(IceDiagnosisTest, KeepsTheLastFewErrorsAndARestartForgetsAll) {
  IceDiagnosis diagnosis;
  for (uint32_t code = 1; code <= 6; ++code) {
    diagnosis.candidate_error(event::CandidateError{1, "turn:t", 700 + code, "x"});
  }
  diagnosis.gathered(candidate("relay"));
  std::string text = diagnosis.describe(Json::array());
  EXPECT_EQ(text.find("turn:t 702 x"), std::string::npos);
  EXPECT_NE(text.find("turn:t 703 x, turn:t 704 x, turn:t 705 x, turn:t 706 x"), std::string::npos);
  diagnosis.restart();
  text = diagnosis.describe(Json::array());
  EXPECT_EQ(text.find("candidate errors"), std::string::npos);
  EXPECT_FALSE(diagnosis.relay_gathered());
}

class RemotePeerIceTest : public ::testing::Test {
 protected:
  std::vector<base::Error> errors() {
    std::vector<base::Error> seen;
    while (!outputs.notices.empty()) {
      if (auto* e = std::get_if<notice::PeerError>(&outputs.notices.front())) {
        seen.push_back(e->error);
      }
      outputs.notices.pop_front();
    }
    return seen;
  }
  // The configuration actions (set-configuration with its policy, restart-ice, pc-create with its
  // servers' first URL) among those taken.
  static std::vector<std::string> configuration_actions(PeerOutputs& out) {
    std::vector<std::string> types;
    while (!out.actions.empty()) {
      const auto& action = out.actions.front();
      if (auto* set = std::get_if<action::SetConfiguration>(&action)) {
        types.push_back("set-configuration " +
                        set->config["iceTransportPolicy"].get<std::string>() + " " +
                        set->config["iceServers"].dump());
      } else if (std::holds_alternative<action::RestartIce>(action)) {
        types.push_back("restart-ice");
      } else if (auto* create = std::get_if<action::PcCreate>(&action)) {
        types.push_back("pc-create " + create->config["iceTransportPolicy"].get<std::string>() +
                        " " + create->config["iceServers"].dump());
      }
      out.actions.pop_front();
    }
    return types;
  }

  PeerConfig config;
  PeerOutputs outputs;
  LocalTracks tracks;
};

TEST_F(RemotePeerIceTest, GatheringWithoutRelayWhileTurnIsConfiguredIsTurnFailed) {
  config.ice_servers = kTurnServers;
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  peer.handle_event(event::IceCandidate{peer.pc(), candidate("host")}, Millis(0));
  peer.handle_event(event::CandidateError{peer.pc(), "turns:turn.example.org:443", 701, "timeout"},
                    Millis(0));
  peer.handle_event(event::IceCandidate{peer.pc(), std::nullopt}, Millis(0));
  const auto seen = errors();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, base::ErrorCode::turn_failed);
  EXPECT_NE(seen[0].message.find("candidate types gathered: host;"), std::string::npos);
  EXPECT_NE(seen[0].message.find("turns:turn.example.org:443 701 timeout"), std::string::npos);
  EXPECT_EQ(seen[0].message.find("s3cret"), std::string::npos);
}

// Both sides restarting at once (a credential refresh) collide: the rolled-back offer's gathering
// ends at once, before any candidate. Without a TURN error that is no failure; the error may also
// come after the end of candidates, and is reported once.
TEST_F(RemotePeerIceTest, TurnFailedNeedsAnErrorFromATurnServerInEitherOrderAndComesOnce) {
  config.ice_servers = kTurnServers;
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  peer.handle_event(event::IceCandidate{peer.pc(), std::nullopt}, Millis(0));
  peer.handle_event(event::CandidateError{peer.pc(), "stun:127.0.0.1:3478", 701, "timeout"},
                    Millis(0));
  EXPECT_TRUE(errors().empty());
  peer.handle_event(
      event::CandidateError{peer.pc(), "turn:127.0.0.1:3478?transport=udp", 401, "Unauthorized"},
      Millis(0));
  auto seen = errors();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, base::ErrorCode::turn_failed);
  EXPECT_NE(seen[0].message.find("401 Unauthorized"), std::string::npos) << seen[0].message;
  peer.handle_event(event::CandidateError{peer.pc(), "turns:turn.example.org:443", 701, "x"},
                    Millis(0));
  EXPECT_TRUE(errors().empty()) << "once per gathering";
  // A restart gathers anew, and may fail anew.
  ASSERT_TRUE(peer.restart_ice().ok());
  peer.handle_event(event::CandidateError{peer.pc(), "turns:turn.example.org:443", 701, "x"},
                    Millis(1));
  peer.handle_event(event::IceCandidate{peer.pc(), std::nullopt}, Millis(1));
  seen = errors();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, base::ErrorCode::turn_failed);
}

TEST_F(RemotePeerIceTest, ARelayCandidateOrNoTurnMeansNoTurnFailed) {
  config.ice_servers = kTurnServers;
  RemotePeer relayed("b", std::nullopt, false, config, outputs);
  relayed.connect(tracks);
  relayed.handle_event(event::IceCandidate{relayed.pc(), candidate("relay")}, Millis(0));
  relayed.handle_event(event::IceCandidate{relayed.pc(), std::nullopt}, Millis(0));
  EXPECT_TRUE(errors().empty());
  PeerConfig stun_only;
  stun_only.ice_servers = Json::parse(R"([{"urls": "stun:s"}])");
  RemotePeer direct("c", std::nullopt, false, stun_only, outputs);
  direct.connect(tracks);
  direct.handle_event(event::IceCandidate{direct.pc(), candidate("host")}, Millis(0));
  direct.handle_event(event::IceCandidate{direct.pc(), std::nullopt}, Millis(0));
  EXPECT_TRUE(errors().empty());
}

TEST_F(RemotePeerIceTest, AFailedConnectionIsIceFailedSayingWhatIceHad) {
  config.ice_servers = kTurnServers;
  config.max_restarts = 1;
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  peer.handle_event(event::IceCandidate{peer.pc(), candidate("srflx")}, Millis(0));
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::failed}, Millis(0));
  auto seen = errors();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, base::ErrorCode::ice_failed);
  EXPECT_NE(seen[0].message.find("candidate types gathered: srflx;"), std::string::npos);
  EXPECT_NE(seen[0].message.find("likely cause"), std::string::npos);
  // The restart gathers anew: the last verdict says what that gathering had.
  peer.handle_event(event::IceCandidate{peer.pc(), candidate("relay")}, Millis(1));
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::failed}, Millis(2));
  seen = errors();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, base::ErrorCode::ice_failed);
  EXPECT_NE(seen[0].message.find("after 1 ICE restarts"), std::string::npos) << seen[0].message;
  EXPECT_NE(seen[0].message.find("candidate types gathered: relay"), std::string::npos);
  EXPECT_EQ(seen[0].message.find("likely cause"), std::string::npos);
  EXPECT_EQ(peer.state(), PeerState::failed);
}

TEST_F(RemotePeerIceTest, ARealChangeReachesLiveConnectionsAndLaterOnesStartWithIt) {
  PeerRegistry registry(config);
  registry.joined("a", {"b"}, Json());
  registry.peer_joined("a", "c", std::nullopt);  // no connection yet: nothing to reconfigure
  EXPECT_EQ(configuration_actions(registry.outputs()),
            std::vector<std::string>{"pc-create all []"});
  const Json servers = Json::parse(R"([{"urls":"stun:s"}])");
  EXPECT_TRUE(registry.set_ice_configuration(servers, true));
  EXPECT_EQ(
      configuration_actions(registry.outputs()),
      (std::vector<std::string>{R"(set-configuration relay [{"urls":"stun:s"}])", "restart-ice"}));
  EXPECT_FALSE(registry.set_ice_configuration(servers, true));
  EXPECT_TRUE(registry.outputs().actions.empty());
  EXPECT_TRUE(registry.connect("c").ok());
  EXPECT_EQ(configuration_actions(registry.outputs()),
            std::vector<std::string>{R"(pc-create relay [{"urls":"stun:s"}])"});
  // The policy alone is a change too.
  EXPECT_TRUE(registry.set_ice_configuration(servers, false));
  EXPECT_EQ(configuration_actions(registry.outputs()).size(), 4u);
}

}  // namespace
}  // namespace rtcwire::peer
