#include "engineio_handshake.hpp"

#include "rtcwire/base/json_writer.hpp"
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

std::string json_body_of(HandshakeError error, std::string_view message) {
  std::string body = "{\"code\":";
  base::json_writer::put_number(body, static_cast<int>(error));
  base::json_writer::put_key(body, "message");
  base::json_writer::put_string(body, message.empty() ? message_of(error) : message);
  body += '}';
  return body;
}

std::variant<EngineIoRoute, HandshakeError> route_engineio_request(
    const HandshakeRequest& request, const TransportSet& enabled,
    const SessionLookup& find_session) {
  // Same order of checks as the stock server: verify() first, then handshake().
  const auto transport_name = query_parameter(request.query, "transport");
  const auto transport =
      transport_name ? engineio::transport_kind_from_string(*transport_name) : std::nullopt;
  if (!transport || !enabled.contains(*transport)) return HandshakeError::unknown_transport;
  const bool eio4 = query_parameter(request.query, "EIO") == "4";

  // The stock server treats an empty sid as no sid.
  if (const auto sid = query_parameter(request.query, "sid"); sid && !sid->empty()) {
    const auto session = find_session(*sid);
    if (!session) return HandshakeError::unknown_sid;
    if (!eio4) return HandshakeError::bad_request;  // protocol mismatch with the session
    if (request.websocket_upgrade) {
      if (*transport != TransportKind::websocket) return HandshakeError::bad_request;
      if (session->transport == TransportKind::websocket || session->upgrading) {
        return EngineIoRoute{EngineIoAction::refuse_upgrade, *transport, *sid};
      }
      return EngineIoRoute{EngineIoAction::upgrade, *transport, *sid};
    }
    // A plain request must use the session's current transport, and websocket takes none.
    if (*transport != session->transport || *transport == TransportKind::websocket) {
      return HandshakeError::bad_request;
    }
    switch (request.method) {
      case RequestMethod::get:
        // An SSE session has its one stream already; a second one is a protocol error.
        if (*transport == TransportKind::sse) return HandshakeError::bad_request;
        return EngineIoRoute{EngineIoAction::poll, *transport, *sid};
      case RequestMethod::post:
        return EngineIoRoute{EngineIoAction::post, *transport, *sid};
      case RequestMethod::other:
        break;
    }
    return EngineIoRoute{EngineIoAction::unsupported, *transport, *sid};
  }

  if (request.method != RequestMethod::get) return HandshakeError::bad_handshake_method;
  // Websocket sessions open with an upgrade, the HTTP transports without one.
  if (request.websocket_upgrade != (*transport == TransportKind::websocket)) {
    return HandshakeError::bad_request;
  }
  if (!eio4) return HandshakeError::unsupported_protocol_version;
  return EngineIoRoute{EngineIoAction::open, *transport, {}};
}

}  // namespace rtcwire::server
