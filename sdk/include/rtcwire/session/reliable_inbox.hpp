// The receiving half of a reliable stream: accepts sequence numbers in order exactly once and
// decides when to send a cumulative ack (every kAckEvery envelopes or kAckBytes, or kAckDelay after
// the first unacknowledged one), so acks cost a few percent of the traffic and never wait long.
#pragma once

#include <cstddef>
#include <optional>

#include "rtcwire/base/time.hpp"
#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::session {

class ReliableInbox {
 public:
  static constexpr std::size_t kAckEvery = 32;
  static constexpr base::Millis kAckDelay{100};
  // A stream of large envelopes is acknowledged long before 32 of them would fill the sender's
  // share of the other side's resume buffer.
  static constexpr std::size_t kAckBytes = 64 * 1024;

  enum class Verdict {
    deliver,    // the next in order: process it
    duplicate,  // already received: drop it (the ack that follows tells the sender)
    gap,        // skips ahead: something was lost, which a correct peer never causes
  };

  // `bytes`: the envelope's encoded size, counted toward kAckBytes.
  Verdict receive(envelope::Seq seq, base::Millis now, std::size_t bytes = 0);

  envelope::Seq last_received() const { return last_received_; }
  // The ack is due now (enough received since the last one).
  bool ack_due() const { return unacked_ >= kAckEvery || unacked_bytes_ >= kAckBytes; }
  // When the pending ack must go out at the latest; empty when nothing awaits an ack.
  std::optional<base::Millis> ack_deadline() const { return ack_deadline_; }
  // The ack to send now: last_received(), and nothing pending afterwards.
  envelope::Seq take_ack();
  // A new session: numbering restarts at 1.
  void reset();

 private:
  envelope::Seq last_received_ = 0;
  std::size_t unacked_ = 0;
  std::size_t unacked_bytes_ = 0;
  std::optional<base::Millis> ack_deadline_;
};

}  // namespace rtcwire::session
