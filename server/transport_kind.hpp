// The Engine.IO transports rtcwire-server speaks: the two of the protocol and the SSE extension.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace rtcwire::server {

enum class TransportKind { websocket, polling, sse };

// The value of the `transport` query parameter.
std::string_view to_string(TransportKind kind);
// Exact, case-sensitive names, as the stock server matches them.
std::optional<TransportKind> parse_transport_kind(std::string_view name);

// Which transports the server accepts (`--transports`).
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
