#include "rtcwire/peer/remote_peer.hpp"

#include <gtest/gtest.h>

namespace rtcwire::peer {
namespace {

using C = event::ConnectionState;

class RemotePeerTest : public ::testing::Test {
 protected:
  std::vector<PeerState> states() {
    std::vector<PeerState> seen;
    while (!outputs.notices.empty()) {
      if (auto* s = std::get_if<notice::PeerStateChanged>(&outputs.notices.front())) {
        seen.push_back(s->state);
      }
      outputs.notices.pop_front();
    }
    return seen;
  }
  int count_restarts() {
    int restarts = 0;
    while (!outputs.actions.empty()) {
      if (std::holds_alternative<action::RestartIce>(outputs.actions.front())) ++restarts;
      outputs.actions.pop_front();
    }
    return restarts;
  }
  PeerSignal offer(uint32_t conn) {
    return PeerSignal{conn, Description{DescriptionType::offer, "o" + std::to_string(conn)}};
  }

  PeerConfig config;
  PeerOutputs outputs;
  LocalTracks tracks;
};

TEST_F(RemotePeerTest, ConnectCreatesTheConnectionAndDefaultChannels) {
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  ASSERT_GE(outputs.actions.size(), 3u);
  const auto* create = std::get_if<action::PcCreate>(&outputs.actions.front());
  ASSERT_TRUE(create);
  EXPECT_EQ(create->config["iceTransportPolicy"], "all");
  std::vector<std::pair<std::string, uint16_t>> channels;
  for (auto it = outputs.actions.begin(); it != outputs.actions.end(); ++it) {
    if (auto* c = std::get_if<action::ChannelCreate>(&*it)) {
      channels.emplace_back(c->label, c->options.id.value_or(999));
    }
  }
  EXPECT_EQ(channels,
            (std::vector<std::pair<std::string, uint16_t>>{{"rtcwire", 0}, {"rtcwire-files", 1}}));
  EXPECT_EQ(states(), std::vector<PeerState>{PeerState::connecting});
}

TEST_F(RemotePeerTest, FailedRestartsAtOnceThenBacksOffThenFails) {
  config.max_restarts = 2;
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::connected}, base::Millis(0));
  (void)count_restarts();
  EXPECT_EQ(states(), (std::vector<PeerState>{PeerState::connecting, PeerState::connected}));
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::failed}, base::Millis(100));
  EXPECT_EQ(count_restarts(), 1);
  EXPECT_EQ(states(), std::vector<PeerState>{PeerState::reconnecting});
  // Not connected after the grace: the second restart, then twice the wait for the verdict.
  peer.handle_timeout(base::Millis(100) + config.restart_grace);
  EXPECT_EQ(count_restarts(), 1);
  EXPECT_EQ(peer.deadline(), base::Millis(100) + config.restart_grace * 3);
  peer.handle_timeout(*peer.deadline());
  bool ice_failed = false;
  for (auto it = outputs.notices.begin(); it != outputs.notices.end(); ++it) {
    if (auto* error = std::get_if<notice::PeerError>(&*it)) {
      ice_failed = error->error.code == base::ErrorCode::ice_failed;
    }
  }
  EXPECT_TRUE(ice_failed);
  EXPECT_EQ(states(), std::vector<PeerState>{PeerState::failed});
  EXPECT_FALSE(peer.deadline());
}

TEST_F(RemotePeerTest, DisconnectedGetsAGraceAndRecoveryCancelsTheRestart) {
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::connected}, base::Millis(0));
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::disconnected}, base::Millis(10));
  (void)count_restarts();
  EXPECT_EQ(peer.deadline(), base::Millis(10) + config.restart_grace);
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::connected}, base::Millis(20));
  EXPECT_FALSE(peer.deadline());
  peer.handle_event(event::ConnectionChanged{peer.pc(), C::disconnected}, base::Millis(30));
  peer.handle_timeout(base::Millis(30) + config.restart_grace);
  EXPECT_EQ(count_restarts(), 1);
  EXPECT_EQ(peer.state(), PeerState::reconnecting);
}

TEST_F(RemotePeerTest, ANewConnFromTheRemoteStartsOverAndOldOnesAreDropped) {
  RemotePeer peer("b", std::nullopt, true, config, outputs);
  peer.on_signal(offer(1), tracks);
  const uint32_t first = peer.pc();
  ASSERT_NE(first, 0u);
  peer.on_signal(offer(2), tracks);
  EXPECT_NE(peer.pc(), first);
  const auto stale = outputs.stale;
  peer.on_signal(offer(1), tracks);
  EXPECT_EQ(outputs.stale, stale + 1);
  // Events of the replaced connection are not this peer's any more.
  EXPECT_NE(peer.pc(), first);
}

TEST_F(RemotePeerTest, ByeClosesTheConnectionUntilANewConn) {
  RemotePeer peer("b", std::nullopt, true, config, outputs);
  peer.on_signal(offer(1), tracks);
  peer.on_signal(PeerSignal{1, signal::Bye{}}, tracks);
  EXPECT_EQ(peer.pc(), 0u);
  EXPECT_EQ(peer.state(), PeerState::connecting);
  peer.on_signal(PeerSignal{1, signal::Candidate{std::nullopt}}, tracks);
  EXPECT_EQ(peer.pc(), 0u);
  peer.on_signal(offer(2), tracks);
  EXPECT_NE(peer.pc(), 0u);
}

TEST_F(RemotePeerTest, CloseSaysByeOnceAndIsFinalForSignals) {
  RemotePeer peer("b", std::nullopt, false, config, outputs);
  peer.connect(tracks);
  peer.close(true);
  ASSERT_EQ(outputs.signals.size(), 1u);
  EXPECT_EQ(outputs.signals.front().data["bye"], true);
  EXPECT_EQ(peer.state(), PeerState::closed);
  peer.on_signal(offer(1), tracks);
  EXPECT_EQ(peer.pc(), 0u);
}

}  // namespace
}  // namespace rtcwire::peer
