#include "rtcwire/client/client.hpp"

#include <gtest/gtest.h>

#include "client/scripted_server.hpp"

namespace rtcwire::client {

using base::ErrorCode;

namespace {

using testing::decode_sent;
using testing::find_event;
using testing::ScriptedServer;
namespace ev = client_event;

TEST(ClientTest, HandshakeSendsHelloAndConnectsOnWelcome) {
  ScriptedServer server;
  server.start_connect();
  EXPECT_EQ(server.client.state(), ClientState::connecting);
  server.send_open_packet();
  auto frames = server.take_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(decode_sent(frames[0]), envelope::ClientEnvelope{envelope::Hello{"test-sdk"}});
  EXPECT_EQ(server.client.state(), ClientState::connecting);  // not before the welcome

  server.send_envelope(testing::new_session("peer1", "s", 1024));
  EXPECT_EQ(server.client.state(), ClientState::connected);
  EXPECT_EQ(server.client.peer_id(), "peer1");
  EXPECT_EQ(server.client.max_message_bytes(), 1024u);
  auto events = server.take_events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(std::get<ev::StateChanged>(events[0]).state, ClientState::connecting);
  EXPECT_EQ(std::get<ev::TransportChanged>(events[1]).kind, engineio::TransportKind::websocket);
  const auto& remember = std::get<ev::RememberTransport>(events[2]);
  EXPECT_EQ(remember.server, "http://127.0.0.1:9/engine.io/");
  EXPECT_EQ(remember.transport.kind, engineio::TransportKind::websocket);
  EXPECT_EQ(std::get<ev::StateChanged>(events[3]).state, ClientState::connected);
}

TEST(ClientTest, HandshakeTimesOutWithoutWelcome) {
  ScriptedServer server;
  server.start_connect();
  server.send_open_packet(100000, 100000);
  server.take_events();
  server.advance(base::Millis(4999));
  EXPECT_EQ(server.client.state(), ClientState::connecting);
  server.advance(base::Millis(1));
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
  auto events = server.take_events();
  const auto* change = find_event<ev::StateChanged>(events);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->error->code, ErrorCode::handshake_timeout);
  bool closed_transport = false;
  for (auto& action : server.take_actions()) {
    closed_transport |= std::holds_alternative<engineio::CloseTransport>(action);
  }
  EXPECT_TRUE(closed_transport);
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
}

TEST(ClientTest, HandshakeTimesOutWhenTheTransportNeverOpens) {
  ScriptedServer server;
  server.start_connect();
  server.advance(base::Millis(5000));
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
}

TEST(ClientTest, AnswersPingsAndNoticesASilentServer) {
  ScriptedServer server;
  server.connect_fully();
  for (int i = 0; i < 5; ++i) {
    server.advance(base::Millis(300));
    server.client.handle_transport_text(server.generation, "2", server.now);
    EXPECT_EQ(server.take_frames(), std::vector<std::string>{"3"});
  }
  server.advance(base::Millis(499));
  EXPECT_EQ(server.client.state(), ClientState::connected);
  server.advance(base::Millis(1));
  EXPECT_EQ(server.client.state(), ClientState::reconnecting);
  const auto events = server.take_events();
  EXPECT_EQ(find_event<ev::StateChanged>(events)->error->code, ErrorCode::ping_timeout);
}

TEST(ClientTest, JoinPresenceAndLeave) {
  ScriptedServer server;
  server.connect_fully();
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());
  auto frames = server.take_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(decode_sent(frames[0]), envelope::ClientEnvelope(envelope::Join{"lobby", 1}));

  server.send_envelope(envelope::Joined{"lobby", {"p2"}});
  auto events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ev::RoomJoined>(events[0]).peers, std::vector<std::string>{"p2"});

  server.send_envelope(envelope::PeerJoined{"p3"});
  server.send_envelope(envelope::PeerJoined{"p3"});  // a repeat is not news
  server.send_envelope(envelope::PeerLeft{"p2"});
  events = server.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<ev::PeerJoined>(events[0]).peer, "p3");
  EXPECT_EQ(std::get<ev::PeerLeft>(events[1]).peer, "p2");
  EXPECT_EQ(server.client.membership().peers(), std::vector<std::string>{"p3"});

  ASSERT_TRUE(server.client.leave(server.now).ok());
  EXPECT_EQ(decode_sent(server.take_frames().at(0)), envelope::ClientEnvelope{envelope::Leave{}});
  server.send_envelope(envelope::Left{"lobby"});
  events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ev::RoomLeft>(events[0]).room, "lobby");
  EXPECT_FALSE(server.client.membership().in_room());
}

TEST(ClientTest, MessagesInBothDirections) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  const envelope::Json data = {{"text", "hi"}};
  ASSERT_TRUE(server.client.publish(data, server.now).ok());
  ASSERT_TRUE(server.client.send("p2", 5, server.now).ok());
  ASSERT_TRUE(server.client.signal("p2", {{"sdp", "x"}}, server.now).ok());
  auto frames = server.take_frames();
  ASSERT_EQ(frames.size(), 3u);
  const envelope::ClientEnvelope expected_publish = envelope::Publish{data};
  const envelope::ClientEnvelope expected_direct = envelope::DirectTo{"p2", 5};
  const envelope::ClientEnvelope expected_signal =
      envelope::SignalTo{"p2", envelope::Json{{"sdp", "x"}}};
  EXPECT_EQ(decode_sent(frames[0]), expected_publish);
  EXPECT_EQ(decode_sent(frames[1]), expected_direct);
  EXPECT_EQ(decode_sent(frames[2]), expected_signal);

  server.send_envelope(envelope::Published{"p2", "room text"});
  server.send_envelope(envelope::DirectFrom{"p2", "direct text"});
  server.send_envelope(envelope::SignalFrom{"p2", {{"candidate", "c"}}});
  auto events = server.take_events();
  ASSERT_EQ(events.size(), 3u);
  const auto& room_message = std::get<ev::MessageReceived>(events[0]);
  EXPECT_EQ(room_message.kind, ev::MessageKind::room);
  EXPECT_EQ(room_message.data, "room text");
  EXPECT_EQ(std::get<ev::MessageReceived>(events[1]).kind, ev::MessageKind::direct);
  EXPECT_EQ(std::get<ev::SignalReceived>(events[2]).from, "p2");
}

TEST(ClientTest, LocalMisuseIsAnErrorAndSendsNothing) {
  ScriptedServer server;
  auto early = server.client.join("lobby", server.now);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::not_connected);
  EXPECT_EQ(early.error().origin, base::ErrorOrigin::local);

  server.connect_fully(200);
  const auto error_of = [](const auto& result) {
    return result.ok() ? std::optional<base::Error>() : std::optional<base::Error>(result.error());
  };
  const std::vector<std::pair<std::optional<base::Error>, ErrorCode>> cases{
      {error_of(server.client.join("", server.now)), ErrorCode::invalid_room},
      {error_of(server.client.join(std::string(200, 'r'), server.now)), ErrorCode::invalid_room},
      {error_of(server.client.publish(1, server.now)), ErrorCode::not_in_room},
      {error_of(server.client.leave(server.now)), ErrorCode::not_in_room},
      {error_of(server.client.send("p2", 1, server.now)), ErrorCode::not_in_room},
  };
  for (const auto& [error, code] : cases) {
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, code) << error->message;
  }
  server.join_room("lobby", {"p2"});
  auto unknown_peer = server.client.send("nobody", 1, server.now);
  EXPECT_EQ(unknown_peer.error().code, ErrorCode::peer_not_found);
  auto too_big = server.client.publish(std::string(300, 'x'), server.now);
  EXPECT_EQ(too_big.error().code, ErrorCode::message_too_large);
  envelope::Json deep = 1;
  for (int i = 0; i < 40; ++i) deep = envelope::Json::array({deep});
  auto too_deep = server.client.publish(deep, server.now);
  EXPECT_EQ(too_deep.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(server.take_frames().empty());
  EXPECT_EQ(server.client.state(), ClientState::connected);
}

TEST(ClientTest, BadServerInputIsReportedWithoutDisconnecting) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {});
  for (const char* frame : {"4not json", "4{\"v\":1,\"t\":\"mystery\"}", "4{\"v\":9,\"t\":\"x\"}",
                            "4{\"v\":1,\"t\":\"welcome\",\"peer\":\"a\",\"session\":\"s\","
                            "\"maxMessageBytes\":5}"}) {
    server.client.handle_transport_text(server.generation, frame, server.now);
    auto events = server.take_events();
    ASSERT_EQ(events.size(), 1u) << frame;
    const auto& raised = std::get<ev::ErrorRaised>(events[0]);
    EXPECT_EQ(raised.error.origin, base::ErrorOrigin::remote) << frame;
  }
  server.client.handle_transport_binary(server.generation, "\x01\x02", server.now);
  EXPECT_EQ(std::get<ev::ErrorRaised>(server.take_events().at(0)).error.code,
            ErrorCode::invalid_envelope);
  EXPECT_EQ(server.client.state(), ClientState::connected);
}

TEST(ClientTest, ServerErrorEnvelopeReachesTheApp) {
  ScriptedServer server;
  server.connect_fully();
  server.send_envelope(envelope::ErrorReply{ErrorCode::peer_not_found, "gone"});
  auto events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  const auto& error = std::get<ev::ErrorRaised>(events[0]).error;
  EXPECT_EQ(error.code, ErrorCode::peer_not_found);
  EXPECT_EQ(error.message, "gone");
}

TEST(ClientTest, EventsFromAReplacedTransportAreDropped) {
  ScriptedServer server;
  const uint32_t first = server.start_connect();
  server.client.handle_transport_closed(first, server.now);
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
  server.take_events();
  server.take_actions();

  const uint32_t second = server.start_connect();
  EXPECT_NE(first, second);
  server.client.handle_transport_closed(first, server.now);  // late news from the old transport
  server.client.handle_transport_text(first, "1", server.now);
  EXPECT_EQ(server.client.state(), ClientState::connecting);
  server.send_open_packet();
  server.take_frames();
  server.send_envelope(testing::new_session("again", "s2", 100));
  EXPECT_EQ(server.client.state(), ClientState::connected);
}

TEST(ClientTest, LosingTheTransportKeepsTheSessionAndSchedulesAReconnect) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  server.client.handle_transport_closed(server.generation, server.now);
  EXPECT_EQ(server.client.state(), ClientState::reconnecting);
  EXPECT_EQ(server.client.membership().room(), "lobby");
  EXPECT_EQ(server.client.peer_id(), "me");
  const auto events = server.take_events();
  const auto* change = find_event<ev::StateChanged>(events);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->error->code, ErrorCode::transport_closed);
  EXPECT_EQ(change->error->origin, base::ErrorOrigin::transport);
  EXPECT_EQ(change->attempt, 1u);
  ASSERT_TRUE(change->retry_in.has_value());
  EXPECT_LE(change->retry_in->count(), 500);
  EXPECT_EQ(server.client.poll_timeout(), server.now + *change->retry_in);
}

TEST(ClientTest, ServerClosePacketEndsTheConnectionWithServerClosed) {
  ScriptedServer server;
  server.connect_fully();
  server.client.handle_transport_text(server.generation, "1", server.now);
  EXPECT_EQ(server.client.state(), ClientState::reconnecting);
  EXPECT_EQ(find_event<ev::StateChanged>(server.take_events())->error->code,
            ErrorCode::server_closed);
}

TEST(ClientTest, CloseIsFinal) {
  ScriptedServer server;
  server.connect_fully();
  server.client.close(server.now);
  EXPECT_EQ(server.client.state(), ClientState::closed);
  auto actions = server.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<engineio::SendFrame>(actions[0]).text, "1");
  EXPECT_TRUE(std::holds_alternative<engineio::CloseTransport>(actions[1]));
  auto events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ev::StateChanged>(events[0]).state, ClientState::closed);
  EXPECT_EQ(server.client.connect(server.now).error().code, ErrorCode::invalid_state);
  server.client.handle_transport_closed(server.generation, server.now);
  EXPECT_TRUE(server.take_events().empty());
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
}

TEST(ClientTest, ConnectTwiceIsRefused) {
  ScriptedServer server;
  server.start_connect();
  EXPECT_EQ(server.client.connect(server.now).error().code, ErrorCode::invalid_state);
}

TEST(ClientTest, InvalidUrlIsReportedOnConnect) {
  ClientConfig config = testing::default_client_config();
  config.url = "not a url";
  Client client(config);
  auto status = client.connect(base::Millis(0));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(client.state(), ClientState::idle);
  EXPECT_EQ(client.poll_action(), std::nullopt);
}

}  // namespace
}  // namespace rtcwire::client
