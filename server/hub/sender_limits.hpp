// What one connection may send (docs/server.md, "Fairness"): token buckets for envelopes and bytes
// a second, and a tally of refusals that disconnects a sender which keeps going over.
#pragma once

#include <cstddef>
#include <string_view>

#include "rtcwire/base/time.hpp"
#include "token_bucket.hpp"

namespace rtcwire::server {

using base::Millis;

struct RateLimits {
  std::size_t messages_per_second = 1000;  // envelopes of any type, acks included
  std::size_t message_burst = 2000;
  // Bytes count once as received and once more for every peer the envelope is relayed to, so a
  // publish to a large room costs what it costs the server.
  std::size_t bytes_per_second = 4 * 1024 * 1024;
  std::size_t byte_burst = 8 * 1024 * 1024;
  // Refusals a sender may collect at once before it is disconnected; a tenth of this is forgiven
  // every second, so only sustained abuse ends a session.
  std::size_t refusal_burst = 100;

  bool operator==(const RateLimits&) const = default;
};

class SenderLimiter {
 public:
  enum class Verdict { admit, refuse, disconnect };
  struct Admission {
    Verdict verdict = Verdict::admit;
    std::string_view limit;  // "envelopes" or "bytes": which one was exceeded
  };

  SenderLimiter(const RateLimits& limits, Millis now);

  // One envelope of `bytes` as received, before it is decoded.
  Admission admit(std::size_t bytes, Millis now);
  // The bytes of relaying a decoded envelope to its recipients.
  Admission admit_relay(std::size_t bytes, Millis now);
  // A refusal for another reason (a receiver not keeping up) that the sender brought on itself.
  // Disconnect when the sender has collected too many.
  Verdict refused(Millis now);
  // Every bucket is full and no refusal is remembered: the same as a new limiter.
  bool rested(Millis now);

 private:
  TokenBucket messages_;
  TokenBucket bytes_;
  TokenBucket refusals_;
};

}  // namespace rtcwire::server
