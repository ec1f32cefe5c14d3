// What the rate limiters of closed connections had left, per client address (address_key), so a
// sender cannot refill its buckets by reconnecting (docs/server.md, "Fairness"). A new connection
// from the address takes one kept limiter over, the one kept longest; clients sharing an address
// (NAT) each still get their own limiter while connected. Bounded in entries and in time: an entry
// older than the retention would have refilled anyway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "rtcwire/base/time.hpp"
#include "sender_limits.hpp"

namespace rtcwire::server {

using base::Millis;

class RateMemory {
 public:
  static constexpr std::size_t kMaxEntries = 16384;
  static constexpr Millis kRetention{60000};

  // Keeps `limiter` for `address` unless it has nothing to remember (rested). The oldest entry
  // gives way when the table is full.
  void keep(const std::string& address, SenderLimiter limiter, Millis now);
  // The limiter kept longest for `address`, if any.
  std::optional<SenderLimiter> take(const std::string& address, Millis now);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string address;
    SenderLimiter limiter;
    Millis kept_at;
  };
  void forget_expired(Millis now);
  void forget_oldest();

  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, Entry> entries_;  // by id: oldest first
  std::unordered_map<std::string, std::deque<std::uint64_t>> ids_by_address_;  // oldest first
};

}  // namespace rtcwire::server
