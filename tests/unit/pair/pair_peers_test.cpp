// Properties of the peer layer: real client cores negotiate through the real hub, their peer
// actions running on JSEP models (pair_browser.hpp), over many seeds of latency, jitter and
// operation delays. Every pair of clients in the room ends connected, both sides `stable`, each
// side's local description the other's remote one, and the default channels open; the core
// never runs two operations at once on a connection.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "pair_scenario.hpp"

namespace rtcwire::testing {

using base::Millis;

namespace {

constexpr uint64_t kSeeds = 200;
constexpr Millis kSettleWithin{60000};

const std::vector<std::vector<engineio::TransportKind>>& ladders() {
  static const std::vector<std::vector<engineio::TransportKind>> all = {
      {engineio::TransportKind::websocket, engineio::TransportKind::sse,
       engineio::TransportKind::polling},
      {engineio::TransportKind::polling},
      {engineio::TransportKind::sse}};
  return all;
}

int pick(Pair& pair, int below) {
  return std::uniform_int_distribution<int>(0, below - 1)(pair.random());
}

// Why clients `a` and `b` are not settled with each other, or empty. `channels`: how many
// channels a's connection to b has open when settled (the two default ones, and the app's).
std::string unsettled(Pair& pair, std::size_t a, std::size_t b, std::size_t channels = 2) {
  const std::string b_id = pair.client(b).peer_id();
  const std::string a_id = pair.client(a).peer_id();
  const peer::RemotePeer* remote = pair.client(a).peers().find(b_id);
  if (!remote) return "c" + std::to_string(a) + " has no peer " + b_id;
  if (remote->state() != peer::PeerState::connected) {
    return "c" + std::to_string(a) + " sees " + b_id + " " +
           std::string(to_string(remote->state()));
  }
  if (!remote->negotiation() || remote->negotiation()->queued() > 0) return "operations queued";
  JsepModel* mine = pair.browser(a).model_for(b_id);
  JsepModel* theirs = pair.browser(b).model_for(a_id);
  if (!mine || !theirs) return "no connection in the browser";
  if (mine->pc() != remote->pc()) return "the browser's connection is not the core's";
  if (mine->signaling() != peer::SignalingState::stable) return "not stable";
  if (mine->connection() != peer::event::ConnectionState::connected) return "not connected";
  if (!mine->current_local() || !theirs->current_remote() ||
      mine->current_local()->text() != theirs->current_remote()->text()) {
    return "descriptions disagree";
  }
  if (mine->open_channels().size() != channels) return "channels not open";
  return {};
}

std::string all_unsettled(Pair& pair) {
  for (std::size_t a = 0; a < pair.client_count(); ++a) {
    for (std::size_t b = 0; b < pair.client_count(); ++b) {
      if (a == b) continue;
      if (std::string why = unsettled(pair, a, b); !why.empty()) return why;
    }
  }
  return {};
}

// No overlapping operations, no peer error but ice_failed where a connection was made to fail
// (it reports each failure, saying what ICE had); returns how many of those there were.
int expect_clean(Pair& pair, uint64_t seed, bool failures_expected = false) {
  int ice_failures = 0;
  for (std::size_t index = 0; index < pair.client_count(); ++index) {
    EXPECT_EQ(pair.browser(index).overlapping_operations(), 0) << replay_hint(seed, pair);
    for (const client::ClientEvent& event : pair.events(index)) {
      const auto* notice = std::get_if<peer::PeerNotice>(&event);
      const auto* error = notice ? std::get_if<peer::notice::PeerError>(notice) : nullptr;
      if (failures_expected && error && error->error.code == base::ErrorCode::ice_failed) {
        EXPECT_NE(error->error.message.find("candidate types gathered"), std::string::npos);
        ++ice_failures;
        continue;
      }
      EXPECT_EQ(error, nullptr) << "c" << index << ": " << error->error.message << "\n"
                                << replay_hint(seed, pair);
    }
  }
  return ice_failures;
}

// `count` clients in one room with random ladders and network; true once all pairs settled.
void add_clients(Pair& pair, std::size_t count, bool auto_connect) {
  for (std::size_t index = 0; index < count; ++index) {
    client::ClientConfig config = pair.client_config(ladders()[pick(pair, 3)]);
    config.peers.auto_connect = auto_connect;
    pair.add_client(std::move(config));
  }
}

void random_network(Pair& pair) {
  pair.faults = FaultPlan{Millis(1 + pick(pair, 30)), Millis(pick(pair, 20)), 0.02, 0.02, 0.02};
}

bool settle(Pair& pair) {
  return pair.run_until([&] { return all_unsettled(pair).empty(); }, pair.now() + kSettleWithin);
}

// `clients` clients with auto-connect on a random network, in one room, every pair settled.
void settled_mesh(Pair& pair, uint64_t seed, std::size_t clients) {
  add_clients(pair, clients, true);
  random_network(pair);
  ASSERT_TRUE(gather_in_room(pair, "room")) << replay_hint(seed, pair);
  ASSERT_TRUE(settle(pair)) << all_unsettled(pair) << "\n" << replay_hint(seed, pair);
}

void mesh(uint64_t seed, std::size_t clients) {
  Pair pair(seed);
  ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, clients));
  expect_clean(pair, seed);
}

TEST(PairPeers, TwoClientsConnectAndAgree) {
  for (uint64_t seed : seeds(kSeeds)) mesh(seed, 2);
}

TEST(PairPeers, FourClientsFormAFullMesh) {
  for (uint64_t seed : seeds(kSeeds)) mesh(seed, 4);
}

// Both apps connect at the same instant: both offer, the polite side rolls back and answers.
TEST(PairPeers, GlareEndsStableAndAgreeing) {
  int glared = 0;
  const auto all = seeds(kSeeds);
  for (uint64_t seed : all) {
    Pair pair(seed);
    add_clients(pair, 2, false);
    random_network(pair);
    ASSERT_TRUE(gather_in_room(pair, "room")) << replay_hint(seed, pair);
    const std::string ids[2] = {pair.client(0).peer_id(), pair.client(1).peer_id()};
    for (std::size_t index = 0; index < 2; ++index) {
      pair.act(index, [&](client::Client& client, Millis now) {
        EXPECT_TRUE(client.peer_connect(ids[1 - index], now).ok());
      });
    }
    ASSERT_TRUE(settle(pair)) << all_unsettled(pair) << "\n" << replay_hint(seed, pair);
    expect_clean(pair, seed);
    // The polite side is the one with the greater id; only it ever rolls back.
    const std::size_t polite = ids[0] > ids[1] ? 0 : 1;
    EXPECT_EQ(pair.browser(1 - polite).model_for(ids[polite])->rollbacks(), 0);
    if (pair.browser(polite).model_for(ids[1 - polite])->rollbacks() > 0) ++glared;
  }
  // The offers crossed in most runs (they can miss each other when one side's browser is slow).
  if (all.size() == kSeeds) {
    EXPECT_GT(glared, static_cast<int>(kSeeds / 4));
  }
}

// A peer that leaves the room is torn down on both sides: no connection remains in either browser.
TEST(PairPeers, LeavingTearsDownBothSides) {
  for (uint64_t seed : seeds(kSeeds)) {
    Pair pair(seed);
    ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, 3));
    const std::string leaver = pair.client(2).peer_id();
    pair.act(2, [](client::Client& client, Millis now) { ASSERT_TRUE(client.leave(now).ok()); });
    ASSERT_TRUE(pair.run_until(
        [&] {
          return !pair.client(0).peers().find(leaver) && !pair.client(1).peers().find(leaver);
        },
        pair.now() + kSettleWithin))
        << replay_hint(seed, pair);
    for (std::size_t index = 0; index < 2; ++index) {
      EXPECT_EQ(pair.browser(index).model_for(leaver), nullptr) << replay_hint(seed, pair);
      EXPECT_EQ(pair.browser(2).model_for(pair.client(index).peer_id()), nullptr);
    }
    EXPECT_TRUE(pair.client(2).peers().ids().empty());
    // The two that stayed are still connected to each other.
    EXPECT_EQ(unsettled(pair, 0, 1), "") << replay_hint(seed, pair);
  }
}

// A network fault on one side or both fails the connection; the core restarts ICE through
// signalling, and the pair settles again on new credentials for every side that failed, over
// the same connection (its channels stay open: an ICE restart keeps DTLS and SCTP). In half the
// runs the signalling connection of a failing side drops at the same moment: the restart
// completes after the session resumes.
TEST(PairPeers, AFailedConnectionRecoversByIceRestart) {
  for (uint64_t seed : seeds(kSeeds)) {
    Pair pair(seed);
    ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, 2));
    const std::string ids[2] = {pair.client(0).peer_id(), pair.client(1).peer_id()};
    const int which = pick(pair, 3);  // 0 or 1: that side fails; 2: both
    std::string ufrags[2];
    uint32_t pcs[2];
    for (std::size_t index = 0; index < 2; ++index) {
      JsepModel* model = pair.browser(index).model_for(ids[1 - index]);
      ufrags[index] = model->current_local()->ufrag;
      pcs[index] = model->pc();
    }
    const bool signalling_drops = pick(pair, 2) == 0;
    for (std::size_t index = 0; index < 2; ++index) {
      if (which != 2 && which != static_cast<int>(index)) continue;
      pair.browser(index).fail(ids[1 - index]);
      if (signalling_drops) pair.reset(index);
    }
    const auto restarted = [&] {
      for (std::size_t index = 0; index < 2; ++index) {
        JsepModel* model = pair.browser(index).model_for(ids[1 - index]);
        if (!model || !model->current_local()) return false;
        if ((which == 2 || which == static_cast<int>(index)) &&
            model->current_local()->ufrag == ufrags[index]) {
          return false;
        }
      }
      return all_unsettled(pair).empty();
    };
    ASSERT_TRUE(pair.run_until(restarted, pair.now() + kSettleWithin))
        << all_unsettled(pair) << "\n"
        << replay_hint(seed, pair);
    for (std::size_t index = 0; index < 2; ++index) {
      EXPECT_EQ(pair.browser(index).model_for(ids[1 - index])->pc(), pcs[index])
          << "the same connection, restarted\n"
          << replay_hint(seed, pair);
    }
    EXPECT_GE(expect_clean(pair, seed, true), 1) << replay_hint(seed, pair);
  }
}

// One app changes its ICE servers mid-call (setIceServers): its connection takes them by
// set-configuration and an ICE restart negotiated through signalling, and the pair settles again
// on new credentials over the same connection, default channels open, without an error.
TEST(PairPeers, NewIceServersMidCallRestartIceOnTheSameConnection) {
  for (uint64_t seed : seeds(kSeeds)) {
    Pair pair(seed);
    ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, 2));
    const std::size_t changer = static_cast<std::size_t>(pick(pair, 2));
    const std::string other = pair.client(1 - changer).peer_id();
    JsepModel* model = pair.browser(changer).model_for(other);
    const std::string ufrag = model->current_local()->ufrag;
    const uint32_t pc = model->pc();
    const nlohmann::json servers = {{{"urls", "stun:stun.example.org"}}};
    pair.act(changer, [&](client::Client& client, Millis now) {
      EXPECT_TRUE(client.set_ice_servers(servers, "relay", now).ok());
    });
    const auto restarted = [&] {
      JsepModel* now_model = pair.browser(changer).model_for(other);
      return now_model && now_model->current_local() &&
             now_model->current_local()->ufrag != ufrag && all_unsettled(pair).empty();
    };
    ASSERT_TRUE(pair.run_until(restarted, pair.now() + kSettleWithin))
        << all_unsettled(pair) << "\n"
        << replay_hint(seed, pair);
    EXPECT_EQ(pair.browser(changer).model_for(other)->pc(), pc) << replay_hint(seed, pair);
    EXPECT_EQ(pair.client(changer).peers().config().ice_servers, servers);
    EXPECT_TRUE(pair.client(changer).peers().config().relay_only);
    expect_clean(pair, seed);
  }
}

// Tracks and an app channel added mid-call by one side (`which` 0 or 1) or by both at the same
// instant (2: glare). Done once both sides are stable again on their connections, with the app
// channels open, and each side receives exactly the other's tracks.
class MidCallAdditions {
 public:
  MidCallAdditions(Pair& pair, int which) : pair_(pair), which_(which) {
    for (std::size_t index = 0; index < 2; ++index) ids_[index] = pair.client(index).peer_id();
    for (std::size_t index = 0; index < 2; ++index) {
      pcs_[index] = pair.browser(index).model_for(ids_[1 - index])->pc();
      if (!adds(index)) continue;
      const uint32_t base = 100 + 10 * static_cast<uint32_t>(index);
      sent_[index] = {base + 1, base + 2};
      pair.act(index, [&](client::Client& client, Millis now) {
        EXPECT_TRUE(
            client.set_local_tracks({{base + 1, "audio", base}, {base + 2, "video", base}}, now)
                .ok());
        EXPECT_TRUE(client.channel_open(ids_[1 - index], "app", peer::ChannelOptions{}, now).ok());
      });
    }
  }

  bool adds(std::size_t index) const { return which_ == 2 || which_ == static_cast<int>(index); }
  const std::string& id(std::size_t index) const { return ids_[index]; }
  const std::set<uint32_t>& sent(std::size_t index) const { return sent_[index]; }

  // Empty once done, else why not.
  std::string unfinished() const {
    for (std::size_t index = 0; index < 2; ++index) {
      if (auto why = unsettled(pair_, index, 1 - index, adds(index) ? 3 : 2); !why.empty()) {
        return why;
      }
      if (pair_.browser(index).model_for(ids_[1 - index])->remote_tracks() != sent_[1 - index]) {
        return "c" + std::to_string(index) + " lacks the other's tracks";
      }
    }
    return {};
  }

  // Still on the connections they had when the tracks were added.
  void expect_same_connections(uint64_t seed) const {
    for (std::size_t index = 0; index < 2; ++index) {
      EXPECT_EQ(pair_.browser(index).model_for(ids_[1 - index])->pc(), pcs_[index])
          << replay_hint(seed, pair_);
    }
  }

 private:
  Pair& pair_;
  int which_;
  std::string ids_[2];
  std::set<uint32_t> sent_[2];
  uint32_t pcs_[2]{};
};

// The pair renegotiates to stable on the same connection, and a mute afterwards needs no offer.
TEST(PairPeers, TracksAndAppChannelsAddedMidCallRenegotiate) {
  for (uint64_t seed : seeds(kSeeds)) {
    Pair pair(seed);
    ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, 2));
    const MidCallAdditions added(pair, pick(pair, 3));
    ASSERT_TRUE(
        pair.run_until([&] { return added.unfinished().empty(); }, pair.now() + kSettleWithin))
        << added.unfinished() << "\n"
        << replay_hint(seed, pair);
    added.expect_same_connections(seed);
    // A mute replaces the track by nothing on the same sender: no offer follows.
    const std::size_t muter = added.adds(0) ? 0 : 1;
    const std::string before =
        pair.browser(muter).model_for(added.id(1 - muter))->current_local()->text();
    pair.act(muter, [&](client::Client& client, Millis now) {
      EXPECT_TRUE(client.replace_track(*added.sent(muter).begin(), 0, now).ok());
    });
    pair.run_until(pair.now() + Millis(5000));
    EXPECT_EQ(pair.browser(muter).model_for(added.id(1 - muter))->current_local()->text(), before)
        << replay_hint(seed, pair);
    expect_clean(pair, seed);
  }
}

// A renegotiation meets a long signalling outage: while its offer, answer or candidates are on
// the way, one side's network or both go silent for 1 to 90 s (heartbeats notice after 45 s, so
// some outages end unnoticed, with the connections found dead only then). The sessions resume
// (same peer ids) and the negotiation completes on the same connections: every signal arrives
// once, none twice (a duplicate answer would fail in the JSEP model), and no peer error is raised.
TEST(PairPeers, ASignallingOutageMidNegotiationCompletesAfterTheResume) {
  for (uint64_t seed : seeds(kSeeds)) {
    Pair pair(seed);
    ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, 2));
    const MidCallAdditions added(pair, pick(pair, 3));
    pair.run_until(pair.now() + Millis(pick(pair, 60)));
    const int silent = pick(pair, 3);  // 0 or 1: that side's network; 2: both
    const Millis outage(1000 + pick(pair, 89000));
    for (std::size_t index = 0; index < 2; ++index) {
      if (silent == 2 || silent == static_cast<int>(index)) pair.blackhole(index, outage);
    }
    ASSERT_TRUE(pair.run_until([&] { return added.unfinished().empty(); },
                               pair.now() + outage + kSettleWithin))
        << added.unfinished() << "\n"
        << replay_hint(seed, pair);
    for (std::size_t index = 0; index < 2; ++index) {
      EXPECT_EQ(pair.client(index).peer_id(), added.id(index)) << "the session resumed";
    }
    added.expect_same_connections(seed);
    expect_clean(pair, seed);
  }
}

// The signalling server restarts under a settled mesh: every client gets a new session (new peer
// id), the app joins again, and the mesh forms anew; no browser keeps a connection to an old id.
TEST(PairPeers, AServerRestartRebuildsTheMeshUnderNewSessions) {
  for (uint64_t seed : seeds(kSeeds)) {
    Pair pair(seed);
    ASSERT_NO_FATAL_FAILURE(settled_mesh(pair, seed, 3));
    std::vector<std::string> old_ids;
    for (std::size_t index = 0; index < 3; ++index) old_ids.push_back(pair.client(index).peer_id());
    pair.restart_server();
    const auto all_new_sessions = [&] {
      for (std::size_t index = 0; index < 3; ++index) {
        const client::Client& client = pair.client(index);
        if (client.state() != client::ClientState::connected) return false;
        if (std::find(old_ids.begin(), old_ids.end(), client.peer_id()) != old_ids.end()) {
          return false;
        }
      }
      return true;
    };
    ASSERT_TRUE(pair.run_until(all_new_sessions, pair.now() + kSettleWithin))
        << replay_hint(seed, pair);
    for (std::size_t index = 0; index < 3; ++index) {
      EXPECT_TRUE(pair.client(index).peers().ids().empty()) << "peers of the old session";
      pair.act(index, [](client::Client& client, Millis now) {
        EXPECT_TRUE(client.join("room", now).ok());
      });
    }
    ASSERT_TRUE(settle(pair)) << all_unsettled(pair) << "\n" << replay_hint(seed, pair);
    for (std::size_t index = 0; index < 3; ++index) {
      for (const std::string& old : old_ids) {
        EXPECT_EQ(pair.browser(index).model_for(old), nullptr) << replay_hint(seed, pair);
      }
    }
    expect_clean(pair, seed);
  }
}

}  // namespace
}  // namespace rtcwire::testing
