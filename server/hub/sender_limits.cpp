#include "sender_limits.hpp"

namespace rtcwire::server {

SenderLimiter::SenderLimiter(const RateLimits& limits, Millis now)
    : messages_(static_cast<double>(limits.messages_per_second),
                static_cast<double>(limits.message_burst), now),
      bytes_(static_cast<double>(limits.bytes_per_second), static_cast<double>(limits.byte_burst),
             now),
      refusals_(static_cast<double>(limits.refusal_burst) / 10.0,
                static_cast<double>(limits.refusal_burst), now) {}

SenderLimiter::Admission SenderLimiter::admit(std::size_t bytes, Millis now) {
  if (!messages_.try_take(1.0, now)) return {refused(now), "envelopes"};
  return admit_relay(bytes, now);
}

SenderLimiter::Admission SenderLimiter::admit_relay(std::size_t bytes, Millis now) {
  if (!bytes_.try_take(static_cast<double>(bytes), now)) return {refused(now), "bytes"};
  return {Verdict::admit, {}};
}

SenderLimiter::Verdict SenderLimiter::refused(Millis now) {
  // Strictly: a full tally must not admit a refusal the way a full token bucket admits a large
  // item.
  return refusals_.tokens(now) >= 1.0 && refusals_.try_take(1.0, now) ? Verdict::refuse
                                                                      : Verdict::disconnect;
}

}  // namespace rtcwire::server
