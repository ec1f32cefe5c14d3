// The hub's reliable streams and session resume (docs/protocol.md §2.1), on a fake clock.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hub_harness.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server {
namespace {

using namespace testing;
using Received = envelope::Sequenced<ServerEnvelope>;

class HubResumeTest : public HubTest {
 protected:
  // alice and bob in "lobby"; alice has received seq 1 (joined) and 2 (peer-joined bob).
  void SetUp() override {
    alice = welcomed();
    bob = welcomed();
    (void)send(alice, envelope::Join{"lobby"}, 1);
    (void)send(bob, envelope::Join{"lobby"}, 1);
    alice_id = peer(alice);
    bob_id = peer(bob);
  }

  // A publish from bob carrying `n`.
  HubOutput bob_publishes(int n) { return send(bob, envelope::Publish{n}); }

  ConnectionId alice = 0;
  ConnectionId bob = 0;
  std::string alice_id;
  std::string bob_id;
};

TEST_F(HubResumeTest, EverythingButWelcomeAckAndGoawayIsNumberedPerSession) {
  // alice: joined 1, peer-joined 2; the publish is her 3rd, bob's 2nd (after joined).
  EXPECT_EQ(only_sequenced(bob_publishes(7), alice), (Received{envelope::Published{bob_id, 7}, 3}));
  EXPECT_EQ(received_by(send(alice, envelope::Leave{}, 2), alice),
            (std::vector<Received>{{envelope::Left{"lobby"}, 4}}));
  // Errors in a session are numbered too.
  EXPECT_EQ(
      only_sequenced(send(alice, envelope::Publish{1}), alice),
      (Received{envelope::ErrorReply{ErrorCode::not_in_room, "publish while in no room"}, 5}));
  // Before hello there is no session, so no seq.
  const ConnectionId fresh = hub.connect();
  EXPECT_EQ(only_sequenced(send(fresh, envelope::Leave{}), fresh).seq, 0u);
}

TEST_F(HubResumeTest, ARoomBroadcastIsNumberedForEachRecipient) {
  const ConnectionId carol = welcomed();
  (void)send(carol, envelope::Join{"lobby"});  // alice gets seq 3, bob seq 3 (bob: joined, pj)
  const HubOutput out = send(carol, envelope::Publish{"x"});
  ASSERT_EQ(out.deliveries.size(), 2u);
  EXPECT_EQ(decoded(out.deliveries[0]), (Received{envelope::Published{peer(carol), "x"}, 4}));
  EXPECT_EQ(decoded(out.deliveries[1]), (Received{envelope::Published{peer(carol), "x"}, 3}));
}

TEST_F(HubResumeTest, AnAckGoesOutAfter32ClientEnvelopes) {
  // bob leaves, so alice's publishes fill nobody's buffer. Seq 1 (join) already arrived and was
  // acknowledged on the peer-joined that followed it.
  (void)send(bob, envelope::Leave{}, 2);
  for (envelope::Seq seq = 2; seq < 33; ++seq) {
    EXPECT_TRUE(received_by(send(alice, envelope::Publish{0}, seq), alice).empty()) << seq;
  }
  EXPECT_EQ(received_by(send(alice, envelope::Publish{0}, 33), alice),
            (std::vector<Received>{{envelope::Ack{33}, 0}}));
  // Nothing is pending for alice any more, nor for bob: his ack rode on the answer to his leave.
  const HubOutput later = hub.handle_timeout(now + ReliableInbox::kAckDelay);
  EXPECT_TRUE(later.deliveries.empty());
}

TEST_F(HubResumeTest, AnAckGoesOut100MsAfterTheFirstUnacknowledgedEnvelope) {
  const Millis first = now;
  const HubOutput published = send(alice, envelope::Publish{0}, 2);
  ASSERT_EQ(published.deliveries.size(), 1u);
  EXPECT_EQ(piggybacked_ack(published.deliveries[0]), 1u) << "bob's ack rides on the publish";
  now += Millis{40};
  (void)send(alice, envelope::Publish{0}, 3);
  EXPECT_EQ(hub.poll_timeout(), first + ReliableInbox::kAckDelay);
  EXPECT_TRUE(hub.handle_timeout(first + Millis{99}).deliveries.empty());
  const HubOutput out = hub.handle_timeout(first + Millis{100});
  EXPECT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(received_by(out, alice), (std::vector<Received>{{envelope::Ack{3}, 0}}));
  EXPECT_EQ(hub.poll_timeout(), std::nullopt);
}

TEST_F(HubResumeTest, ADuplicateIsDroppedAndAnsweredWithAnAckAtOnce) {
  EXPECT_EQ(received_by(send(alice, envelope::Publish{"once"}, 2), bob).size(), 1u);
  const HubOutput again = send(alice, envelope::Publish{"once"}, 2);
  EXPECT_EQ(only_sequenced(again, alice), (Received{envelope::Ack{2}, 0}));
  EXPECT_FALSE(again.rejection);
}

TEST_F(HubResumeTest, AGapIsRefusedAndNotProcessed) {
  const HubOutput gap = send(alice, envelope::Publish{"ahead"}, 3);
  expect_error(gap, alice, ErrorCode::invalid_sequence);
  EXPECT_TRUE(received_by(gap, bob).empty());
  // The stream continues where it was.
  EXPECT_EQ(received_by(send(alice, envelope::Publish{"next"}, 2), bob).size(), 1u);
}

TEST_F(HubResumeTest, EnvelopesWithoutSeqAreProcessedEachTimeAndNeverAcked) {
  (void)hub.handle_timeout(now + ReliableInbox::kAckDelay);  // the joins' acks
  EXPECT_EQ(received_by(send(alice, envelope::Publish{"a"}), bob).size(), 1u);
  EXPECT_EQ(received_by(send(alice, envelope::Publish{"a"}), bob).size(), 1u);
  EXPECT_EQ(hub.poll_timeout(), std::nullopt);
}

TEST_F(HubResumeTest, AnAckPastTheLastSeqIsInvalidSequenceAndChangesNothing) {
  expect_error(send(alice, envelope::Ack{3}), alice, ErrorCode::invalid_sequence);
  // The error was seq 3; acking it now is fine, and a resume replays nothing.
  EXPECT_FALSE(send(alice, envelope::Ack{3}).rejection);
}

TEST_F(HubResumeTest, ResumeTellsTheClientWhatTheServerGot) {
  (void)send(alice, envelope::Publish{"arrived"}, 2);
  // The client's seq 3 is lost with the connection: the server never sees it.
  hub.disconnect(alice, now);
  const ConnectionId again = welcomed(resume_of(alice, 2));
  const envelope::Welcome& welcome = welcomes.at(again);
  EXPECT_TRUE(welcome.resumed);
  EXPECT_EQ(welcome.peer, alice_id);
  EXPECT_EQ(welcome.session, welcomes.at(alice).session);
  EXPECT_EQ(welcome.ack, 2u) << "the last client seq the server processed";
  EXPECT_EQ(welcome.resume_error, std::nullopt);
  // So the client resends seq 3, which is the next in order.
  EXPECT_EQ(only_sequenced(send(again, envelope::Publish{"resent"}, 3), bob),
            (Received{envelope::Published{alice_id, "resent"}, 3}));
}

TEST_F(HubResumeTest, ResumeReplaysInOrderWithTheOriginalSeq) {
  hub.disconnect(alice, now);
  (void)bob_publishes(1);
  (void)bob_publishes(2);
  const ConnectionId again = hub.connect();
  const HubOutput out = send(again, envelope::Hello{"test", resume_of(alice, 1)});
  EXPECT_EQ(out.greeting, (Greeting{true, std::nullopt}));
  const auto received = received_by(out, again);
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(received[0].seq, 0u);
  EXPECT_TRUE(std::get<envelope::Welcome>(received[0].envelope).resumed);
  EXPECT_EQ(received[1], (Received{envelope::PeerJoined{bob_id}, 2}));
  EXPECT_EQ(received[2], (Received{envelope::Published{bob_id, 1}, 3}));
  EXPECT_EQ(received[3], (Received{envelope::Published{bob_id, 2}, 4}));
  EXPECT_TRUE(received_by(out, bob).empty());
  EXPECT_EQ(peer(again), alice_id);
  EXPECT_EQ(hub.room_of(again), "lobby");

  // The client resends what the welcome's ack does not cover: seq 1 is a duplicate, 2 is new.
  EXPECT_EQ(only_sequenced(send(again, envelope::Join{"lobby"}, 1), again),
            (Received{envelope::Ack{1}, 0}));
  EXPECT_EQ(only_sequenced(send(again, envelope::Publish{"back"}, 2), bob),
            (Received{envelope::Published{alice_id, "back"}, 2}));
}

TEST_F(HubResumeTest, AClientAckTrimsTheReplay) {
  (void)bob_publishes(1);
  (void)bob_publishes(2);
  EXPECT_FALSE(send(alice, envelope::Ack{3}).rejection);
  hub.disconnect(alice, now);
  // An older ack in the resume changes nothing: 1..3 are gone already.
  const ConnectionId again = hub.connect();
  const auto received = received_by(send(again, envelope::Hello{"t", resume_of(alice, 0)}), again);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1], (Received{envelope::Published{bob_id, 2}, 4}));
}

TEST_F(HubResumeTest, PresenceSurvivesADisconnectAndResume) {
  hub.disconnect(alice, now);
  const HubOutput resumed = send(hub.connect(), envelope::Hello{"t", resume_of(alice, 2)});
  EXPECT_TRUE(received_by(resumed, bob).empty());
  // Nothing pending (alice's ack went with her welcome, bob's with his joined): nobody left.
  const HubOutput later = hub.handle_timeout(now + kWindow * 2);
  EXPECT_TRUE(later.deliveries.empty());
  EXPECT_EQ(hub.session_count(), 2u);
}

TEST_F(HubResumeTest, AResumeTakesOverASessionStillAttached) {
  const ConnectionId again = hub.connect();
  const HubOutput out = send(again, envelope::Hello{"t", resume_of(alice, 2)});
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{alice, "taken over"}}));
  EXPECT_TRUE(received_by(out, bob).empty());
  EXPECT_TRUE(received_by(out, alice).empty());
  EXPECT_TRUE(send(alice, envelope::Publish{"old socket"}).deliveries.empty());
  hub.disconnect(alice, now);  // the old connection closing later detaches nothing
  EXPECT_EQ(only_sequenced(bob_publishes(9), again), (Received{envelope::Published{bob_id, 9}, 3}));
}

TEST_F(HubResumeTest, AClientThatClosesLeavesAtOnceAndCannotResume) {
  const HubOutput out = hub.depart(alice);
  EXPECT_EQ(only_sequenced(out, bob), (Received{envelope::PeerLeft{alice_id}, 2}));
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{alice_id, std::nullopt}}));
  EXPECT_EQ(hub.session_count(), 1u);
  const ConnectionId late = welcomed(resume_of(alice, 2));
  EXPECT_FALSE(welcomes.at(late).resumed);
  EXPECT_EQ(welcomes.at(late).resume_error, ErrorCode::session_expired);
}

TEST_F(HubResumeTest, TheSessionExpiresWhenTheWindowPasses) {
  const Millis dropped = now;
  hub.disconnect(alice, dropped);
  (void)hub.handle_timeout(dropped + ReliableInbox::kAckDelay);  // bob's ack
  EXPECT_EQ(hub.poll_timeout(), dropped + kWindow);
  EXPECT_TRUE(hub.handle_timeout(dropped + kWindow - Millis{1}).deliveries.empty());
  const HubOutput expired = hub.handle_timeout(dropped + kWindow);
  EXPECT_EQ(only_sequenced(expired, bob), (Received{envelope::PeerLeft{alice_id}, 2}));
  EXPECT_EQ(expired.ended, (std::vector<SessionEnd>{{alice_id, ErrorCode::session_expired}}));

  const ConnectionId late = welcomed(resume_of(alice, 2));
  EXPECT_FALSE(welcomes.at(late).resumed);
  EXPECT_EQ(welcomes.at(late).resume_error, ErrorCode::session_expired);
  EXPECT_NE(peer(late), alice_id);
}

TEST_F(HubResumeTest, AReceiverWithAFullBufferThatAcksNothingForTheAckTimeoutIsEnded) {
  // alice reads but never acks: bob's publishes pile up in her buffer until bob is refused.
  const std::string chunk(200, 'x');
  HubOutput out;
  std::size_t sent = 0;
  for (; sent < kBuffer / chunk.size() + 2 && !out.rejection; ++sent) {
    out = send(bob, envelope::Publish{chunk});
  }
  ASSERT_TRUE(out.rejection);
  EXPECT_EQ(out.rejection->code, ErrorCode::rate_limited);
  EXPECT_TRUE(out.closes.empty()) << "the sender alone never ends a receiver";
  EXPECT_EQ(peer(alice), alice_id);

  now += HubSettings{}.ack_timeout;
  out = send(bob, envelope::Publish{chunk});
  const auto to_alice = received_by(out, alice);
  ASSERT_EQ(to_alice.size(), 1u);
  EXPECT_EQ(to_alice[0].seq, 0u);
  ASSERT_TRUE(std::holds_alternative<envelope::ErrorReply>(to_alice[0].envelope));
  EXPECT_EQ(std::get<envelope::ErrorReply>(to_alice[0].envelope).code, ErrorCode::buffer_overflow);
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{alice, "buffer overflow"}}));
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{alice_id, ErrorCode::buffer_overflow}}));
  ASSERT_EQ(received_by(out, bob).size(), 1u);
  EXPECT_EQ(received_by(out, bob)[0].envelope, ServerEnvelope(envelope::PeerLeft{alice_id}));
  EXPECT_EQ(hub.session_count(), 1u);
  EXPECT_TRUE(hub.peer_id(alice).empty());
}

TEST_F(HubResumeTest, ADetachedSessionThatOverflowsEndsQuietly) {
  hub.disconnect(alice, now);
  const std::string chunk(200, 'x');
  HubOutput out;
  for (int i = 0; i < 20 && out.ended.empty(); ++i) out = send(bob, envelope::Publish{chunk});
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{alice_id, ErrorCode::buffer_overflow}}));
  EXPECT_TRUE(out.closes.empty());
  EXPECT_EQ(received_by(out, bob).at(0).envelope, ServerEnvelope(envelope::PeerLeft{alice_id}));
}

TEST_F(HubResumeTest, AWrongTokenOrAnUnknownSessionStartsANewSession) {
  envelope::ResumeRequest forged = resume_of(alice, 0);
  forged.token = "token9";
  const ConnectionId guess = welcomed(forged);
  EXPECT_FALSE(welcomes.at(guess).resumed);
  EXPECT_EQ(welcomes.at(guess).resume_error, ErrorCode::session_expired);
  EXPECT_NE(peer(guess), alice_id);
  EXPECT_EQ(peer(alice), alice_id) << "the real session is untouched";

  const ConnectionId stranger = welcomed(envelope::ResumeRequest{"no-such-session", "t", 0});
  EXPECT_EQ(welcomes.at(stranger).resume_error, ErrorCode::session_expired);
  EXPECT_TRUE(hub.room_of(stranger).empty());
}

TEST_F(HubResumeTest, AResumeAckPastTheLastSeqStartsOverAndEndsTheOldSession) {
  const ConnectionId again = hub.connect();
  const HubOutput out = send(again, envelope::Hello{"t", resume_of(alice, 99)});
  EXPECT_EQ(out.greeting, (Greeting{false, ErrorCode::invalid_sequence}));
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{alice, "taken over"}}));
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{alice_id, ErrorCode::invalid_sequence}}));
  EXPECT_EQ(received_by(out, bob).at(0).envelope, ServerEnvelope(envelope::PeerLeft{alice_id}));
  EXPECT_NE(peer(again), alice_id);
  EXPECT_TRUE(hub.room_of(again).empty());
}

TEST_F(HubResumeTest, GoawayCarriesTheLastClientSeqAndUnwelcomedConnectionsAreClosed) {
  (void)send(alice, envelope::Publish{0}, 2);
  const ConnectionId silent = hub.connect();
  const HubOutput out = hub.go_away(10000);
  EXPECT_EQ(received_by(out, alice), (std::vector<Received>{{envelope::GoAway{10000, 2}, 0}}));
  EXPECT_EQ(received_by(out, bob), (std::vector<Received>{{envelope::GoAway{10000, 1}, 0}}));
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{silent, "server shutting down"}}));
  EXPECT_EQ(hub.poll_timeout(), std::nullopt) << "the goaway carried the pending acks";
}

TEST(HubSessionLimitTest, AnOwnerHoldsAtMostTheLimitKeptSessionsYieldAndResumesGetThrough) {
  CountingIds ids;
  SignallingHub hub{ids, HubSettings{kLimit, kWindow, kBuffer, 2}};
  Millis now{1000};
  auto hello = [&](ConnectionId connection, std::optional<envelope::ResumeRequest> resume) {
    return hub.receive_text(connection,
                            envelope::encode(envelope::Hello{"test", std::move(resume)}), now);
  };
  std::vector<envelope::Welcome> welcomes;
  std::vector<ConnectionId> connections;
  for (int i = 0; i < 2; ++i) {
    connections.push_back(hub.connect("10.0.0.1"));
    const HubOutput out = hello(connections.back(), std::nullopt);
    welcomes.push_back(std::get<envelope::Welcome>(decoded(out.deliveries.at(0)).envelope));
  }
  EXPECT_EQ(hub.sessions_of("10.0.0.1"), 2u);

  // Both attached: a third is refused.
  const ConnectionId third = hub.connect("10.0.0.1");
  const HubOutput refused = hello(third, std::nullopt);
  ASSERT_EQ(refused.deliveries.size(), 1u);
  const auto error = std::get<envelope::ErrorReply>(decoded(refused.deliveries[0]).envelope);
  EXPECT_EQ(error.code, ErrorCode::too_many_sessions);
  EXPECT_EQ(refused.closes, (std::vector<ConnectionClose>{{third, "too many sessions"}}));
  EXPECT_TRUE(refused.ended.empty());

  // Another address is not affected.
  const HubOutput other = hello(hub.connect("10.0.0.2"), std::nullopt);
  EXPECT_TRUE(std::holds_alternative<envelope::Welcome>(decoded(other.deliveries.at(0)).envelope));

  // Both dropped (kept for a resume): a newcomer ends the one kept longest and starts.
  hub.disconnect(connections[0], now);
  now += Millis{10};
  hub.disconnect(connections[1], now);
  const HubOutput newcomer = hello(hub.connect("10.0.0.1"), std::nullopt);
  EXPECT_TRUE(
      std::holds_alternative<envelope::Welcome>(decoded(newcomer.deliveries.at(0)).envelope));
  EXPECT_EQ(newcomer.ended,
            (std::vector<SessionEnd>{{welcomes[0].peer, ErrorCode::session_expired}}));
  EXPECT_EQ(hub.sessions_of("10.0.0.1"), 2u);

  // The other kept session still resumes.
  const HubOutput resumed = hello(
      hub.connect("10.0.0.1"), envelope::ResumeRequest{welcomes[1].session, welcomes[1].token, 0});
  EXPECT_TRUE(std::get<envelope::Welcome>(decoded(resumed.deliveries.at(0)).envelope).resumed);
  EXPECT_EQ(hub.sessions_of("10.0.0.1"), 2u);
}

}  // namespace
}  // namespace rtcwire::server
