#include "connection_limiter.hpp"

#include <utility>

namespace rtcwire::server {

std::string_view to_string(ConnectionRefusal refusal) {
  switch (refusal) {
    case ConnectionRefusal::too_many_connections:
      return "too_many_connections";
    case ConnectionRefusal::too_many_connections_per_ip:
      return "too_many_connections_per_ip";
  }
  return "unknown";
}

ConnectionLimiter::ConnectionLimiter(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

std::optional<ConnectionRefusal> ConnectionLimiter::admit(const std::string& address,
                                                          ConnectionSlot& slot) {
  if (total_ >= max_total_) return ConnectionRefusal::too_many_connections;
  if (!address.empty()) {
    if (const auto refusal = add_address(address)) return refusal;
  }
  ++total_;
  slot.release();
  slot.limiter_ = shared_from_this();
  slot.address_ = address;
  return std::nullopt;
}

std::size_t ConnectionLimiter::of(const std::string& address) const {
  const auto found = per_address_.find(address);
  return found == per_address_.end() ? 0 : found->second;
}

std::optional<ConnectionRefusal> ConnectionLimiter::add_address(const std::string& address) {
  std::size_t& count = per_address_[address];
  if (count >= max_per_address_) {
    if (count == 0) per_address_.erase(address);
    return ConnectionRefusal::too_many_connections_per_ip;
  }
  ++count;
  return std::nullopt;
}

void ConnectionLimiter::remove_address(const std::string& address) {
  if (address.empty()) return;
  const auto found = per_address_.find(address);
  if (found == per_address_.end()) return;
  if (--found->second == 0) per_address_.erase(found);
}

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept
    : limiter_(std::move(other.limiter_)), address_(std::move(other.address_)) {
  other.limiter_.reset();
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    release();
    limiter_ = std::move(other.limiter_);
    address_ = std::move(other.address_);
    other.limiter_.reset();
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() { release(); }

std::optional<ConnectionRefusal> ConnectionSlot::reassign(const std::string& address) {
  if (!limiter_ || address == address_) return std::nullopt;
  if (!address.empty()) {
    if (const auto refusal = limiter_->add_address(address)) return refusal;
  }
  limiter_->remove_address(address_);
  address_ = address;
  return std::nullopt;
}

void ConnectionSlot::release() {
  if (!limiter_) return;
  limiter_->remove_address(address_);
  --limiter_->total_;
  limiter_.reset();
  address_.clear();
}

}  // namespace rtcwire::server
