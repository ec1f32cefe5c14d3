#include "websocket_handshake.hpp"

#include <openssl/evp.h>

#include <array>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/verb.hpp>

namespace rtcwire::server {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// A nonce of 16 bytes in base64 is 22 characters and "==" (section 4.1).
bool is_valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (const char c : key.substr(0, 22)) {
    if (!is_base64_char(c)) return false;
  }
  return true;
}

WebSocketHandshakeAnswer refuse(std::string_view status, std::string_view extra_header,
                                std::string_view reason) {
  std::string response = "HTTP/1.1 ";
  response += status;
  response += "\r\nServer: rtcwire-server\r\nConnection: close\r\n";
  response += extra_header;
  response += "Content-Type: text/plain\r\nContent-Length: ";
  response += std::to_string(reason.size());
  response += "\r\n\r\n";
  response += reason;
  return {false, std::move(response)};
}

}  // namespace

std::string websocket_accept_key(std::string_view client_key) {
  std::string keyed(client_key);
  keyed += kGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(keyed.data(), keyed.size(), digest.data(), &digest_size, EVP_sha1(), nullptr);
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
  const int encoded_size = EVP_EncodeBlock(encoded.data(), digest.data(), digest_size);
  return std::string(reinterpret_cast<const char*>(encoded.data()), encoded_size);
}

WebSocketHandshakeAnswer answer_websocket_upgrade(const http::request<http::string_body>& request) {
  if (request.method() != http::verb::get) return refuse("400 Bad Request", "", "not a GET");
  if (request.version() != 11) return refuse("400 Bad Request", "", "not HTTP/1.1");
  if (request.find(http::field::host) == request.end()) {
    return refuse("400 Bad Request", "", "no Host");
  }
  if (!http::token_list(request[http::field::connection]).exists("upgrade")) {
    return refuse("400 Bad Request", "", "no Connection: upgrade");
  }
  if (!http::token_list(request[http::field::upgrade]).exists("websocket")) {
    return refuse("400 Bad Request", "", "no Upgrade: websocket");
  }
  const std::string_view key = request[http::field::sec_websocket_key];
  if (!is_valid_key(key)) return refuse("400 Bad Request", "", "bad Sec-WebSocket-Key");
  const auto version = request.find(http::field::sec_websocket_version);
  if (version == request.end()) return refuse("400 Bad Request", "", "no Sec-WebSocket-Version");
  if (version->value() != "13") {
    return refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
                  "unsupported Sec-WebSocket-Version");
  }
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Server: rtcwire-server\r\nSec-WebSocket-Accept: ";
  response += websocket_accept_key(key);
  response += "\r\n\r\n";
  return {true, std::move(response)};
}

}  // namespace rtcwire::server
