// What the core asks the platform to do with transports. Every action names the transport
// generation it is for; the platform echoes the generation back with each transport event, so
// events from a transport the core has already replaced are recognised and dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "rtcwire/engineio/transport_kind.hpp"

namespace rtcwire::engineio {

// Opens a WebSocket (websocket) or an EventSource (sse). Polling has no long-lived object: it is
// only HttpRequests.
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

enum class HttpMethod { get, post };

// One HTTP request (polling GET/POST, SSE upstream POST). The platform answers with
// handle_http_response(generation, id, status, body); status 0 means the request failed.
struct HttpRequest {
  uint32_t generation = 0;
  uint32_t id = 0;
  HttpMethod method = HttpMethod::get;
  std::string url;
  std::string body;  // POST only: text/plain;charset=UTF-8
  // Carries the close packet: the platform lets it finish even after CloseTransport, which
  // aborts every other request of the generation.
  bool parting = false;
  bool operator==(const HttpRequest&) const = default;
};

// Closes the WebSocket or EventSource of this generation and aborts its pending requests.
struct CloseTransport {
  uint32_t generation = 0;
  bool operator==(const CloseTransport&) const = default;
};

using TransportAction = std::variant<OpenTransport, SendFrame, HttpRequest, CloseTransport>;

}  // namespace rtcwire::engineio
