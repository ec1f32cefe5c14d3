#include "rate_memory.hpp"

#include <utility>

namespace rtcwire::server {

void RateMemory::keep(const std::string& address, SenderLimiter limiter, Millis now) {
  forget_expired(now);
  // Unknown addresses (tests, a proxy's own requests) share nothing.
  if (address.empty() || limiter.rested(now)) return;
  if (entries_.size() >= kMaxEntries) forget_oldest();
  const std::uint64_t id = next_id_++;
  entries_.emplace(id, Entry{address, std::move(limiter), now});
  ids_by_address_[address].push_back(id);
}

std::optional<SenderLimiter> RateMemory::take(const std::string& address, Millis now) {
  forget_expired(now);
  const auto ids = ids_by_address_.find(address);
  if (ids == ids_by_address_.end()) return std::nullopt;
  const auto entry = entries_.find(ids->second.front());
  SenderLimiter limiter = std::move(entry->second.limiter);
  entries_.erase(entry);
  ids->second.pop_front();
  if (ids->second.empty()) ids_by_address_.erase(ids);
  return limiter;
}

void RateMemory::forget_expired(Millis now) {
  while (!entries_.empty() && entries_.begin()->second.kept_at + kRetention <= now) {
    forget_oldest();
  }
}

void RateMemory::forget_oldest() {
  // Entries and each address's ids are both in keeping order, so the oldest entry is the first
  // of its address.
  const auto oldest = entries_.begin();
  const auto ids = ids_by_address_.find(oldest->second.address);
  ids->second.pop_front();
  if (ids->second.empty()) ids_by_address_.erase(ids);
  entries_.erase(oldest);
}

}  // namespace rtcwire::server
