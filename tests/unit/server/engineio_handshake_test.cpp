#include "engineio_handshake.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace rtcwire::server {
namespace {

// Live sessions: "ws" on websocket, "poll" on polling, "sse" on SSE, "busy" polling mid-upgrade.
std::optional<SessionView> live(std::string_view sid) {
  if (sid == "ws") return SessionView{TransportKind::websocket, false};
  if (sid == "poll") return SessionView{TransportKind::polling, false};
  if (sid == "sse") return SessionView{TransportKind::sse, false};
  if (sid == "busy") return SessionView{TransportKind::polling, true};
  return std::nullopt;
}

using Routed = std::variant<EngineIoRoute, HandshakeError>;

Routed route(std::string_view query, RequestMethod method = RequestMethod::get,
             bool upgrade = false, TransportSet enabled = TransportSet::all()) {
  return route_engineio_request({method, upgrade, query}, enabled, live);
}

Routed ws_upgrade(std::string_view query) { return route(query, RequestMethod::get, true); }

Routed to(EngineIoAction action, TransportKind transport, std::string sid = {}) {
  return EngineIoRoute{action, transport, std::move(sid)};
}

using enum EngineIoAction;
using enum HandshakeError;
using enum TransportKind;

TEST(EngineIoHandshake, OpensASessionOnEachTransport) {
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket"), to(open, websocket));
  EXPECT_EQ(route("EIO=4&transport=polling"), to(open, polling));
  EXPECT_EQ(route("transport=polling&EIO=4&t=abc"), to(open, polling));
  EXPECT_EQ(route("EIO=4&transport=sse"), to(open, sse));
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket&sid="), to(open, websocket));  // empty sid: none
}

TEST(EngineIoHandshake, UnknownOrDisabledTransport) {
  EXPECT_EQ(route("EIO=4"), Routed(unknown_transport));
  EXPECT_EQ(route("EIO=4&transport=webtransport"), Routed(unknown_transport));
  EXPECT_EQ(route("EIO=4&transport=Polling"), Routed(unknown_transport));
  TransportSet websocket_only = TransportSet::none();
  websocket_only.insert(websocket);
  EXPECT_EQ(route("EIO=4&transport=polling", RequestMethod::get, false, websocket_only),
            Routed(unknown_transport));
  EXPECT_EQ(route("EIO=4&transport=sse&sid=sse", RequestMethod::post, false, websocket_only),
            Routed(unknown_transport));
  // The transport is checked first, as the stock server does.
  EXPECT_EQ(route("EIO=9&transport=bogus&sid=nope", RequestMethod::other),
            Routed(unknown_transport));
}

TEST(EngineIoHandshake, UnknownSid) {
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket&sid=nope"), Routed(unknown_sid));
  EXPECT_EQ(route("EIO=3&transport=polling&sid=nope", RequestMethod::post), Routed(unknown_sid));
}

TEST(EngineIoHandshake, PollingRequestsOfALiveSession) {
  EXPECT_EQ(route("EIO=4&transport=polling&sid=poll"), to(poll, polling, "poll"));
  EXPECT_EQ(route("EIO=4&transport=polling&sid=poll", RequestMethod::post),
            to(post, polling, "poll"));
  // The stock server answers 500 to other methods on a live session.
  EXPECT_EQ(route("EIO=4&transport=polling&sid=poll", RequestMethod::other),
            to(unsupported, polling, "poll"));
}

TEST(EngineIoHandshake, SseRequestsOfALiveSession) {
  EXPECT_EQ(route("EIO=4&transport=sse&sid=sse", RequestMethod::post), to(post, sse, "sse"));
  // The session has its stream: a second one is a bad request.
  EXPECT_EQ(route("EIO=4&transport=sse&sid=sse"), Routed(bad_request));
}

TEST(EngineIoHandshake, TheTransportMustBeTheSessionsOwn) {
  EXPECT_EQ(route("EIO=4&transport=sse&sid=poll", RequestMethod::post), Routed(bad_request));
  EXPECT_EQ(route("EIO=4&transport=polling&sid=sse", RequestMethod::post), Routed(bad_request));
  EXPECT_EQ(route("EIO=4&transport=polling&sid=ws"), Routed(bad_request));  // after an upgrade
  EXPECT_EQ(route("EIO=4&transport=websocket&sid=ws"), Routed(bad_request));
  EXPECT_EQ(route("EIO=4&transport=websocket&sid=ws", RequestMethod::post), Routed(bad_request));
}

TEST(EngineIoHandshake, ProtocolVersionMustMatchTheSession) {
  EXPECT_EQ(route("EIO=3&transport=polling&sid=poll"), Routed(bad_request));
  EXPECT_EQ(route("transport=polling&sid=poll", RequestMethod::post), Routed(bad_request));
}

TEST(EngineIoHandshake, WebsocketUpgradesOfALiveSession) {
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket&sid=poll"), to(upgrade, websocket, "poll"));
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket&sid=sse"), to(upgrade, websocket, "sse"));
  // On websocket already, or probing: accepted and closed, as the stock server does.
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket&sid=ws"), to(refuse_upgrade, websocket, "ws"));
  EXPECT_EQ(ws_upgrade("EIO=4&transport=websocket&sid=busy"),
            to(refuse_upgrade, websocket, "busy"));
  // Only the websocket transport takes upgrades.
  EXPECT_EQ(ws_upgrade("EIO=4&transport=polling&sid=poll"), Routed(bad_request));
}

TEST(EngineIoHandshake, HandshakeMustBeGet) {
  EXPECT_EQ(route("EIO=4&transport=polling", RequestMethod::post), Routed(bad_handshake_method));
  EXPECT_EQ(route("EIO=4&transport=sse", RequestMethod::other), Routed(bad_handshake_method));
  EXPECT_EQ(route("EIO=4&transport=websocket", RequestMethod::post, true),
            Routed(bad_handshake_method));
}

TEST(EngineIoHandshake, WebsocketNeedsAnUpgradeAndTheOthersNone) {
  EXPECT_EQ(route("EIO=4&transport=websocket"), Routed(bad_request));
  EXPECT_EQ(route("EIO=3&transport=websocket"), Routed(bad_request));
  EXPECT_EQ(ws_upgrade("EIO=4&transport=polling"), Routed(bad_request));
  EXPECT_EQ(ws_upgrade("EIO=4&transport=sse"), Routed(bad_request));
}

TEST(EngineIoHandshake, OnlyProtocolVersion4) {
  EXPECT_EQ(ws_upgrade("EIO=3&transport=websocket"), Routed(unsupported_protocol_version));
  EXPECT_EQ(route("transport=polling"), Routed(unsupported_protocol_version));
  EXPECT_EQ(route("EIO=abc&transport=sse"), Routed(unsupported_protocol_version));
  EXPECT_EQ(route("EIO=44&transport=polling"), Routed(unsupported_protocol_version));
}

TEST(EngineIoHandshake, QueryValuesArePercentDecoded) {
  EXPECT_EQ(ws_upgrade("EIO=%34&transport=web%73ocket"), to(open, websocket));
  EXPECT_EQ(route("EIO=4&transport=polling&sid=p%6Fll"), to(poll, polling, "poll"));
}

TEST(EngineIoHandshake, ErrorBodiesAreTheStockOnes) {
  const auto body = [](HandshakeError error, std::string_view message = {}) {
    return nlohmann::json::parse(json_body_of(error, message));
  };
  EXPECT_EQ(body(unknown_transport),
            (nlohmann::json{{"code", 0}, {"message", "Transport unknown"}}));
  EXPECT_EQ(body(unknown_sid), (nlohmann::json{{"code", 1}, {"message", "Session ID unknown"}}));
  EXPECT_EQ(body(bad_handshake_method),
            (nlohmann::json{{"code", 2}, {"message", "Bad handshake method"}}));
  EXPECT_EQ(body(bad_request), (nlohmann::json{{"code", 3}, {"message", "Bad request"}}));
  EXPECT_EQ(body(forbidden), (nlohmann::json{{"code", 4}, {"message", "Forbidden"}}));
  EXPECT_EQ(body(unsupported_protocol_version),
            (nlohmann::json{{"code", 5}, {"message", "Unsupported protocol version"}}));
  EXPECT_EQ(body(forbidden, "Too many sessions"),
            (nlohmann::json{{"code", 4}, {"message", "Too many sessions"}}));
  EXPECT_EQ(json_body_of(unknown_sid), R"({"code":1,"message":"Session ID unknown"})");
  EXPECT_EQ(json_body_of(forbidden, "Too many \"sessions\""),
            R"({"code":4,"message":"Too many \"sessions\""})");
  EXPECT_EQ(http_status_of(forbidden), 403u);
  EXPECT_EQ(http_status_of(unknown_sid), 400u);
}

}  // namespace
}  // namespace rtcwire::server
