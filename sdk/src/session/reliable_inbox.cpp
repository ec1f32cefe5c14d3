#include "rtcwire/session/reliable_inbox.hpp"

namespace rtcwire::session {

ReliableInbox::Verdict ReliableInbox::receive(envelope::Seq seq, base::Millis now,
                                              std::size_t bytes) {
  if (seq > last_received_ + 1) return Verdict::gap;
  if (!ack_deadline_) ack_deadline_ = now + kAckDelay;
  ++unacked_;
  unacked_bytes_ += bytes;
  if (seq <= last_received_) return Verdict::duplicate;
  last_received_ = seq;
  return Verdict::deliver;
}

envelope::Seq ReliableInbox::take_ack() {
  unacked_ = 0;
  unacked_bytes_ = 0;
  ack_deadline_.reset();
  return last_received_;
}

void ReliableInbox::reset() {
  last_received_ = 0;
  unacked_ = 0;
  unacked_bytes_ = 0;
  ack_deadline_.reset();
}

}  // namespace rtcwire::session
