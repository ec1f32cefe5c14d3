// What a request to /engine.io/ asks for, or why it is refused, with the error codes, messages and
// precedence of the stock node `engine.io` server (Server.errors and verify() in its server.js).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "transport_set.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

// Values of the stock server's Server.errors.
enum class HandshakeError {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

std::string_view message_of(HandshakeError error);
// 403 for forbidden, 400 otherwise, as the stock server answers.
unsigned http_status_of(HandshakeError error);
// {"code":N,"message":"..."}; `message` replaces the stock one when given.
std::string json_body_of(HandshakeError error, std::string_view message = {});

enum class RequestMethod { get, post, other };

struct HandshakeRequest {
  RequestMethod method = RequestMethod::get;
  bool websocket_upgrade = false;
  std::string_view query;  // without '?'
};

// What the server knows of a live session when a request names its sid.
struct SessionView {
  TransportKind transport = TransportKind::websocket;
  bool upgrading = false;  // a websocket probe is in progress
};

enum class EngineIoAction {
  open,            // a new session on `transport`
  upgrade,         // a websocket probing to take over session `sid`
  refuse_upgrade,  // a websocket for a session that cannot upgrade: accepted, then closed (stock)
  poll,            // a long-polling GET of session `sid`
  post,            // an upstream payload for session `sid` (polling or sse)
  unsupported,     // another method on a live session: the stock server answers 500
};

struct EngineIoRoute {
  EngineIoAction action = EngineIoAction::open;
  TransportKind transport = TransportKind::websocket;
  std::string sid;

  bool operator==(const EngineIoRoute&) const = default;
};

using SessionLookup = std::function<std::optional<SessionView>(std::string_view sid)>;

std::variant<EngineIoRoute, HandshakeError> route_engineio_request(
    const HandshakeRequest& request, const TransportSet& enabled,
    const SessionLookup& find_session);

}  // namespace rtcwire::server
