#include "rtcwire/engineio/transport_kind.hpp"

namespace rtcwire::engineio {

std::string_view to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::websocket:
      return "websocket";
    case TransportKind::sse:
      return "sse";
    case TransportKind::polling:
      return "polling";
  }
  return "websocket";
}

std::optional<TransportKind> transport_kind_from_string(std::string_view name) {
  for (auto kind : {TransportKind::websocket, TransportKind::sse, TransportKind::polling}) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace rtcwire::engineio
