#include "engineio_handshake.hpp"

#include <nlohmann/json.hpp>

#include "url_decoding.hpp"

namespace rtcwire::server {

std::string_view message_of(HandshakeError error) {
  switch (error) {
    case HandshakeError::unknown_transport:
      return "Transport unknown";
    case HandshakeError::unknown_sid:
      return "Session ID unknown";
    case HandshakeError::bad_handshake_method:
      return "Bad handshake method";
    case HandshakeError::bad_request:
      return "Bad request";
    case HandshakeError::forbidden:
      return "Forbidden";
    case HandshakeError::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

unsigned http_status_of(HandshakeError error) {
  return error == HandshakeError::forbidden ? 403 : 400;
}

std::string json_body_of(HandshakeError error) {
  return nlohmann::json{{"code", static_cast<int>(error)}, {"message", message_of(error)}}.dump();
}

std::optional<HandshakeError> check_handshake(
    const HandshakeRequest& request, const std::function<bool(std::string_view sid)>& sid_exists) {
  // Same order of checks as the stock server: verify() first, then handshake().
  if (query_parameter(request.query, "transport") != "websocket") {
    return HandshakeError::unknown_transport;
  }
  // The stock server treats an empty sid as no sid.
  if (const auto sid = query_parameter(request.query, "sid"); sid && !sid->empty()) {
    return sid_exists(*sid) ? HandshakeError::bad_request : HandshakeError::unknown_sid;
  }
  if (!request.is_get) return HandshakeError::bad_handshake_method;
  if (!request.websocket_upgrade) return HandshakeError::bad_request;
  if (query_parameter(request.query, "EIO") != "4") {
    return HandshakeError::unsupported_protocol_version;
  }
  return std::nullopt;
}

}  // namespace rtcwire::server
