#include "rtcwire/session/client_session.hpp"

#include <gtest/gtest.h>

#include "client/scripted_server.hpp"

namespace rtcwire::session {

using base::ErrorCode;

namespace {

using envelope::ClientEnvelope;
using testing::new_session;

envelope::Welcome resumed(std::string token, envelope::Seq ack) {
  auto welcome = new_session("me", "s1");
  welcome.token = std::move(token);
  welcome.resumed = true;
  welcome.ack = ack;
  return welcome;
}

// A welcome for a new session, which the session always takes.
std::optional<SessionLoss> start(ClientSession& session, const envelope::Welcome& welcome) {
  auto welcomed = session.welcome(welcome);
  EXPECT_TRUE(welcomed.ok());
  return welcomed.ok() ? std::move(welcomed.value()) : std::nullopt;
}

// A welcome that resumes: never a loss.
base::Status resume(ClientSession& session, const envelope::Welcome& welcome) {
  auto welcomed = session.welcome(welcome);
  if (!welcomed) return welcomed.error();
  EXPECT_EQ(welcomed.value(), std::nullopt);
  return base::ok();
}

TEST(ClientSessionTest, TheFirstSessionLosesNothingAndCanBeResumed) {
  ClientSession session(1024);
  EXPECT_FALSE(session.exists());
  EXPECT_EQ(session.take_resume_request(), std::nullopt);
  EXPECT_EQ(start(session, new_session("me", "s1")), std::nullopt);
  EXPECT_TRUE(session.exists());
  EXPECT_EQ(session.state(), SessionState::active);
  EXPECT_EQ(session.peer_id(), "me");
  ASSERT_EQ(session.receive(1, base::Millis(0)), ReliableInbox::Verdict::deliver);
  const envelope::ResumeRequest expected{"s1", "token-s1", 1};
  EXPECT_EQ(session.take_resume_request(), expected);
  EXPECT_EQ(session.ack_deadline(), std::nullopt);  // the request acknowledged it
}

TEST(ClientSessionTest, ResumeTrimsWhatTheServerHasAndTakesItsNewToken) {
  ClientSession session(1024);
  (void)start(session, new_session("me", "s1"));
  ASSERT_EQ(session.queue(envelope::Publish{1}, 10).value(), 1u);
  ASSERT_EQ(session.queue(envelope::Publish{2}, 10).value(), 2u);
  ASSERT_TRUE(resume(session, resumed("rotated", 1)).ok());
  ASSERT_EQ(session.unacked().size(), 1u);
  EXPECT_EQ(session.unacked().front().seq, 2u);
  EXPECT_EQ(session.take_resume_request()->token, "rotated");
}

TEST(ClientSessionTest, AResumeOfAnotherSessionOrPastWhatWasSentChangesNothing) {
  ClientSession session(1024);
  (void)start(session, new_session("me", "s1"));
  ASSERT_TRUE(session.queue(envelope::Leave{}, 10).ok());
  auto other = resumed("t", 0);
  other.session = "s2";
  EXPECT_EQ(resume(session, other).error().code, ErrorCode::invalid_state);
  EXPECT_EQ(resume(session, resumed("t", 2)).error().code, ErrorCode::invalid_sequence);
  EXPECT_EQ(session.unacked_bytes(), 10u);
  EXPECT_EQ(session.take_resume_request()->token, "token-s1");
}

TEST(ClientSessionTest, AnEndedSessionIsNotResumedAndItsLossIsReportedOnce) {
  ClientSession session(1024);
  (void)start(session, new_session("me", "s1"));
  session.membership().on_joined("lobby", {"p2"});
  ASSERT_TRUE(session.queue(envelope::Join{"lobby"}, 10).ok());
  session.end(base::remote_error(ErrorCode::buffer_overflow, "first"));
  session.end(base::remote_error(ErrorCode::invalid_sequence, "second"));
  EXPECT_TRUE(session.exists());  // its loss is still to be reported
  EXPECT_EQ(session.state(), SessionState::ended);
  EXPECT_EQ(session.peer_id(), "");
  EXPECT_EQ(session.take_resume_request(), std::nullopt);

  const auto loss = start(session, new_session("you", "s2"));
  ASSERT_TRUE(loss.has_value());
  EXPECT_EQ(loss->reason.code, ErrorCode::buffer_overflow);
  EXPECT_EQ(loss->undelivered, std::vector<ClientEnvelope>{envelope::Join{"lobby"}});
  EXPECT_FALSE(session.membership().in_room());
  EXPECT_EQ(session.unacked_bytes(), 0u);
  EXPECT_EQ(session.next_seq(), 1u);
  EXPECT_EQ(start(session, new_session("you", "s3"))->reason.code, ErrorCode::session_expired);
}

TEST(ClientSessionTest, QueueRefusesPastTheCapAndKeepsNothing) {
  ClientSession session(25);
  (void)start(session, new_session("me", "s1"));
  ASSERT_TRUE(session.queue(envelope::Publish{1}, 20).ok());
  const auto full = session.queue(envelope::Publish{2}, 6);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::buffer_full);
  EXPECT_EQ(session.unacked_bytes(), 20u);
  EXPECT_EQ(session.next_seq(), 2u);
}

TEST(ClientSessionTest, ClearForgetsEverything) {
  ClientSession session(1024);
  (void)start(session, new_session("me", "s1"));
  ASSERT_TRUE(session.queue(envelope::Leave{}, 10).ok());
  session.clear();
  EXPECT_FALSE(session.exists());
  EXPECT_EQ(session.unacked_bytes(), 0u);
  EXPECT_EQ(start(session, new_session("me", "s2")), std::nullopt);
}

TEST(ClientSessionTest, AResumeWithoutASessionIsRefusedAndChangesNothing) {
  ClientSession session(1024);
  const auto refused = session.welcome(resumed("t", 0));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_state);
  EXPECT_EQ(session.state(), SessionState::none);
  EXPECT_EQ(to_string(SessionState::ended), "ended");
}

TEST(ClientSessionTest, OnlyRepliesThatDropTheSessionEndIt) {
  EXPECT_TRUE(ClientSession::ends_session(ErrorCode::buffer_overflow));
  EXPECT_TRUE(ClientSession::ends_session(ErrorCode::token_expired));
  EXPECT_FALSE(ClientSession::ends_session(ErrorCode::rate_limited));
  EXPECT_FALSE(ClientSession::ends_session(ErrorCode::invalid_room));
}

}  // namespace
}  // namespace rtcwire::session
