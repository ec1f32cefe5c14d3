// The receiving half of a reliable stream: accepts sequence numbers in order exactly once and
// decides when to send a cumulative ack (every kAckEvery envelopes, or kAckDelay after the first
// unacknowledged one), so acks cost a few percent of the traffic and never wait long.
#pragma once

#include <cstddef>
#include <optional>

#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/base/time.hpp"

namespace rtcwire {

class ReliableInbox {
 public:
  static constexpr std::size_t kAckEvery = 32;
  static constexpr Millis kAckDelay{100};

  enum class Verdict {
    deliver,    // the next in order: process it
    duplicate,  // already received: drop it (the ack that follows tells the sender)
    gap,        // skips ahead: something was lost, which a correct peer never causes
  };

  Verdict receive(envelope::Seq seq, Millis now);

  envelope::Seq last_received() const { return last_received_; }
  // The ack is due now (enough received since the last one).
  bool ack_due() const { return unacked_ >= kAckEvery; }
  // When the pending ack must go out at the latest; empty when nothing awaits an ack.
  std::optional<Millis> ack_deadline() const { return ack_deadline_; }
  // The ack to send now: last_received(), and nothing pending afterwards.
  envelope::Seq take_ack();
  // A new session: numbering restarts at 1.
  void reset();

 private:
  envelope::Seq last_received_ = 0;
  std::size_t unacked_ = 0;
  std::optional<Millis> ack_deadline_;
};

}  // namespace rtcwire
