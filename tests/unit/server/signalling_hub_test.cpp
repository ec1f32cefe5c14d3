#include "signalling_hub.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rtcwire::server {
namespace {

using envelope::ServerEnvelope;

// Predictable ids: peer1, peer2, ... and session1, session2, ...
class CountingIds final : public IdSource {
 public:
  std::string peer_id() override { return "peer" + std::to_string(++peers_); }
  std::string session_id() override { return "session" + std::to_string(++sessions_); }

 private:
  int peers_ = 0;
  int sessions_ = 0;
};

// Hands out a fixed list of peer ids, to force a collision.
class ScriptedIds final : public IdSource {
 public:
  explicit ScriptedIds(std::vector<std::string> peers) : peers_(std::move(peers)) {}
  std::string peer_id() override { return peers_.at(next_++); }
  std::string session_id() override { return "session"; }

 private:
  std::vector<std::string> peers_;
  std::size_t next_ = 0;
};

constexpr std::size_t kLimit = 256;

std::string text(const envelope::ClientEnvelope& message) { return envelope::encode(message); }

ServerEnvelope decoded(const Delivery& delivery) {
  auto result = envelope::decode_server(delivery.text);
  EXPECT_TRUE(result.ok()) << delivery.text;
  return result.ok() ? result.value() : ServerEnvelope{envelope::ErrorReply{}};
}

class HubTest : public ::testing::Test {
 protected:
  // Connects and says hello; returns the connection.
  ConnectionId welcomed() {
    const ConnectionId connection = hub.connect();
    const HubOutput out = hub.receive_text(connection, text(envelope::Hello{"test"}));
    EXPECT_EQ(out.deliveries.size(), 1u);
    return connection;
  }

  HubOutput send(ConnectionId from, const envelope::ClientEnvelope& message) {
    return hub.receive_text(from, text(message));
  }

  std::string peer(ConnectionId connection) { return std::string(hub.peer_id(connection)); }

  // The single delivery of `out`, which must go to `to`.
  ServerEnvelope only_delivery(const HubOutput& out, ConnectionId to) {
    EXPECT_EQ(out.deliveries.size(), 1u);
    if (out.deliveries.empty()) return envelope::ErrorReply{};
    EXPECT_EQ(out.deliveries[0].to, to);
    return decoded(out.deliveries[0]);
  }

  void expect_error(const HubOutput& out, ConnectionId to, ErrorCode code) {
    const ServerEnvelope reply = only_delivery(out, to);
    ASSERT_TRUE(std::holds_alternative<envelope::ErrorReply>(reply));
    EXPECT_EQ(std::get<envelope::ErrorReply>(reply).code, code);
    ASSERT_TRUE(out.rejection.has_value());
    EXPECT_EQ(out.rejection->code, code);
  }

  CountingIds ids;
  SignallingHub hub{ids, kLimit};
};

TEST_F(HubTest, HelloIsAnsweredWithWelcome) {
  const ConnectionId connection = hub.connect();
  const HubOutput out = send(connection, envelope::Hello{"rtcwire-js/0.1.0"});
  EXPECT_FALSE(out.rejection);
  EXPECT_EQ(only_delivery(out, connection),
            ServerEnvelope(envelope::Welcome{"peer1", "session1", kLimit}));
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
  expect_error(send(connection, envelope::Hello{"again"}), connection, ErrorCode::invalid_state);
  EXPECT_EQ(hub.peer_id(connection), "peer1");
}

TEST_F(HubTest, PeerIdsNeverCollide) {
  ScriptedIds scripted({"same", "same", "other"});
  SignallingHub scripted_hub{scripted, kLimit};
  const ConnectionId first = scripted_hub.connect();
  const ConnectionId second = scripted_hub.connect();
  (void)scripted_hub.receive_text(first, text(envelope::Hello{}));
  (void)scripted_hub.receive_text(second, text(envelope::Hello{}));
  EXPECT_EQ(scripted_hub.peer_id(first), "same");
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
  EXPECT_EQ(out.deliveries[0].to, alice);
  EXPECT_EQ(decoded(out.deliveries[0]), ServerEnvelope(envelope::PeerJoined{peer(carol)}));
  EXPECT_EQ(out.deliveries[1].to, bob);
  EXPECT_EQ(decoded(out.deliveries[1]), ServerEnvelope(envelope::PeerJoined{peer(carol)}));
  EXPECT_EQ(out.deliveries[2].to, carol);
  EXPECT_EQ(decoded(out.deliveries[2]),
            ServerEnvelope(envelope::Joined{"lobby", {peer(alice), peer(bob)}}));
  EXPECT_EQ(hub.room_of(carol), "lobby");
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
  EXPECT_EQ(decoded(out.deliveries[0]), ServerEnvelope(envelope::PeerLeft{peer(move)}));
  EXPECT_EQ(out.deliveries[1].to, there);
  EXPECT_EQ(decoded(out.deliveries[1]), ServerEnvelope(envelope::PeerJoined{peer(move)}));
  EXPECT_EQ(decoded(out.deliveries[2]), ServerEnvelope(envelope::Joined{"b", {peer(there)}}));
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
  EXPECT_EQ(decoded(out.deliveries[0]), ServerEnvelope(envelope::PeerLeft{peer(bob)}));
  EXPECT_EQ(out.deliveries[1].to, bob);
  EXPECT_EQ(decoded(out.deliveries[1]), ServerEnvelope(envelope::Left{"lobby"}));
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
    EXPECT_EQ(decoded(delivery), ServerEnvelope(envelope::Published{peer(alice), {{"n", 1}}}));
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

TEST_F(HubTest, DisconnectEmitsPeerLeftToTheRoom) {
  const ConnectionId alice = welcomed();
  const ConnectionId bob = welcomed();
  (void)send(alice, envelope::Join{"lobby"});
  (void)send(bob, envelope::Join{"lobby"});
  const std::string bob_id = peer(bob);

  EXPECT_EQ(only_delivery(hub.disconnect(bob), alice), ServerEnvelope(envelope::PeerLeft{bob_id}));
  EXPECT_EQ(hub.connection_count(), 1u);
  expect_error(send(alice, envelope::SignalTo{bob_id, 1}), alice, ErrorCode::peer_not_found);
  EXPECT_TRUE(hub.disconnect(bob).deliveries.empty());  // twice is harmless
}

TEST_F(HubTest, DisconnectOfTheLastMemberForgetsTheRoom) {
  const ConnectionId alice = welcomed();
  (void)send(alice, envelope::Join{"lobby"});
  (void)hub.disconnect(alice);
  const ConnectionId bob = welcomed();
  EXPECT_EQ(only_delivery(send(bob, envelope::Join{"lobby"}), bob),
            ServerEnvelope(envelope::Joined{"lobby", {}}));
}

TEST_F(HubTest, OversizeMessageIsMessageTooLarge) {
  const ConnectionId connection = welcomed();
  expect_error(hub.receive_text(connection, std::string(kLimit + 1, ' ')), connection,
               ErrorCode::message_too_large);
  // Exactly at the limit passes the size check (and is then judged as JSON).
  expect_error(hub.receive_text(connection, std::string(kLimit, ' ')), connection,
               ErrorCode::malformed_json);
}

TEST_F(HubTest, OversizeBeforeHelloIsStillMessageTooLarge) {
  const ConnectionId connection = hub.connect();
  expect_error(hub.receive_text(connection, std::string(kLimit + 1, '{')), connection,
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
  expect_error(hub.receive_text(connection, GetParam().text), connection, GetParam().code);
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
  EXPECT_TRUE(hub.receive_text(999, text(envelope::Hello{})).deliveries.empty());
  EXPECT_TRUE(hub.receive_binary(999).deliveries.empty());
  EXPECT_TRUE(hub.disconnect(999).deliveries.empty());
  EXPECT_EQ(hub.connection_count(), 0u);
}

}  // namespace
}  // namespace rtcwire::server
