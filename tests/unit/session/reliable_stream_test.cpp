#include <gtest/gtest.h>

#include <string>

#include "rtcwire/session/reliable_inbox.hpp"
#include "rtcwire/session/reliable_outbox.hpp"

namespace rtcwire::session {
namespace {

using Verdict = ReliableInbox::Verdict;

TEST(ReliableOutboxTest, NumbersFromOneAndKeepsUntilAcked) {
  ReliableOutbox<std::string> outbox(100);
  EXPECT_EQ(outbox.push("a", 10), 1u);
  EXPECT_EQ(outbox.push("b", 10), 2u);
  EXPECT_EQ(outbox.push("c", 10), 3u);
  EXPECT_EQ(outbox.bytes(), 30u);
  ASSERT_TRUE(outbox.acknowledge(2).ok());
  ASSERT_EQ(outbox.unacked().size(), 1u);
  EXPECT_EQ(outbox.unacked().front().seq, 3u);
  EXPECT_EQ(outbox.unacked().front().item, "c");
  EXPECT_EQ(outbox.bytes(), 10u);
}

TEST(ReliableOutboxTest, OldAcksAreHarmlessAndFutureAcksAreViolations) {
  ReliableOutbox<std::string> outbox(100);
  (void)outbox.push("a", 1);
  (void)outbox.push("b", 1);
  ASSERT_TRUE(outbox.acknowledge(2).ok());
  EXPECT_TRUE(outbox.acknowledge(1).ok());
  EXPECT_TRUE(outbox.acknowledge(0).ok());
  const base::Status past = outbox.acknowledge(3);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, base::ErrorCode::invalid_sequence);
  EXPECT_EQ(outbox.last_seq(), 2u);
}

TEST(ReliableOutboxTest, RefusesWhatWouldOverflowTheCapAndKeepsNothingOfIt) {
  ReliableOutbox<std::string> outbox(25);
  EXPECT_TRUE(outbox.push("a", 20).has_value());
  EXPECT_FALSE(outbox.push("b", 6).has_value());
  EXPECT_EQ(outbox.unacked().size(), 1u);
  EXPECT_EQ(outbox.last_seq(), 1u);  // the refused item took no number
  EXPECT_EQ(outbox.push("c", 5), 2u);
  ASSERT_TRUE(outbox.acknowledge(2).ok());
  EXPECT_FALSE(outbox.push("too big", 26).has_value());
}

TEST(ReliableOutboxTest, TakeAllEndsTheStream) {
  ReliableOutbox<std::string> outbox(100);
  (void)outbox.push("a", 1);
  (void)outbox.push("b", 1);
  ASSERT_TRUE(outbox.acknowledge(1).ok());
  const auto taken = outbox.take_all();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken.front().item, "b");
  EXPECT_EQ(outbox.bytes(), 0u);
  EXPECT_EQ(outbox.push("c", 1), 1u);
}

TEST(ReliableInboxTest, DeliversInOrderDropsDuplicatesRefusesGaps) {
  ReliableInbox inbox;
  const base::Millis now{1000};
  EXPECT_EQ(inbox.receive(1, now), Verdict::deliver);
  EXPECT_EQ(inbox.receive(2, now), Verdict::deliver);
  EXPECT_EQ(inbox.receive(2, now), Verdict::duplicate);
  EXPECT_EQ(inbox.receive(1, now), Verdict::duplicate);
  EXPECT_EQ(inbox.receive(4, now), Verdict::gap);
  EXPECT_EQ(inbox.last_received(), 2u);
  EXPECT_EQ(inbox.receive(3, now), Verdict::deliver);
  EXPECT_EQ(inbox.last_received(), 3u);
}

TEST(ReliableInboxTest, AcksAfterEnoughBytes) {
  ReliableInbox inbox;
  const base::Millis now{1000};
  const std::size_t half = ReliableInbox::kAckBytes / 2;
  ASSERT_EQ(inbox.receive(1, now, half), Verdict::deliver);
  EXPECT_FALSE(inbox.ack_due());
  ASSERT_EQ(inbox.receive(2, now, half - 1), Verdict::deliver);
  EXPECT_FALSE(inbox.ack_due());
  ASSERT_EQ(inbox.receive(3, now, 1), Verdict::deliver);
  EXPECT_TRUE(inbox.ack_due());
  EXPECT_EQ(inbox.take_ack(), 3u);
  // The count starts over with each ack.
  ASSERT_EQ(inbox.receive(4, now, half), Verdict::deliver);
  EXPECT_FALSE(inbox.ack_due());
}

TEST(ReliableInboxTest, AcksAfterEnoughEnvelopesOrAfterTheDelay) {
  ReliableInbox inbox;
  EXPECT_FALSE(inbox.ack_deadline().has_value());
  const base::Millis start{5000};
  ASSERT_EQ(inbox.receive(1, start), Verdict::deliver);
  EXPECT_EQ(inbox.ack_deadline(), start + ReliableInbox::kAckDelay);
  for (envelope::Seq seq = 2; seq < ReliableInbox::kAckEvery; ++seq) {
    ASSERT_EQ(inbox.receive(seq, start + base::Millis(seq)), Verdict::deliver);
    EXPECT_FALSE(inbox.ack_due());
  }
  // The deadline is set by the first unacked envelope, not pushed back by later ones.
  EXPECT_EQ(inbox.ack_deadline(), start + ReliableInbox::kAckDelay);
  ASSERT_EQ(inbox.receive(ReliableInbox::kAckEvery, start), Verdict::deliver);
  EXPECT_TRUE(inbox.ack_due());
  EXPECT_EQ(inbox.take_ack(), ReliableInbox::kAckEvery);
  EXPECT_FALSE(inbox.ack_due());
  EXPECT_FALSE(inbox.ack_deadline().has_value());
}

TEST(ReliableInboxTest, ADuplicateAsksForAnAck) {
  ReliableInbox inbox;
  ASSERT_EQ(inbox.receive(1, base::Millis{0}), Verdict::deliver);
  (void)inbox.take_ack();
  ASSERT_EQ(inbox.receive(1, base::Millis{10}), Verdict::duplicate);
  EXPECT_EQ(inbox.ack_deadline(), base::Millis{10} + ReliableInbox::kAckDelay);
}

TEST(ReliableInboxTest, AGapIsNotCountedAsReceived) {
  ReliableInbox inbox;
  ASSERT_EQ(inbox.receive(3, base::Millis{0}), Verdict::gap);
  EXPECT_FALSE(inbox.ack_deadline().has_value());
  inbox.reset();
  EXPECT_EQ(inbox.receive(1, base::Millis{0}), Verdict::deliver);
}

}  // namespace
}  // namespace rtcwire::session
