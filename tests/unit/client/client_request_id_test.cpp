// Join requests carry ids; the server's answers (joined or error) echo them and the client names
// the request each answer settles.
#include <gtest/gtest.h>

#include "client/scripted_server.hpp"
#include "rtcwire/client/client.hpp"

namespace rtcwire::client {
namespace {

using testing::decode_sent;
using testing::find_event;
using testing::ScriptedServer;
namespace ev = client_event;

TEST(ClientRequestIdTest, EachJoinGetsTheNextIdOnTheWire) {
  ScriptedServer server;
  server.connect_fully();
  const auto first = server.client.join("a", server.now);
  const auto second = server.client.join("b", server.now);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first.value(), second.value());
  const auto frames = server.take_frames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(decode_sent(frames[0]), envelope::ClientEnvelope(envelope::Join{"a", first.value()}));
  EXPECT_EQ(decode_sent(frames[1]), envelope::ClientEnvelope(envelope::Join{"b", second.value()}));
}

TEST(ClientRequestIdTest, AnswersNameTheJoinTheyEcho) {
  ScriptedServer server;
  server.connect_fully();
  const auto lobby = server.client.join("lobby", server.now).value();
  const auto secret = server.client.join("secret", server.now).value();
  server.take_frames();

  server.send_envelope(envelope::ErrorReply{base::ErrorCode::forbidden_room, "no", secret});
  auto events = server.take_events();
  const auto* refused = find_event<ev::ErrorRaised>(events);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->request, secret);
  EXPECT_EQ(refused->error.code, base::ErrorCode::forbidden_room);

  server.send_envelope(envelope::Joined{"lobby", {}, {}, lobby});
  events = server.take_events();
  ASSERT_NE(find_event<ev::RoomJoined>(events), nullptr);
  EXPECT_EQ(find_event<ev::RoomJoined>(events)->request, lobby);
}

TEST(ClientRequestIdTest, AnErrorWithoutIdSettlesNoJoin) {
  ScriptedServer server;
  server.connect_fully();
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());
  server.send_envelope(envelope::ErrorReply{base::ErrorCode::rate_limited, "slow down"});
  const auto events = server.take_events();
  ASSERT_NE(find_event<ev::ErrorRaised>(events), nullptr);
  EXPECT_EQ(find_event<ev::ErrorRaised>(events)->request, 0u);
}

TEST(ClientRequestIdTest, AServerThatEchoesNoIdsAnswersJoinsInOrder) {
  ScriptedServer server;
  server.connect_fully();
  const auto first = server.client.join("a", server.now).value();
  const auto second = server.client.join("b", server.now).value();
  server.send_envelope(envelope::Joined{"a", {}});
  server.send_envelope(envelope::Joined{"b", {}});
  std::vector<envelope::RequestId> answered;
  for (const auto& event : server.take_events()) {
    if (const auto* joined = std::get_if<ev::RoomJoined>(&event))
      answered.push_back(joined->request);
  }
  EXPECT_EQ(answered, (std::vector{first, second}));
}

TEST(ClientRequestIdTest, AnAnswerToNoPendingJoinNamesNone) {
  ScriptedServer server;
  server.connect_fully();
  server.send_envelope(envelope::Joined{"a", {}, {}, 99});
  const auto events = server.take_events();
  ASSERT_NE(find_event<ev::RoomJoined>(events), nullptr);
  EXPECT_EQ(find_event<ev::RoomJoined>(events)->request, 0u);
}

}  // namespace
}  // namespace rtcwire::client
