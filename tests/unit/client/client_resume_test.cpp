// Reliable delivery and session resume (docs/protocol.md §2.1, §2.2), driven through the client
// core against a scripted server with simulated time.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "client/scripted_server.hpp"
#include "rtcwire/client/client.hpp"

namespace rtcwire::client {

using base::ErrorCode;
using base::Millis;
using envelope::Published;

namespace {

using envelope::ClientEnvelope;
using envelope::Seq;
using testing::find_event;
using testing::ScriptedServer;
namespace ev = client_event;

using SentEnvelope = envelope::Sequenced<envelope::ClientEnvelope>;

// The rtcwire envelopes the client sent (Engine.IO control frames such as pongs left out).
std::vector<SentEnvelope> take_sent(ScriptedServer& server) {
  std::vector<SentEnvelope> sent;
  for (const auto& frame : server.take_frames()) {
    if (!frame.empty() && frame.front() == '4')
      sent.push_back(testing::decode_sent_with_seq(frame));
  }
  return sent;
}

SentEnvelope sequenced(ClientEnvelope envelope, Seq seq) { return {std::move(envelope), seq}; }
SentEnvelope unsequenced(ClientEnvelope envelope) { return {std::move(envelope), 0}; }
SentEnvelope ack(Seq seq) { return unsequenced(envelope::Ack{seq}); }

envelope::Welcome resumed_welcome(Seq ack) {
  auto welcome = testing::new_session("me", "session-1");
  welcome.resumed = true;
  welcome.ack = ack;
  return welcome;
}

// Drops the connection and reconnects up to the hello; returns the hello. Discards the events.
ClientEnvelope lose_and_reconnect(ScriptedServer& server) {
  server.client.handle_transport_closed(server.generation, server.now);
  server.wait_for_reconnect();
  server.send_open_packet();
  server.take_events();
  const auto sent = take_sent(server);
  EXPECT_EQ(sent.size(), 1u);
  return sent.empty() ? ClientEnvelope{envelope::Leave{}} : sent[0].envelope;
}

ClientEnvelope resume_hello(Seq ack) {
  return envelope::Hello{"test-sdk", envelope::ResumeRequest{"session-1", "token-session-1", ack}};
}

std::vector<ev::StateChanged> state_changes(const std::vector<ClientEvent>& events) {
  std::vector<ev::StateChanged> changes;
  for (const auto& event : events) {
    if (const auto* change = std::get_if<ev::StateChanged>(&event)) changes.push_back(*change);
  }
  return changes;
}

TEST(ClientResumeTest, AWelcomeThatComesTooLateDoesNotEndTheSessionOnTheServer) {
  ScriptedServer server;
  server.connect_fully();
  EXPECT_EQ(lose_and_reconnect(server), resume_hello(0));
  server.advance(Millis(5000));  // the handshake timeout: no welcome
  // Abandoned without a close packet, which would make the server end the session.
  const auto frames = server.take_frames();
  EXPECT_EQ(std::count(frames.begin(), frames.end(), "1"), 0);
  const auto changes = state_changes(server.take_events());
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().state, ClientState::reconnecting);
  ASSERT_TRUE(changes.back().error.has_value());
  EXPECT_EQ(changes.back().error->code, ErrorCode::handshake_timeout);
}

TEST(ClientResumeTest, RequestsAreNumberedFromOneAndAcksAreNot) {
  ScriptedServer server;
  server.connect_fully();
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());
  server.send_envelope(envelope::Joined{"lobby", {"p2"}});
  ASSERT_TRUE(server.client.publish(1, server.now).ok());
  ASSERT_TRUE(server.client.send("p2", 2, server.now).ok());
  ASSERT_TRUE(server.client.signal("p2", 3, server.now).ok());
  ASSERT_TRUE(server.client.leave(server.now).ok());
  server.advance(Millis(100));  // the ack for `joined`
  const std::vector<SentEnvelope> expected{
      sequenced(envelope::Join{"lobby", 1}, 1),  sequenced(envelope::Publish{1}, 2),
      sequenced(envelope::DirectTo{"p2", 2}, 3), sequenced(envelope::SignalTo{"p2", 3}, 4),
      sequenced(envelope::Leave{}, 5),           ack(1),
  };
  EXPECT_EQ(take_sent(server), expected);
}

TEST(ClientResumeTest, AcksOneHundredMillisecondsAfterTheFirstUnackedEnvelope) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});  // seq 1 at t0
  server.advance(Millis(60));
  server.send_envelope(Published{"p2", "x"});  // seq 2: the deadline stays t0 + 100
  server.advance(Millis(39));
  EXPECT_TRUE(take_sent(server).empty());
  server.advance(Millis(1));
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{ack(2)});
  server.advance(Millis(1000));  // nothing more to acknowledge
  EXPECT_TRUE(take_sent(server).empty());
}

TEST(ClientResumeTest, AcksAtOnceAfterThirtyTwoEnvelopes) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  for (int i = 2; i <= 31; ++i) server.send_envelope(Published{"p2", i});
  EXPECT_TRUE(take_sent(server).empty());
  server.send_envelope(Published{"p2", 32});
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{ack(32)});
  EXPECT_EQ(server.client.poll_timeout(), server.now + Millis(300 + 200));  // only the ping timer
}

TEST(ClientResumeTest, AcksAtOnceAfterSixtyFourKibibytes) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  const std::string big(40 * 1024, 'x');
  server.send_envelope(Published{"p2", big});  // seq 2: under 64 KiB so far
  EXPECT_TRUE(take_sent(server).empty());
  server.send_envelope(Published{"p2", big});  // seq 3: over it, long before 32
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{ack(3)});
}

TEST(ClientResumeTest, DuplicatesAreDroppedAndAcknowledged) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  server.send_envelope_with_seq(Published{"p2", "again"}, 1);
  EXPECT_TRUE(server.take_events().empty());
  // Not one ack per duplicate (a replay brings many): the usual ack timer covers them.
  EXPECT_TRUE(take_sent(server).empty());
  server.advance(session::ReliableInbox::kAckDelay);
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{ack(1)});
  EXPECT_EQ(server.client.membership().peers(), std::vector<std::string>{"p2"});
}

TEST(ClientResumeTest, AGapAsksOnceForAReplayQuietlyAndTheReplayArrivesInOrder) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  // Seq 2 was lost in flight: 3 and 4 are dropped, without an error for the app, and one replay
  // request names the last envelope in order.
  server.send_envelope_with_seq(Published{"p2", "early"}, 3);
  server.send_envelope_with_seq(Published{"p2", "early"}, 4);
  EXPECT_TRUE(server.take_events().empty());
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(envelope::Ack{1, true})});
  server.send_envelope_with_seq(Published{"p2", "2"}, 2);
  server.send_envelope_with_seq(Published{"p2", "3"}, 3);
  server.send_envelope_with_seq(Published{"p2", "4"}, 4);
  const auto events = server.take_events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(std::get<ev::MessageReceived>(events[0]).data, "2");
  EXPECT_EQ(std::get<ev::MessageReceived>(events[2]).data, "4");
  EXPECT_EQ(server.client.state(), ClientState::connected);
  // A later gap asks again.
  server.send_envelope_with_seq(Published{"p2", "early"}, 6);
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(envelope::Ack{4, true})});
}

TEST(ClientResumeTest, AnUnansweredReplayRequestIsRepeatedAfterASecondAtTheNextGap) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  server.send_envelope_with_seq(Published{"p2", "early"}, 3);
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(envelope::Ack{1, true})});
  // Server pings keep the connection alive meanwhile (its ping timeout is 500 ms here).
  const auto wait = [&](Millis step) {
    server.client.handle_transport_text(server.generation, "2", server.now);
    server.advance(step);
    server.take_frames();
  };
  wait(Millis(400));
  wait(Millis(100));
  server.send_envelope_with_seq(Published{"p2", "early"}, 4);
  EXPECT_TRUE(take_sent(server).empty()) << "still waiting for the first replay";
  wait(Millis(400));
  wait(Millis(100));
  server.send_envelope_with_seq(Published{"p2", "early"}, 5);
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(envelope::Ack{1, true})});
}

TEST(ClientResumeTest, AnAckPiggybackedOnAServerEnvelopeTrimsWhatIsKept) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});  // client seq 1, server seq 1
  ASSERT_TRUE(server.client.publish("a", server.now).ok());
  ASSERT_GT(server.client.buffered_bytes(), 0u);
  const auto with_ack = [&](Seq seq, Seq ack) {
    const std::string text = envelope::encode(envelope::ServerEnvelope{Published{"p2", "x"}}, seq);
    server.client.handle_transport_text(server.generation, "4" + envelope::with_ack(text, ack),
                                        server.now);
  };
  with_ack(2, 2);
  EXPECT_EQ(server.client.buffered_bytes(), 0u);
  // Even on an envelope dropped as a duplicate.
  ASSERT_TRUE(server.client.publish("b", server.now).ok());
  with_ack(2, 3);
  EXPECT_EQ(server.client.buffered_bytes(), 0u);
}

TEST(ClientResumeTest, ServerAcksTrimWhatIsKeptAndAnAckPastTheEndChangesNothing) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {});
  ASSERT_TRUE(server.client.publish("a", server.now).ok());
  const std::size_t after_a = server.client.buffered_bytes();
  ASSERT_TRUE(server.client.publish("b", server.now).ok());
  const std::size_t b_bytes = server.client.buffered_bytes() - after_a;
  EXPECT_EQ(b_bytes, envelope::encode(envelope::Publish{"b"}, 3).size());
  server.send_envelope(envelope::Ack{2});
  EXPECT_EQ(server.client.buffered_bytes(), b_bytes);
  server.send_envelope(envelope::Ack{4});
  const auto events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ev::ErrorRaised>(events[0]).error.code, ErrorCode::invalid_sequence);
  EXPECT_GT(server.client.buffered_bytes(), 0u);
  server.send_envelope(envelope::Ack{3});
  EXPECT_EQ(server.client.buffered_bytes(), 0u);
  EXPECT_EQ(server.client.state(), ClientState::connected);
}

TEST(ClientResumeTest, ResumeResendsWhatWasLostAndTheServerReplaysItsOwn) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});                          // client seq 1, server seq 1
  ASSERT_TRUE(server.client.publish("c2", server.now).ok());  // client seq 2
  ASSERT_TRUE(server.client.publish("c3", server.now).ok());  // client seq 3: lost on the way
  server.send_envelope(Published{"p2", "s2"});                // server seq 2 arrives
  server.take_events();
  server.take_frames();

  ASSERT_EQ(lose_and_reconnect(server), resume_hello(2));
  // Queued while the connection is down.
  ASSERT_EQ(server.client.state(), ClientState::connecting);
  ASSERT_TRUE(server.client.publish("c4", server.now).ok());
  EXPECT_TRUE(server.take_frames().empty());

  server.send_envelope(resumed_welcome(2));  // the server got client seq 1 and 2
  auto events = server.take_events();
  auto changes = state_changes(events);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].state, ClientState::connected);
  EXPECT_TRUE(changes[0].resumed);
  EXPECT_EQ(find_event<ev::Resync>(events), nullptr);
  EXPECT_EQ(server.client.peer_id(), "me");
  EXPECT_EQ(server.client.membership().peers(), std::vector<std::string>{"p2"});
  const std::vector<SentEnvelope> resent{sequenced(envelope::Publish{"c3"}, 3),
                                         sequenced(envelope::Publish{"c4"}, 4)};
  EXPECT_EQ(take_sent(server), resent);

  // The server replays from seq 2 (it had not seen the ack): 2 is a duplicate, 3 and 4 are new.
  server.send_envelope_with_seq(Published{"p2", "s2"}, 2);
  server.send_envelope_with_seq(Published{"p2", "s3"}, 3);
  server.send_envelope_with_seq(envelope::PeerLeft{"p2"}, 4);
  events = server.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<ev::MessageReceived>(events[0]).data, "s3");
  EXPECT_EQ(std::get<ev::PeerLeft>(events[1]).peer, "p2");
  server.advance(Millis(100));
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{ack(4)});
}

TEST(ClientResumeTest, RequestsQueueWhileReconnectingWithTheKeptMembership) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  server.client.handle_transport_closed(server.generation, server.now);
  ASSERT_EQ(server.client.state(), ClientState::reconnecting);
  server.take_actions();
  EXPECT_TRUE(server.client.publish("hi", server.now).ok());
  EXPECT_TRUE(server.client.send("p2", "hi", server.now).ok());
  EXPECT_TRUE(server.client.signal("p2", "sdp", server.now).ok());
  EXPECT_EQ(server.client.send("p9", "hi", server.now).error().code, ErrorCode::peer_not_found);
  EXPECT_TRUE(server.client.leave(server.now).ok());
  EXPECT_TRUE(server.client.join("other", server.now).ok());
  EXPECT_TRUE(server.take_actions().empty());

  server.wait_for_reconnect();
  server.send_open_packet();
  ASSERT_EQ(take_sent(server).size(), 1u);  // the hello only
  server.send_envelope(resumed_welcome(1));
  const std::vector<SentEnvelope> queued{
      sequenced(envelope::Publish{"hi"}, 2), sequenced(envelope::DirectTo{"p2", "hi"}, 3),
      sequenced(envelope::SignalTo{"p2", "sdp"}, 4), sequenced(envelope::Leave{}, 5),
      sequenced(envelope::Join{"other", 2}, 6)};
  EXPECT_EQ(take_sent(server), queued);
}

TEST(ClientResumeTest, WithoutASessionRequestsAreRefused) {
  ScriptedServer server;
  server.start_connect();
  EXPECT_EQ(server.client.join("lobby", server.now).error().code, ErrorCode::not_connected);

  ClientConfig config = testing::default_client_config();
  config.reconnect.max_attempts = 0;
  ScriptedServer gives_up(config);
  gives_up.connect_fully();
  gives_up.join_room("lobby", {});
  gives_up.client.handle_transport_closed(gives_up.generation, gives_up.now);
  ASSERT_EQ(gives_up.client.state(), ClientState::disconnected);
  EXPECT_EQ(gives_up.client.publish(1, gives_up.now).error().code, ErrorCode::not_connected);
}

TEST(ClientResumeTest, BufferFullRefusesWithoutLosingAnything) {
  ClientConfig config = testing::default_client_config();
  const std::size_t publish_bytes = envelope::encode(envelope::Publish{"0123456789"}, 2).size();
  config.resume_buffer_bytes = 2 * publish_bytes;
  ScriptedServer server(config);
  server.connect_fully();
  server.join_room("lobby", {});
  server.send_envelope(envelope::Ack{1});
  ASSERT_TRUE(server.client.publish("0123456789", server.now).ok());
  ASSERT_TRUE(server.client.publish("0123456789", server.now).ok());
  server.take_frames();
  const auto full = server.client.publish("0123456789", server.now);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::buffer_full);
  EXPECT_EQ(full.error().origin, base::ErrorOrigin::local);
  EXPECT_TRUE(server.take_frames().empty());
  EXPECT_EQ(server.client.buffered_bytes(), 2 * publish_bytes);
  // Over the message limit is still message_too_large, whatever the buffer holds.
  EXPECT_EQ(server.client.publish(std::string(70000, 'x'), server.now).error().code,
            ErrorCode::message_too_large);

  server.send_envelope(envelope::Ack{2});
  ASSERT_TRUE(server.client.publish("0123456789", server.now).ok());
  EXPECT_EQ(take_sent(server),
            std::vector<SentEnvelope>{sequenced(envelope::Publish{"0123456789"}, 4)});
}

TEST(ClientResumeTest, ResyncReportsUndeliveredRequestsAndResetsTheRoom) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  server.send_envelope(envelope::Ack{1});
  ASSERT_TRUE(server.client.send("p2", {{"n", 1}}, server.now).ok());
  ASSERT_EQ(lose_and_reconnect(server), resume_hello(1));
  ASSERT_TRUE(server.client.signal("p2", "offer", server.now).ok());

  auto refused = testing::new_session("fresh", "session-2");
  refused.resume_error = ErrorCode::invalid_sequence;
  server.send_envelope(refused);
  const auto events = server.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(std::get<ev::StateChanged>(events[1]).resumed);
  const auto& resync = std::get<ev::Resync>(events[0]);
  EXPECT_EQ(resync.reason.code, ErrorCode::invalid_sequence);
  const std::vector<ClientEnvelope> undelivered{envelope::DirectTo{"p2", {{"n", 1}}},
                                                envelope::SignalTo{"p2", "offer"}};
  EXPECT_EQ(resync.undelivered, undelivered);
  EXPECT_FALSE(server.client.membership().in_room());

  // The new session numbers from 1 both ways.
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{sequenced(envelope::Join{"lobby", 2}, 1)});
  server.send_envelope(envelope::Joined{"lobby", {}});
  EXPECT_EQ(server.client.membership().room(), "lobby");
}

TEST(ClientResumeTest, BufferOverflowEndsTheSessionAndTheNextConnectIsFresh) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  server.send_envelope_with_seq(envelope::ErrorReply{ErrorCode::buffer_overflow, "too slow"}, 0);
  EXPECT_EQ(server.client.state(), ClientState::reconnecting);
  auto events = server.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ev::StateChanged>(events[0]).error->code, ErrorCode::buffer_overflow);
  bool closed = false;
  for (const auto& action : server.take_actions()) {
    closed |= std::holds_alternative<engineio::CloseTransport>(action);
  }
  EXPECT_TRUE(closed);

  server.wait_for_reconnect();
  server.send_open_packet();
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(envelope::Hello{"test-sdk"})});
  server.send_envelope(testing::new_session("fresh", "session-2"));
  events = server.take_events();
  const auto* resync = find_event<ev::Resync>(events);
  ASSERT_NE(resync, nullptr);
  EXPECT_EQ(resync->reason.code, ErrorCode::buffer_overflow);
  EXPECT_EQ(resync->reason.message, "too slow");
  // The join was never acknowledged: the server may or may not have seen it.
  EXPECT_EQ(resync->undelivered, std::vector<ClientEnvelope>({envelope::Join{"lobby", 1}}));
}

TEST(ClientResumeTest, AResumeTheClientCannotTrustStartsOverOnTheNextConnection) {
  ScriptedServer server;
  server.connect_fully();
  ASSERT_EQ(lose_and_reconnect(server), resume_hello(0));
  server.send_envelope(resumed_welcome(7));  // acks requests never sent
  EXPECT_EQ(server.client.state(), ClientState::reconnecting);
  const auto changes = state_changes(server.take_events());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].error->code, ErrorCode::invalid_sequence);

  server.wait_for_reconnect();
  server.send_open_packet();
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(envelope::Hello{"test-sdk"})});
}

TEST(ClientResumeTest, GoAwayAcksClosesAndResumesAfterASpreadDelay) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  ASSERT_TRUE(server.client.publish("a", server.now).ok());
  ASSERT_TRUE(server.client.publish("b", server.now).ok());
  server.take_frames();
  server.send_envelope(envelope::GoAway{2000, 2});
  auto actions = server.take_actions();
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(testing::decode_sent_with_seq(std::get<engineio::SendFrame>(actions[0]).text), ack(1));
  EXPECT_EQ(std::get<engineio::SendFrame>(actions[1]).text, "1");
  EXPECT_TRUE(std::holds_alternative<engineio::CloseTransport>(actions[2]));
  const auto changes = state_changes(server.take_events());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].state, ClientState::reconnecting);
  EXPECT_EQ(changes[0].error->code, ErrorCode::going_away);
  EXPECT_EQ(changes[0].attempt, 1u);
  ASSERT_TRUE(changes[0].retry_in);
  EXPECT_LE(changes[0].retry_in->count(), 2000);
  EXPECT_EQ(server.client.membership().room(), "lobby");

  server.wait_for_reconnect();
  server.send_open_packet();
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{unsequenced(resume_hello(1))});
  server.send_envelope(resumed_welcome(2));
  EXPECT_EQ(take_sent(server), std::vector<SentEnvelope>{sequenced(envelope::Publish{"b"}, 3)});
}

TEST(ClientResumeTest, GoAwayDelaysSpreadOverTheWholeWindow) {
  constexpr int64_t kSpread = 10000;
  std::vector<int64_t> delays;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    ClientConfig config = testing::default_client_config();
    config.random_seed = seed;
    ScriptedServer server(config);
    server.connect_fully();
    server.send_envelope(envelope::GoAway{kSpread, 0});
    const auto changes = state_changes(server.take_events());
    ASSERT_EQ(changes.size(), 1u);
    ASSERT_TRUE(changes[0].retry_in);
    delays.push_back(changes[0].retry_in->count());
  }
  std::sort(delays.begin(), delays.end());
  EXPECT_GE(delays.front(), 0);
  EXPECT_LE(delays.back(), kSpread);
  // Uniform over [0, 10000]: the quartiles near 2500, 5000, 7500 and the ends reached.
  EXPECT_NEAR(static_cast<double>(delays[100]), 2500, 800);
  EXPECT_NEAR(static_cast<double>(delays[200]), 5000, 800);
  EXPECT_NEAR(static_cast<double>(delays[300]), 7500, 800);
  EXPECT_LT(delays.front(), 500);
  EXPECT_GT(delays.back(), 9500);
}

TEST(ClientResumeTest, AnAbsurdGoAwayDelayIsCapped) {
  ScriptedServer server;
  server.connect_fully();
  server.send_envelope(envelope::GoAway{envelope::kMaxSeq, 0});
  const auto changes = state_changes(server.take_events());
  ASSERT_EQ(changes.size(), 1u);
  ASSERT_TRUE(changes[0].retry_in);
  EXPECT_LE(changes[0].retry_in->count(), 5 * 60 * 1000);
}

TEST(ClientResumeTest, CloseForgetsTheSession) {
  ScriptedServer server;
  server.connect_fully();
  server.join_room("lobby", {"p2"});
  ASSERT_TRUE(server.client.publish("a", server.now).ok());
  server.client.close(server.now);
  EXPECT_EQ(server.client.buffered_bytes(), 0u);
  EXPECT_FALSE(server.client.membership().in_room());
  EXPECT_EQ(server.client.peer_id(), "");
}

}  // namespace
}  // namespace rtcwire::client
