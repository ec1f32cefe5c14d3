#include "rtcwire/engineio/server_url.hpp"

#include <gtest/gtest.h>

namespace rtcwire::engineio {
namespace {

std::string endpoint(const char* url) {
  auto parsed = parse_server_url(url);
  EXPECT_TRUE(parsed.ok()) << url;
  return parsed ? parsed.value().endpoint(TransportKind::websocket) : "";
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

TEST(ServerUrlTest, BuildsHttpEndpointsWithTheSessionId) {
  auto url = parse_server_url("ws://h:1/?token=abc").value();
  EXPECT_EQ(url.endpoint(TransportKind::polling),
            "http://h:1/engine.io/?EIO=4&transport=polling&token=abc");
  EXPECT_EQ(url.endpoint(TransportKind::sse, "S1d"),
            "http://h:1/engine.io/?EIO=4&transport=sse&sid=S1d&token=abc");
  EXPECT_EQ(url.endpoint(TransportKind::websocket, "S1d"),
            "ws://h:1/engine.io/?EIO=4&transport=websocket&sid=S1d&token=abc");
  EXPECT_EQ(parse_server_url("wss://h").value().endpoint(TransportKind::polling),
            "https://h/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(url.origin_key(), "http://h:1/engine.io/");
}

TEST(ServerUrlTest, RejectsWhatIsNotAServerUrl) {
  for (const char* url : {"", "127.0.0.1:8080", "ftp://h", "http://", "http:///path",
                          "http://user@h", "http://h/a b", "http://h/#frag", "javascript://x"}) {
    auto parsed = parse_server_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code, base::ErrorCode::invalid_argument);
    EXPECT_EQ(parsed.error().origin, base::ErrorOrigin::local);
  }
  EXPECT_FALSE(parse_server_url("http://h/" + std::string(3000, 'a')).ok());
}

}  // namespace
}  // namespace rtcwire::engineio
