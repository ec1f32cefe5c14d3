#include "transport_kind.hpp"

namespace rtcwire::server {

std::string_view to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::websocket:
      return "websocket";
    case TransportKind::polling:
      return "polling";
    case TransportKind::sse:
      return "sse";
  }
  return "websocket";
}

std::optional<TransportKind> parse_transport_kind(std::string_view name) {
  for (const TransportKind kind :
       {TransportKind::websocket, TransportKind::polling, TransportKind::sse}) {
    if (name == to_string(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace rtcwire::server
