// The Engine.IO transports rtcwire speaks, best first: the two of the protocol and the SSE
// extension. Client and server share it. Names are the Engine.IO `transport` query values.
#pragma once

#include <optional>
#include <string_view>

namespace rtcwire::engineio {

enum class TransportKind { websocket, sse, polling };

std::string_view to_string(TransportKind kind);
// Exact, case-sensitive names, as the stock server matches them.
std::optional<TransportKind> transport_kind_from_string(std::string_view name);

}  // namespace rtcwire::engineio
