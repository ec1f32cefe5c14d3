// A token bucket on the hub's clock: `rate` tokens a second, holding at most `burst`.
#pragma once

#include "rtcwire/base/time.hpp"

namespace rtcwire::server {

using base::Millis;

class TokenBucket {
 public:
  // Starts full.
  TokenBucket(double rate_per_second, double burst, Millis now)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), updated_(now) {}

  // Takes `amount` when the bucket holds that much. A full bucket admits any amount, going into
  // debt, so one item larger than the burst still passes now and then; the long-run rate holds.
  [[nodiscard]] bool try_take(double amount, Millis now);
  double tokens(Millis now);
  // Holds its whole burst again: it remembers nothing of what was taken.
  bool full(Millis now) { return tokens(now) >= burst_; }

 private:
  void refill(Millis now);

  double rate_;
  double burst_;
  double tokens_;
  Millis updated_;
};

}  // namespace rtcwire::server
