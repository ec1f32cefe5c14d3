// The websocket opening handshake: the RFC 6455 example key, and each reason to refuse.
#include "websocket_handshake.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace rtcwire::server {
namespace {

namespace http = boost::beast::http;

http::request<http::string_body> upgrade() {
  http::request<http::string_body> request(http::verb::get, "/engine.io/?EIO=4", 11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::connection, "keep-alive, Upgrade");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  request.set(http::field::sec_websocket_version, "13");
  request.set(http::field::sec_websocket_extensions, "permessage-deflate; client_max_window_bits");
  return request;
}

std::string status_line(const WebSocketHandshakeAnswer& answer) {
  return answer.response.substr(0, answer.response.find("\r\n"));
}

TEST(WebSocketHandshakeTest, TheAcceptKeyIsTheRfcExample) {
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshakeTest, AValidUpgradeIsAnsweredWith101AndNoExtension) {
  const WebSocketHandshakeAnswer answer = answer_websocket_upgrade(upgrade());
  EXPECT_TRUE(answer.accepted);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 101 Switching Protocols");
  EXPECT_NE(answer.response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_NE(answer.response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_EQ(answer.response.find("Extensions"), std::string::npos);
  EXPECT_TRUE(answer.response.ends_with("\r\n\r\n"));
}

TEST(WebSocketHandshakeTest, RequestsThatAreNotUpgradesAreRefusedWith400) {
  auto post = upgrade();
  post.method(http::verb::post);
  auto old = upgrade();
  old.version(10);
  auto no_host = upgrade();
  no_host.erase(http::field::host);
  auto no_connection = upgrade();
  no_connection.set(http::field::connection, "keep-alive");
  auto no_upgrade = upgrade();
  no_upgrade.set(http::field::upgrade, "h2c");
  auto short_key = upgrade();
  short_key.set(http::field::sec_websocket_key, "c2hvcnQ=");
  auto bad_key = upgrade();
  bad_key.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25j!Q==");
  auto no_key = upgrade();
  no_key.erase(http::field::sec_websocket_key);
  auto no_version = upgrade();
  no_version.erase(http::field::sec_websocket_version);
  for (const auto& request :
       {post, old, no_host, no_connection, no_upgrade, short_key, bad_key, no_key, no_version}) {
    const WebSocketHandshakeAnswer answer = answer_websocket_upgrade(request);
    EXPECT_FALSE(answer.accepted);
    EXPECT_EQ(status_line(answer), "HTTP/1.1 400 Bad Request");
    EXPECT_NE(answer.response.find("\r\nConnection: close\r\n"), std::string::npos);
  }
}

TEST(WebSocketHandshakeTest, AnotherVersionIsRefusedWith426NamingVersion13) {
  auto request = upgrade();
  request.set(http::field::sec_websocket_version, "8");
  const WebSocketHandshakeAnswer answer = answer_websocket_upgrade(request);
  EXPECT_FALSE(answer.accepted);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 426 Upgrade Required");
  EXPECT_NE(answer.response.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

}  // namespace
}  // namespace rtcwire::server
