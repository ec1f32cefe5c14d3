#include "rtcwire/server_url.hpp"

#include <gtest/gtest.h>

namespace rtcwire {
namespace {

std::string endpoint(const char* url) {
  auto parsed = parse_server_url(url);
  EXPECT_TRUE(parsed.ok()) << url;
  return parsed ? parsed.value().websocket_endpoint() : "";
}

TEST(ServerUrlTest, BuildsTheWebsocketEndpoint) {
  EXPECT_EQ(endpoint("http://127.0.0.1:8080"),
            "ws://127.0.0.1:8080/engine.io/?EIO=4&transport=websocket");
  EXPECT_EQ(endpoint("https://example.test/"),
            "wss://example.test/engine.io/?EIO=4&transport=websocket");
  EXPECT_EQ(endpoint("ws://h:1/custom/path?token=abc"),
            "ws://h:1/custom/path/?EIO=4&transport=websocket&token=abc");
  EXPECT_EQ(endpoint("wss://h?x=1"), "wss://h/engine.io/?EIO=4&transport=websocket&x=1");
}

TEST(ServerUrlTest, RejectsWhatIsNotAServerUrl) {
  for (const char* url : {"", "127.0.0.1:8080", "ftp://h", "http://", "http:///path",
                          "http://user@h", "http://h/a b", "http://h/#frag", "javascript://x"}) {
    auto parsed = parse_server_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(parsed.error().origin, ErrorOrigin::local);
  }
  EXPECT_FALSE(parse_server_url("http://h/" + std::string(3000, 'a')).ok());
}

}  // namespace
}  // namespace rtcwire
