// The server's side of the websocket opening handshake (RFC 6455 section 4.2), sans-I/O: checks an
// upgrade request and lays out the answer, `101 Switching Protocols` or the refusal. No
// extension or subprotocol is ever agreed: the frames that follow are plain RFC 6455.
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace rtcwire::server {

struct WebSocketHandshakeAnswer {
  bool accepted = false;
  std::string response;  // the whole HTTP response, header and body
};

// 101 for a valid upgrade; 400 for a request that is not one (method, version, Host, Connection,
// Upgrade, a key that is not 16 bytes in base64); 426 naming version 13 for another version.
WebSocketHandshakeAnswer answer_websocket_upgrade(
    const boost::beast::http::request<boost::beast::http::string_body>& request);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string websocket_accept_key(std::string_view client_key);

}  // namespace rtcwire::server
