// What the core asks the platform to do with transports. Every action names the transport
// generation it is for; the platform echoes the generation back with each transport event, so
// events from a transport the core has already replaced are recognised and dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace rtcwire {

enum class TransportKind { websocket };

std::string_view to_string(TransportKind kind);

struct OpenTransport {
  uint32_t generation = 0;
  TransportKind kind = TransportKind::websocket;
  std::string url;
  bool operator==(const OpenTransport&) const = default;
};

struct SendFrame {  // one websocket text frame
  uint32_t generation = 0;
  std::string text;
  bool operator==(const SendFrame&) const = default;
};

struct CloseTransport {
  uint32_t generation = 0;
  bool operator==(const CloseTransport&) const = default;
};

using TransportAction = std::variant<OpenTransport, SendFrame, CloseTransport>;

}  // namespace rtcwire
