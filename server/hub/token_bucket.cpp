#include "token_bucket.hpp"

#include <algorithm>

namespace rtcwire::server {

bool TokenBucket::try_take(double amount, Millis now) {
  refill(now);
  if (tokens_ < amount && tokens_ < burst_) return false;
  tokens_ -= amount;
  return true;
}

double TokenBucket::tokens(Millis now) {
  refill(now);
  return tokens_;
}

void TokenBucket::refill(Millis now) {
  // A clock that steps back refills nothing rather than draining the bucket.
  if (now <= updated_) return;
  const double elapsed_seconds = static_cast<double>((now - updated_).count()) / 1000.0;
  tokens_ = std::min(burst_, tokens_ + elapsed_seconds * rate_);
  updated_ = now;
}

}  // namespace rtcwire::server
