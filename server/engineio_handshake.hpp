// Whether a request to /engine.io/ may open an Engine.IO session, with the same error codes,
// messages and precedence as the stock node `engine.io` server (Server.errors in its server.js).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace rtcwire::server {

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
// {"code":N,"message":"..."}
std::string json_body_of(HandshakeError error);

struct HandshakeRequest {
  bool is_get = true;
  bool websocket_upgrade = false;
  std::string_view query;  // without '?'
};

// Only the websocket transport exists for now, so every session is already on websocket: a
// request naming a live sid is an upgrade of a session that cannot upgrade, a bad request.
std::optional<HandshakeError> check_handshake(
    const HandshakeRequest& request, const std::function<bool(std::string_view sid)>& sid_exists);

}  // namespace rtcwire::server
