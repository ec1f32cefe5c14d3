#include "signalling_hub.hpp"

#include <gtest/gtest.h>

#include "hub_harness.hpp"

#include <string>
#include <vector>

namespace rtcwire::server {
namespace {

using namespace testing;

// Hands out a fixed list of peer ids, to force a collision.
class ScriptedIds final : public IdSource {
 public:
  explicit ScriptedIds(std::vector<std::string> peers) : peers_(std::move(peers)) {}
  std::string peer_id() override { return peers_.at(next_++); }
  std::string session_id() override { return "session" + std::to_string(next_); }
  std::string token() override { return "token"; }

 private:
  std::vector<std::string> peers_;
  std::size_t next_ = 0;
};

TEST_F(HubTest, HelloIsAnsweredWithWelcome) {
  const ConnectionId connection = hub.connect();
  const HubOutput out = send(connection, envelope::Hello{"rtcwire-js/0.1.0", std::nullopt});
  EXPECT_FALSE(out.rejection);
  // Unsequenced, like every welcome.
  EXPECT_EQ(
      only_sequenced(out, connection),
      (envelope::Sequenced<ServerEnvelope>{
          envelope::Welcome{"peer1", "session1", "token1", kLimit, false, 0, std::nullopt}, 0}));
  EXPECT_EQ(out.greeting, (Greeting{false, std::nullopt}));
  EXPECT_EQ(hub.peer_id(connection), "peer1");
}

TEST_F(HubTest, EveryEnvelopeBeforeHelloIsInvalidState) {
  const ConnectionId connection = hub.connect();
  const std::vector<envelope::ClientEnvelope> early{
      envelope::Join{"room"},         envelope::Leave{},
      envelope::Publish{1},           envelope::SignalTo{"peer9", 1},
      envelope::DirectTo{"peer9", 1},
  };
  for (const auto& message : early) {
    expect_error(send(connection, message), connection, ErrorCode::invalid_state);
  }
  EXPECT_TRUE(hub.peer_id(connection).empty());
}

TEST_F(HubTest, SecondHelloIsInvalidStateAndKeepsThePeerId) {
  const ConnectionId connection = welcomed();
  expect_error(send(connection, envelope::Hello{"again", std::nullopt}), connection,
               ErrorCode::invalid_state);
  EXPECT_EQ(hub.peer_id(connection), "peer1");
}

TEST_F(HubTest, PeerIdsNeverCollide) {
  ScriptedIds scripted({"same", "same", "other"});
  SignallingHub scripted_hub{scripted, HubSettings{kLimit, kWindow, kBuffer}};
  const ConnectionId first = scripted_hub.connect();
  const ConnectionId second = scripted_hub.connect();
  (void)scripted_hub.receive_text(first, envelope::encode(envelope::Hello{}), now);
  // A detached session still owns its peer id: it may come back.
  scripted_hub.disconnect(first, now);
  (void)scripted_hub.receive_text(second, envelope::encode(envelope::Hello{}), now);
  EXPECT_EQ(scripted_hub.session_count(), 2u);
  EXPECT_EQ(scripted_hub.peer_id(second), "other");
}

TEST_F(HubTest, JoinListsThePeersAlreadyThereAndTellsThem) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  const ConnectionId carol = welcomed();
  EXPECT_EQ(only_delivery(send(alice, envelope::Join{"lobby"}), alice),
            ServerEnvelope(envelope::Joined{"lobby", {}}));
  (void)send(bob, envelope::Join{"lobby"});

  const HubOutput out = send(carol, envelope::Join{"lobby"});
  ASSERT_EQ(out.deliveries.size(), 3u);
  // Each session numbers its own stream: alice had joined and peer-joined, bob only joined.
  using Received = envelope::Sequenced<ServerEnvelope>;
  EXPECT_EQ(out.deliveries[0].to, alice);
  EXPECT_EQ(decoded(out.deliveries[0]), (Received{envelope::PeerJoined{peer(carol)}, 3}));
  EXPECT_EQ(out.deliveries[1].to, bob);
  EXPECT_EQ(decoded(out.deliveries[1]), (Received{envelope::PeerJoined{peer(carol)}, 2}));
  EXPECT_EQ(out.deliveries[2].to, carol);
  EXPECT_EQ(decoded(out.deliveries[2]),
            (Received{envelope::Joined{"lobby", {peer(alice), peer(bob)}}, 1}));
  EXPECT_EQ(hub.room_of(carol), "lobby");
}

TEST_F(HubTest, JoinedEchoesTheJoinsRequestIdAndOnlyWhenItHadOne) {
  const ConnectionId alice = welcomed();
  EXPECT_EQ(only_delivery(send(alice, envelope::Join{"lobby", 41}), alice),
            ServerEnvelope(envelope::Joined{"lobby", {}, {}, 41}));
  // A client that sends no ids (an older one) gets answers without them.
  const std::string old_client_join = R"({"v":1,"t":"join","room":"lobby"})";
  const HubOutput out = hub.receive_text(welcomed(), old_client_join, now);
  ASSERT_EQ(out.deliveries.size(), 2u);
  EXPECT_EQ(out.deliveries[1].text.find("\"id\""), std::string::npos) << out.deliveries[1].text;
  EXPECT_EQ(decoded(out.deliveries[1]).envelope,
            ServerEnvelope(envelope::Joined{"lobby", {peer(alice)}}));
}

TEST_F(HubTest, ARefusedJoinEchoesItsIdEvenWhenItCannotBeDecoded) {
  const ConnectionId alice = welcomed();
  const HubOutput bad_room =
      hub.receive_text(alice, R"({"v":1,"t":"join","room":"","id":12,"seq":1})", now);
  expect_error(bad_room, alice, ErrorCode::invalid_room);
  EXPECT_EQ(std::get<envelope::ErrorReply>(only_delivery(bad_room, alice)).id, 12u);
  // An id that is no valid id is itself the error, and names nothing.
  const HubOutput bad_id =
      hub.receive_text(alice, R"({"v":1,"t":"join","room":"a","id":-1,"seq":2})", now);
  expect_error(bad_id, alice, ErrorCode::invalid_envelope);
  EXPECT_EQ(std::get<envelope::ErrorReply>(only_delivery(bad_id, alice)).id, 0u);
}

TEST_F(HubTest, JoiningAnotherRoomLeavesTheCurrentOneFirst) {
  const ConnectionId stay = welcomed();
  const ConnectionId move = welcomed();
  const ConnectionId there = welcomed();
  (void)send(stay, envelope::Join{"a"});
  (void)send(move, envelope::Join{"a"});
  (void)send(there, envelope::Join{"b"});

  const HubOutput out = send(move, envelope::Join{"b"});
  ASSERT_EQ(out.deliveries.size(), 3u);
  EXPECT_EQ(out.deliveries[0].to, stay);
  EXPECT_EQ(decoded(out.deliveries[0]).envelope, ServerEnvelope(envelope::PeerLeft{peer(move)}));
  EXPECT_EQ(out.deliveries[1].to, there);
  EXPECT_EQ(decoded(out.deliveries[1]).envelope, ServerEnvelope(envelope::PeerJoined{peer(move)}));
  EXPECT_EQ(decoded(out.deliveries[2]).envelope,
            ServerEnvelope(envelope::Joined{"b", {peer(there)}}));
}

TEST_F(HubTest, RejoiningTheSameRoomCausesNoPresenceChurn) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  (void)send(alice, envelope::Join{"lobby"});
  (void)send(bob, envelope::Join{"lobby"});
  EXPECT_EQ(only_delivery(send(bob, envelope::Join{"lobby"}), bob),
            ServerEnvelope(envelope::Joined{"lobby", {peer(alice)}}));
}

TEST_F(HubTest, LeaveAnswersLeftAndTellsTheOthers) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  (void)send(alice, envelope::Join{"lobby"});
  (void)send(bob, envelope::Join{"lobby"});

  const HubOutput out = send(bob, envelope::Leave{});
  ASSERT_EQ(out.deliveries.size(), 2u);
  EXPECT_EQ(out.deliveries[0].to, alice);
  EXPECT_EQ(decoded(out.deliveries[0]).envelope, ServerEnvelope(envelope::PeerLeft{peer(bob)}));
  EXPECT_EQ(out.deliveries[1].to, bob);
  EXPECT_EQ(decoded(out.deliveries[1]).envelope, ServerEnvelope(envelope::Left{"lobby"}));
  EXPECT_TRUE(hub.room_of(bob).empty());
}

TEST_F(HubTest, LeaveWhenInNoRoomIsNotInRoom) {
  const ConnectionId connection = welcomed();
  expect_error(send(connection, envelope::Leave{}), connection, ErrorCode::not_in_room);
}

TEST_F(HubTest, PublishGoesToEveryOtherPeerOfTheRoomOnly) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  const ConnectionId carol = welcomed();
  const ConnectionId elsewhere = welcomed();
  for (ConnectionId c : {alice, bob, carol}) (void)send(c, envelope::Join{"lobby"});
  (void)send(elsewhere, envelope::Join{"other"});

  const HubOutput out = send(alice, envelope::Publish{{{"n", 1}}});
  EXPECT_FALSE(out.rejection);
  ASSERT_EQ(out.deliveries.size(), 2u);
  EXPECT_EQ(out.deliveries[0].to, bob);
  EXPECT_EQ(out.deliveries[1].to, carol);
  for (const Delivery& delivery : out.deliveries) {
    EXPECT_EQ(decoded(delivery).envelope,
              ServerEnvelope(envelope::Published{peer(alice), {{"n", 1}}}));
  }
}

TEST_F(HubTest, PublishAloneInARoomDeliversNothing) {
  const ConnectionId alone = welcomed();
  (void)send(alone, envelope::Join{"solo"});
  const HubOutput out = send(alone, envelope::Publish{"echo?"});
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_FALSE(out.rejection);
}

TEST_F(HubTest, PublishWhenInNoRoomIsNotInRoom) {
  const ConnectionId connection = welcomed();
  expect_error(send(connection, envelope::Publish{1}), connection, ErrorCode::not_in_room);
}

TEST_F(HubTest, SignalAndDirectReachOnlyTheTargetInTheSameRoom) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  const ConnectionId carol = welcomed();
  for (ConnectionId c : {alice, bob, carol}) (void)send(c, envelope::Join{"lobby"});

  EXPECT_EQ(only_delivery(send(alice, envelope::SignalTo{peer(bob), {{"sdp", "x"}}}), bob),
            ServerEnvelope(envelope::SignalFrom{peer(alice), {{"sdp", "x"}}}));
  EXPECT_EQ(only_delivery(send(bob, envelope::DirectTo{peer(carol), "hi"}), carol),
            ServerEnvelope(envelope::DirectFrom{peer(bob), "hi"}));
}

TEST_F(HubTest, SignalToAPeerInAnotherRoomIsPeerNotFound) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  (void)send(alice, envelope::Join{"a"});
  (void)send(bob, envelope::Join{"b"});
  expect_error(send(alice, envelope::SignalTo{peer(bob), 1}), alice, ErrorCode::peer_not_found);
  expect_error(send(alice, envelope::DirectTo{peer(bob), 1}), alice, ErrorCode::peer_not_found);
}

TEST_F(HubTest, SignalToUnknownToRoomlessOrToSelfIsPeerNotFound) {
  const ConnectionId alice = welcomed();
  const ConnectionId roomless = welcomed();
  (void)send(alice, envelope::Join{"a"});
  expect_error(send(alice, envelope::SignalTo{"ghost", 1}), alice, ErrorCode::peer_not_found);
  expect_error(send(alice, envelope::SignalTo{peer(roomless), 1}), alice,
               ErrorCode::peer_not_found);
  expect_error(send(alice, envelope::SignalTo{peer(alice), 1}), alice, ErrorCode::peer_not_found);
  expect_error(send(roomless, envelope::DirectTo{peer(alice), 1}), roomless,
               ErrorCode::peer_not_found);
}

TEST_F(HubTest, DisconnectKeepsTheSessionInItsRoomUntilTheWindowPasses) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  (void)send(alice, envelope::Join{"lobby"});
  (void)send(bob, envelope::Join{"lobby"});
  const std::string bob_id = peer(bob);

  hub.disconnect(bob, now);
  EXPECT_EQ(hub.connection_count(), 1u);
  EXPECT_EQ(hub.session_count(), 2u);
  // Still addressable: what is sent to bob waits for his resume.
  EXPECT_FALSE(send(alice, envelope::SignalTo{bob_id, 1}).rejection);
  hub.disconnect(bob, now);  // twice is harmless

  EXPECT_EQ(hub.poll_timeout(), now + kWindow);
  const HubOutput expired = hub.handle_timeout(now + kWindow);
  EXPECT_EQ(only_delivery(expired, alice), ServerEnvelope(envelope::PeerLeft{bob_id}));
  EXPECT_EQ(expired.ended, (std::vector<SessionEnd>{{bob_id, ErrorCode::session_expired}}));
  EXPECT_EQ(hub.session_count(), 1u);
  expect_error(send(alice, envelope::SignalTo{bob_id, 1}), alice, ErrorCode::peer_not_found);
}

TEST_F(HubTest, ExpiryOfTheLastMemberForgetsTheRoom) {
  const ConnectionId alice = welcomed();
  (void)send(alice, envelope::Join{"lobby"});
  hub.disconnect(alice, now);
  EXPECT_TRUE(hub.handle_timeout(now + kWindow).deliveries.empty());
  const ConnectionId bob = welcomed();
  EXPECT_EQ(only_delivery(send(bob, envelope::Join{"lobby"}), bob),
            ServerEnvelope(envelope::Joined{"lobby", {}}));
}

TEST_F(HubTest, OversizeMessageIsMessageTooLarge) {
  const ConnectionId connection = welcomed();
  expect_error(hub.receive_text(connection, std::string(kLimit + 1, ' '), now), connection,
               ErrorCode::message_too_large);
  // Exactly at the limit passes the size check (and is then judged as JSON).
  expect_error(hub.receive_text(connection, std::string(kLimit, ' '), now), connection,
               ErrorCode::malformed_json);
}

TEST_F(HubTest, OversizeBeforeHelloIsStillMessageTooLarge) {
  const ConnectionId connection = hub.connect();
  expect_error(hub.receive_text(connection, std::string(kLimit + 1, '{'), now), connection,
               ErrorCode::message_too_large);
}

struct BadInput {
  const char* text;
  ErrorCode code;
};

class HubBadInputTest : public HubTest, public ::testing::WithParamInterface<BadInput> {};

TEST_P(HubBadInputTest, IsAnsweredWithTheDecoderCodeAndChangesNothing) {
  const ConnectionId connection = welcomed();
  (void)send(connection, envelope::Join{"lobby"});
  expect_error(hub.receive_text(connection, GetParam().text, now), connection, GetParam().code);
  EXPECT_EQ(hub.room_of(connection), "lobby");
  EXPECT_EQ(hub.peer_id(connection), "peer1");
}

INSTANTIATE_TEST_SUITE_P(
    DecoderErrors, HubBadInputTest,
    ::testing::Values(
        BadInput{"", ErrorCode::malformed_json}, BadInput{"{\"v\":1,", ErrorCode::malformed_json},
        BadInput{"\xff\xfe", ErrorCode::malformed_json},
        BadInput{"42", ErrorCode::invalid_envelope},
        BadInput{"{\"t\":\"leave\"}", ErrorCode::invalid_envelope},
        BadInput{"{\"v\":2,\"t\":\"leave\"}", ErrorCode::unsupported_version},
        BadInput{"{\"v\":1,\"t\":\"teleport\"}", ErrorCode::unknown_type},
        BadInput{"{\"v\":1,\"t\":\"welcome\"}", ErrorCode::unknown_type},
        BadInput{"{\"v\":1,\"t\":\"join\",\"room\":\"\"}", ErrorCode::invalid_room},
        BadInput{"{\"v\":1,\"t\":\"join\",\"room\":7}", ErrorCode::invalid_envelope},
        BadInput{"{\"v\":1,\"t\":\"signal\",\"to\":\"a b\",\"data\":1}", ErrorCode::invalid_peer},
        BadInput{"{\"v\":1,\"t\":\"direct\",\"to\":\"abc\"}", ErrorCode::invalid_envelope},
        BadInput{"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]"
                 "]]]]]]]]]]]]]",
                 ErrorCode::invalid_envelope}));

TEST_F(HubTest, BinaryMessagesAreInvalidEnvelopes) {
  const ConnectionId connection = welcomed();
  expect_error(hub.receive_binary(connection), connection, ErrorCode::invalid_envelope);
  const ConnectionId fresh = hub.connect();
  expect_error(hub.receive_binary(fresh), fresh, ErrorCode::invalid_envelope);
}

TEST_F(HubTest, UnknownConnectionsAreIgnored) {
  EXPECT_TRUE(send(999, envelope::Hello{}).deliveries.empty());
  EXPECT_TRUE(hub.receive_binary(999).deliveries.empty());
  hub.disconnect(999, now);
  EXPECT_EQ(hub.connection_count(), 0u);
  EXPECT_EQ(hub.session_count(), 0u);
}

}  // namespace
}  // namespace rtcwire::server
