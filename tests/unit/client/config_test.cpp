#include "rtcwire/client/config.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace rtcwire::client {
namespace {

TEST(ClientConfigTest, ReadsEveryField) {
  const auto config = parse_client_config(R"({
    "url": "https://example.test", "sdk": "rtcwire-js/1", "handshakeTimeoutMs": 1500,
    "transports": ["polling", "websocket"], "remembered": {"transport": "sse", "until": 1234.9},
    "reconnect": {"initialDelayMs": 10, "factor": 1.5, "maxDelayMs": 100, "maxAttempts": 3},
    "resumeBufferBytes": 4096, "randomSeed": 7, "unknownField": {"ignored": true}})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ClientConfig& c = config.value();
  EXPECT_EQ(c.url, "https://example.test");
  EXPECT_EQ(c.sdk, "rtcwire-js/1");
  EXPECT_EQ(c.handshake_timeout, base::Millis(1500));
  EXPECT_EQ(c.transports,
            (std::vector{engineio::TransportKind::polling, engineio::TransportKind::websocket}));
  ASSERT_TRUE(c.remembered);
  EXPECT_EQ(c.remembered->kind, engineio::TransportKind::sse);
  EXPECT_EQ(c.remembered->until, base::Millis(1234));
  EXPECT_EQ(c.reconnect.initial, base::Millis(10));
  EXPECT_EQ(c.reconnect.factor, 1.5);
  EXPECT_EQ(c.reconnect.cap, base::Millis(100));
  EXPECT_EQ(c.reconnect.max_attempts, 3u);
  EXPECT_EQ(c.resume_buffer_bytes, 4096u);
  EXPECT_EQ(c.random_seed, 7u);
}

TEST(ClientConfigTest, OnlyTheUrlIsRequired) {
  const auto config = parse_client_config(R"({"url": "http://127.0.0.1:1"})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config.value().transports, ClientConfig{}.transports);
  EXPECT_FALSE(config.value().remembered);
}

TEST(ClientConfigTest, RefusesEachBadFieldWithInvalidArgument) {
  const std::vector<std::string> bad{
      "",
      "[]",
      "not json",
      R"({"url": 5})",
      R"({"sdk": "x"})",
      R"({"url": "u", "sdk": 1})",
      R"({"url": "u", "handshakeTimeoutMs": 0})",
      R"({"url": "u", "handshakeTimeoutMs": 3600001})",
      R"({"url": "u", "handshakeTimeoutMs": -1})",
      R"({"url": "u", "handshakeTimeoutMs": 1.5})",
      R"({"url": "u", "transports": []})",
      R"({"url": "u", "transports": ["websocket", "websocket"]})",
      R"({"url": "u", "transports": ["carrier-pigeon"]})",
      R"({"url": "u", "transports": ["websocket", "sse", "polling", "sse"]})",
      R"({"url": "u", "transports": "websocket"})",
      R"({"url": "u", "remembered": {"transport": "sse"}})",
      R"({"url": "u", "remembered": {"transport": "x", "until": 1}})",
      R"({"url": "u", "remembered": []})",
      R"({"url": "u", "reconnect": {"initialDelayMs": 0}})",
      R"({"url": "u", "reconnect": {"factor": 11}})",
      R"({"url": "u", "reconnect": {"initialDelayMs": 100, "maxDelayMs": 50}})",
      R"({"url": "u", "reconnect": {"maxAttempts": -1}})",
      R"({"url": "u", "reconnect": 3})",
      R"({"url": "u", "resumeBufferBytes": 0})",
      R"({"url": "u", "resumeBufferBytes": 268435457})",
      R"({"url": "u", "randomSeed": -3})",
      R"({"url": "u", "randomSeed": "7"})",
      R"({"url": "u", "deep": )" + std::string(100, '[') + std::string(100, ']') + "}",
  };
  for (const std::string& text : bad) {
    const auto config = parse_client_config(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.error().code, base::ErrorCode::invalid_argument) << text;
    EXPECT_EQ(config.error().origin, base::ErrorOrigin::local) << text;
    EXPECT_FALSE(config.error().message.empty()) << text;
  }
}

TEST(ClientConfigTest, JsTimesBecomeWholeMillisecondsAndNonFiniteOnesZero) {
  EXPECT_EQ(millis_from_js(1234.9), base::Millis(1234));
  EXPECT_EQ(millis_from_js(std::numeric_limits<double>::infinity()), base::Millis(0));
  EXPECT_EQ(millis_from_js(std::nan("")), base::Millis(0));
  EXPECT_EQ(millis_from_js(-5), base::Millis(0));
  EXPECT_EQ(millis_from_js(1e300), base::Millis(9007199254740991));
}

}  // namespace
}  // namespace rtcwire::client
