// Which Engine.IO transports the server accepts (`--transports`).
#pragma once

#include <array>
#include <cstddef>

#include "rtcwire/engineio/transport_kind.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

class TransportSet {
 public:
  static TransportSet all() { return TransportSet(true); }
  static TransportSet none() { return TransportSet(false); }

  bool contains(TransportKind kind) const { return enabled_[index(kind)]; }
  void insert(TransportKind kind) { enabled_[index(kind)] = true; }
  bool empty() const { return !enabled_[0] && !enabled_[1] && !enabled_[2]; }

  bool operator==(const TransportSet&) const = default;

 private:
  explicit TransportSet(bool value) : enabled_{value, value, value} {}
  static std::size_t index(TransportKind kind) { return static_cast<std::size_t>(kind); }

  std::array<bool, 3> enabled_;
};

}  // namespace rtcwire::server
