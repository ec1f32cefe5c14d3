#include "engineio_handshake.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace rtcwire::server {
namespace {

bool live_sid(std::string_view sid) { return sid == "live"; }

std::optional<HandshakeError> check(std::string_view query, bool upgrade = true,
                                    bool is_get = true) {
  return check_handshake({is_get, upgrade, query}, live_sid);
}

TEST(EngineioHandshake, AcceptsAWebsocketUpgradeWithEio4) {
  EXPECT_EQ(check("EIO=4&transport=websocket"), std::nullopt);
  EXPECT_EQ(check("transport=websocket&EIO=4&t=abc"), std::nullopt);
  EXPECT_EQ(check("EIO=4&transport=websocket&sid="), std::nullopt);  // empty sid: no sid
}

TEST(EngineioHandshake, UnknownTransport) {
  EXPECT_EQ(check("EIO=4&transport=polling"), HandshakeError::unknown_transport);
  EXPECT_EQ(check("EIO=4"), HandshakeError::unknown_transport);
  EXPECT_EQ(check("EIO=4&transport=webtransport"), HandshakeError::unknown_transport);
  EXPECT_EQ(check("EIO=4&transport=WebSocket"), HandshakeError::unknown_transport);
  // The transport is checked first, as the stock server does.
  EXPECT_EQ(check("EIO=9&transport=sse&sid=nope", false, false), HandshakeError::unknown_transport);
}

TEST(EngineioHandshake, UnknownSid) {
  EXPECT_EQ(check("EIO=4&transport=websocket&sid=nope"), HandshakeError::unknown_sid);
  EXPECT_EQ(check("EIO=3&transport=websocket&sid=nope", false, false), HandshakeError::unknown_sid);
}

TEST(EngineioHandshake, LiveSidCannotUpgradeAgain) {
  EXPECT_EQ(check("EIO=4&transport=websocket&sid=live"), HandshakeError::bad_request);
}

TEST(EngineioHandshake, HandshakeMustBeGet) {
  EXPECT_EQ(check("EIO=4&transport=websocket", false, false), HandshakeError::bad_handshake_method);
}

TEST(EngineioHandshake, WebsocketWithoutUpgradeIsABadRequest) {
  EXPECT_EQ(check("EIO=4&transport=websocket", false), HandshakeError::bad_request);
  EXPECT_EQ(check("EIO=3&transport=websocket", false), HandshakeError::bad_request);
}

TEST(EngineioHandshake, OnlyProtocolVersion4) {
  EXPECT_EQ(check("EIO=3&transport=websocket"), HandshakeError::unsupported_protocol_version);
  EXPECT_EQ(check("transport=websocket"), HandshakeError::unsupported_protocol_version);
  EXPECT_EQ(check("EIO=44&transport=websocket"), HandshakeError::unsupported_protocol_version);
}

TEST(EngineioHandshake, QueryValuesArePercentDecoded) {
  EXPECT_EQ(check("EIO=%34&transport=web%73ocket"), std::nullopt);
  EXPECT_EQ(check("EIO=4&transport=websocket&sid=l%69ve"), HandshakeError::bad_request);
}

TEST(EngineioHandshake, ErrorBodiesAreTheStockOnes) {
  const auto body = [](HandshakeError error) { return nlohmann::json::parse(json_body_of(error)); };
  EXPECT_EQ(body(HandshakeError::unknown_transport),
            (nlohmann::json{{"code", 0}, {"message", "Transport unknown"}}));
  EXPECT_EQ(body(HandshakeError::unknown_sid),
            (nlohmann::json{{"code", 1}, {"message", "Session ID unknown"}}));
  EXPECT_EQ(body(HandshakeError::bad_handshake_method),
            (nlohmann::json{{"code", 2}, {"message", "Bad handshake method"}}));
  EXPECT_EQ(body(HandshakeError::bad_request),
            (nlohmann::json{{"code", 3}, {"message", "Bad request"}}));
  EXPECT_EQ(body(HandshakeError::forbidden),
            (nlohmann::json{{"code", 4}, {"message", "Forbidden"}}));
  EXPECT_EQ(body(HandshakeError::unsupported_protocol_version),
            (nlohmann::json{{"code", 5}, {"message", "Unsupported protocol version"}}));
  EXPECT_EQ(http_status_of(HandshakeError::forbidden), 403u);
  EXPECT_EQ(http_status_of(HandshakeError::unknown_sid), 400u);
}

}  // namespace
}  // namespace rtcwire::server
