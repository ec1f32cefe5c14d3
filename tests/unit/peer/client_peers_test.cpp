// The client routes room events and `signal`s with "rtcwire" to its peer layer, sends the peer
// layer's signals, and carries its actions and notices across the Wasm boundary's JSON.
#include <gtest/gtest.h>

#include "client/scripted_server.hpp"
#include "rtcwire/client/config.hpp"
#include "rtcwire/client/event_encoding.hpp"

namespace rtcwire::peer {
namespace {

using envelope::Json;
using testing::ScriptedServer;

std::vector<PeerAction> take_peer_actions(client::Client& client) {
  std::vector<PeerAction> actions;
  while (auto action = client.poll_peer_action()) actions.push_back(std::move(*action));
  return actions;
}

std::vector<PeerNotice> take_notices(client::Client& client) {
  std::vector<PeerNotice> notices;
  while (auto event = client.poll_event()) {
    if (auto* notice = std::get_if<PeerNotice>(&*event)) notices.push_back(*notice);
  }
  return notices;
}

TEST(ClientPeersTest, TheNewcomerConnectsToThePeersItFindsPolitelyByIds) {
  ScriptedServer server;
  server.connect_fully();
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());
  server.send_envelope(envelope::Joined{"lobby", {"zed", "abe"}});
  const auto actions = take_peer_actions(server.client);
  std::vector<std::string> created;
  for (const auto& action : actions) {
    if (auto* create = std::get_if<action::PcCreate>(&action)) created.push_back(create->peer);
  }
  EXPECT_EQ(created, (std::vector<std::string>{"zed", "abe"}));
  std::vector<bool> polite;
  for (const auto& notice : take_notices(server.client)) {
    if (auto* appeared = std::get_if<notice::PeerAppeared>(&notice)) {
      polite.push_back(appeared->polite);
    }
  }
  EXPECT_EQ(polite, (std::vector<bool>{false, true}));  // "me" < "zed", "me" > "abe"
}

TEST(ClientPeersTest, PeerSignalsAreConsumedAndTheAppKeepsItsOwn) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {});
  server.send_envelope(envelope::PeerJoined{"p2", std::nullopt});
  server.take_events();
  EXPECT_TRUE(take_peer_actions(server.client).empty());  // p2 offers first
  const Json offer = {
      {"rtcwire", 1}, {"conn", 1}, {"description", {{"type", "offer"}, {"sdp", "x"}}}};
  server.send_envelope(envelope::SignalFrom{"p2", offer});
  server.send_envelope(envelope::SignalFrom{"p2", {{"app", true}}});
  const auto events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<client::client_event::SignalReceived>(events[0]).data, Json({{"app", true}}));
  bool set_remote = false;
  for (const auto& action : take_peer_actions(server.client)) {
    set_remote = set_remote || std::holds_alternative<action::SetRemote>(action);
  }
  EXPECT_TRUE(set_remote);
}

TEST(ClientPeersTest, ABadPeerSignalIsAnErrorAndChangesNothing) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {});
  server.send_envelope(envelope::PeerJoined{"p2", std::nullopt});
  take_notices(server.client);
  server.send_envelope(envelope::SignalFrom{"p2", {{"rtcwire", 1}, {"conn", "one"}}});
  const auto notices = take_notices(server.client);
  ASSERT_EQ(notices.size(), 1u);
  const auto& error = std::get<notice::PeerError>(notices[0]);
  EXPECT_EQ(error.peer, "p2");
  EXPECT_EQ(error.error.code, base::ErrorCode::invalid_signal);
  EXPECT_TRUE(take_peer_actions(server.client).empty());
}

TEST(ClientPeersTest, LocalCandidatesGoOutAsSignalsAndOutputsCarryPeerActions) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  const Json outputs = Json::parse(client::encode_reply(server.client));
  ASSERT_GE(outputs["peer"].size(), 3u);
  EXPECT_EQ(outputs["peer"][0]["type"], "pc-create");
  EXPECT_EQ(outputs["peer"][0]["peer"], "p2");
  EXPECT_EQ(outputs["peer"][1]["options"],
            Json({{"ordered", true}, {"negotiated", true}, {"id", 0}}));
  const uint32_t pc = outputs["peer"][0]["pc"];
  server.take_frames();
  server.client.handle_peer_event(
      event::IceCandidate{pc, Json{{"candidate", "c"}, {"usernameFragment", "u"}}}, server.now);
  const auto frames = server.take_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_NE(frames[0].find("\"rtcwire\":1"), std::string::npos);
  // Events of a connection the core does not know are dropped.
  const auto stale = server.client.peers().stale_events();
  server.client.handle_peer_event(event::NegotiationNeeded{pc + 1000}, server.now);
  EXPECT_EQ(server.client.peers().stale_events(), stale + 1);
}

TEST(ClientPeersTest, PeerLeftAndLeaveCloseThePeers) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2", "p3"});
  take_peer_actions(server.client);
  server.send_envelope(envelope::PeerLeft{"p2"});
  std::vector<std::string> closed;
  for (const auto& notice : take_notices(server.client)) {
    if (auto* s = std::get_if<notice::PeerStateChanged>(&notice);
        s && s->state == PeerState::closed) {
      closed.push_back(s->peer);
    }
  }
  EXPECT_EQ(closed, std::vector<std::string>{"p2"});
  ASSERT_TRUE(server.client.leave(server.now).ok());
  int pc_closes = 0;
  for (const auto& action : take_peer_actions(server.client)) {
    pc_closes += std::holds_alternative<action::PcClose>(action);
  }
  EXPECT_EQ(pc_closes, 2);  // p2's before, p3's now
  EXPECT_TRUE(server.client.peers().ids().empty());
}

// A track muted by replaceTrack(old, null) stays muted on connections made later: they get its
// sender (no renegotiation to unmute) with nothing on it; unmuting sends it again everywhere.
TEST(ClientPeersTest, AMutedTrackIsMutedOnConnectionsMadeLater) {
  ScriptedServer server;
  server.connect_fully();
  ASSERT_TRUE(server.client.set_local_tracks({{7, "audio", 3}, {8, "video", 3}}, server.now).ok());
  ASSERT_TRUE(server.client.replace_track(7, 0, server.now).ok());
  // The track changes of one room's new connection, in order.
  const auto joining = [&](const std::string& room, const std::string& peer) {
    server.join_room(room, {peer});
    std::vector<std::string> changes;
    for (const auto& action : take_peer_actions(server.client)) {
      if (auto* add = std::get_if<action::TrackAdd>(&action)) {
        changes.push_back("add " + std::to_string(add->track));
      }
      if (auto* replace = std::get_if<action::TrackReplace>(&action)) {
        changes.push_back("replace " + std::to_string(replace->old) + " " +
                          std::to_string(replace->replacement));
      }
    }
    return changes;
  };
  EXPECT_EQ(joining("one", "zz"), (std::vector<std::string>{"add 7", "replace 7 0", "add 8"}));

  // Unmuted: the sender sends the track again, and later connections add it plainly.
  ASSERT_TRUE(server.client.replace_track(7, 7, server.now).ok());
  bool unmuted = false;
  for (const auto& action : take_peer_actions(server.client)) {
    if (auto* replace = std::get_if<action::TrackReplace>(&action)) {
      unmuted = replace->old == 7 && replace->replacement == 7;
    }
  }
  EXPECT_TRUE(unmuted);
  EXPECT_EQ(joining("two", "yy"), (std::vector<std::string>{"add 7", "add 8"}));
}

TEST(ClientPeersTest, ConfigParsesThePeerOptions) {
  auto config = client::parse_client_config(
      R"({"url":"http://x","peers":{"autoConnect":false,"iceServers":[{"urls":"stun:s"}],)"
      R"("iceTransportPolicy":"relay","restartGraceMs":500}})");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config.value().peers.auto_connect);
  EXPECT_TRUE(config.value().peers.relay_only);
  EXPECT_EQ(config.value().peers.restart_grace, base::Millis(500));
  for (const char* bad :
       {R"({"url":"http://x","peers":1})", R"({"url":"http://x","peers":{"autoConnect":1}})",
        R"({"url":"http://x","peers":{"iceServers":[{"url":"x"}]}})",
        R"({"url":"http://x","peers":{"iceTransportPolicy":"none"}})",
        R"({"url":"http://x","peers":{"restartGraceMs":-1}})"}) {
    const auto refused = client::parse_client_config(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().code, base::ErrorCode::invalid_argument);
  }
}

TEST(ClientPeersTest, AppInputsAreChecked) {
  EXPECT_TRUE(client::parse_channel_options(R"({"ordered":false,"maxRetransmits":0})").ok());
  EXPECT_FALSE(client::parse_channel_options(R"({"maxRetransmits":1,"maxPacketLifeTime":1})").ok());
  EXPECT_FALSE(client::parse_channel_options(R"({"ordered":"no"})").ok());
  EXPECT_FALSE(client::parse_channel_options("[]").ok());
  EXPECT_TRUE(client::parse_local_tracks(R"([{"track":1,"kind":"video","stream":2}])").ok());
  EXPECT_FALSE(client::parse_local_tracks(R"([{"track":0,"kind":"video","stream":2}])").ok());
  EXPECT_FALSE(client::parse_local_tracks(R"([{"track":1,"kind":"smell","stream":2}])").ok());
  EXPECT_FALSE(client::parse_local_tracks(R"({"track":1})").ok());
}

}  // namespace
}  // namespace rtcwire::peer
