#include "rtcwire/client/event_encoding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/scripted_server.hpp"
#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"

namespace rtcwire::client {
namespace {

using envelope::Json;
namespace ev = client_event;

Json parsed(const std::string& text) {
  Json json = Json::parse(text, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << text;
  return json;
}

TEST(ClientEventEncodingTest, ErrorsCarryCodeOriginAndMessage) {
  EXPECT_EQ(parsed(encode_error(base::remote_error(base::ErrorCode::forbidden_room, "no"))),
            (Json{{"code", "forbidden_room"}, {"origin", "remote"}, {"message", "no"}}));
}

TEST(ClientEventEncodingTest, ActionsNameTheirGeneration) {
  EXPECT_EQ(
      parsed(encode_action(engineio::OpenTransport{3, engineio::TransportKind::sse, "http://h/e"})),
      (Json{{"type", "open"}, {"generation", 3}, {"kind", "sse"}, {"url", "http://h/e"}}));
  EXPECT_EQ(parsed(encode_action(engineio::SendFrame{4, "4{\"t\":\"x\"}"})),
            (Json{{"type", "send"}, {"generation", 4}, {"text", "4{\"t\":\"x\"}"}}));
  EXPECT_EQ(parsed(encode_action(engineio::HttpRequest{5, 9, engineio::HttpMethod::post,
                                                       "http://h/p", "b\x1e", true})),
            (Json{{"type", "http"},
                  {"generation", 5},
                  {"id", 9},
                  {"method", "POST"},
                  {"url", "http://h/p"},
                  {"body", "b\x1e"},
                  {"parting", true}}));
  EXPECT_EQ(parsed(encode_action(engineio::CloseTransport{6})),
            (Json{{"type", "close"}, {"generation", 6}}));
}

TEST(ClientEventEncodingTest, StringsAreEscapedAndInvalidUtf8Replaced) {
  const std::string tricky =
      std::string("q\"b\\n\n\x01\x7f", 8) + "é€😀" + "\xff\xc3" + "\xed\xa0\x80";
  const std::string text =
      encode_event(ev::ErrorRaised{base::remote_error(base::ErrorCode::internal, tricky)});
  const Json event = parsed(text);  // valid JSON, so valid UTF-8
  const std::string message = event["error"]["message"];
  EXPECT_EQ(message.substr(0, 17), std::string("q\"b\\n\n\x01\x7f", 8) + "é€😀");
  EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD for the invalid bytes";
  EXPECT_EQ(text.find('\n'), std::string::npos) << "control characters are escaped";
}

TEST(ClientEventEncodingTest, EventsCarryTheirData) {
  ev::StateChanged connected{ClientState::connected, std::nullopt, 0, std::nullopt, true};
  connected.peer_id = "me";
  connected.max_message_bytes = 1024;
  connected.transport = engineio::TransportKind::polling;
  EXPECT_EQ(parsed(encode_event(connected)), (Json{{"type", "state"},
                                                   {"state", "connected"},
                                                   {"resumed", true},
                                                   {"peerId", "me"},
                                                   {"maxMessageBytes", 1024},
                                                   {"transport", "polling"}}));
  EXPECT_EQ(
      parsed(encode_event(ev::StateChanged{
          ClientState::reconnecting, base::local_error(base::ErrorCode::ping_timeout, "quiet"), 2,
          std::nullopt, false})),
      (Json{{"type", "state"},
            {"state", "reconnecting"},
            {"error", {{"code", "ping_timeout"}, {"origin", "local"}, {"message", "quiet"}}},
            {"attempt", 2},
            {"retryIn", nullptr}}));
  EXPECT_EQ(parsed(encode_event(ev::RoomJoined{"lobby", {"a", "b"}, Json{{"a", "ann"}}, 7})),
            (Json{{"type", "joined"},
                  {"room", "lobby"},
                  {"peers", {"a", "b"}},
                  {"users", {{"a", "ann"}}},
                  {"request", 7}}));
  EXPECT_EQ(parsed(encode_event(ev::MessageReceived{"a", ev::MessageKind::direct, Json{{"x", 1}}})),
            (Json{{"type", "message"}, {"from", "a"}, {"kind", "direct"}, {"data", {{"x", 1}}}}));
  EXPECT_EQ(parsed(encode_event(
                ev::ErrorRaised{base::remote_error(base::ErrorCode::forbidden_room, "no"), 3})),
            (Json{{"type", "error"},
                  {"error", {{"code", "forbidden_room"}, {"origin", "remote"}, {"message", "no"}}},
                  {"request", 3}}));
  EXPECT_EQ(parsed(encode_event(ev::TokenNeeded{})), (Json{{"type", "token-needed"}}));
}

TEST(ClientEventEncodingTest, ResyncListsRequestsAsTheAppMadeThem) {
  const Json event = parsed(encode_event(
      ev::Resync{base::remote_error(base::ErrorCode::session_expired, "gone"),
                 {envelope::Join{"lobby", 4}, envelope::Leave{}, envelope::Publish{Json{1, 2}},
                  envelope::DirectTo{"p", "hi"}, envelope::SignalTo{"p", Json{{"sdp", "x"}}}}}));
  EXPECT_EQ(event["undelivered"],
            (Json{{{"type", "join"}, {"room", "lobby"}},
                  {{"type", "leave"}},
                  {{"type", "publish"}, {"data", {1, 2}}},
                  {{"type", "direct"}, {"to", "p"}, {"data", "hi"}},
                  {{"type", "signal"}, {"to", "p"}, {"data", {{"sdp", "x"}}}}}));
}

TEST(ClientEventEncodingTest, AReplyCarriesTheOutputsAndDrainsTheClient) {
  testing::ScriptedServer server;
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const Json outputs = parsed(encode_reply(server.client));
  ASSERT_EQ(outputs["actions"].size(), 1u);
  EXPECT_EQ(outputs["actions"][0]["type"], "open");
  ASSERT_EQ(outputs["events"].size(), 1u);
  EXPECT_EQ(outputs["events"][0]["state"], "connecting");
  EXPECT_EQ(outputs["timeout"], 6000);  // the handshake deadline
  EXPECT_EQ(parsed(encode_reply(server.client)), (Json{{"actions", Json::array()},
                                                       {"peer", Json::array()},
                                                       {"events", Json::array()},
                                                       {"timeout", 6000}}));
}

// A call's own answer, an error or a result, comes first in the same reply as its outputs.
TEST(ClientEventEncodingTest, AReplyCarriesTheCallsErrorOrResultWithTheOutputs) {
  testing::ScriptedServer server;
  const Json refused =
      parsed(encode_reply(server.client, base::local_error(base::ErrorCode::not_connected, "no")));
  EXPECT_EQ(refused,
            (Json{{"error", {{"code", "not_connected"}, {"origin", "local"}, {"message", "no"}}},
                  {"actions", Json::array()},
                  {"peer", Json::array()},
                  {"events", Json::array()},
                  {"timeout", nullptr}}));
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const Json answered = parsed(encode_result_reply(server.client, R"({"verdict":"store"})"));
  EXPECT_EQ(answered["result"], (Json{{"verdict", "store"}}));
  ASSERT_EQ(answered["actions"].size(), 1u);
  EXPECT_EQ(answered["actions"][0]["type"], "open");
  EXPECT_EQ(answered["events"].size(), 1u);
  EXPECT_EQ(parsed(encode_result_reply(server.client, "7"))["result"], 7);
  EXPECT_TRUE(parsed(encode_reply(server.client))["actions"].empty());
}

// A welcome and the server's close in one polling payload: `connected` still names the transport
// and the peer id the welcome gave, although both are gone when the outputs are taken.
TEST(ClientEventEncodingTest, ConnectedNamesItsTransportWhenTheCloseCameInTheSamePayload) {
  ClientConfig config = testing::default_client_config();
  config.transports = {engineio::TransportKind::polling};
  testing::ScriptedServer server(config);
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto handshake = std::get<engineio::HttpRequest>(server.take_actions().at(0));
  server.client.handle_http_response(
      handshake.generation, handshake.id, 200,
      "0" + engineio::encode_open_info({"sid1", {}, 300, 200, 100000}), server.now);
  std::optional<engineio::HttpRequest> poll;
  for (auto& action : server.take_actions()) {
    auto& request = std::get<engineio::HttpRequest>(action);
    if (request.method == engineio::HttpMethod::get)
      poll = request;
    else
      server.client.handle_http_response(request.generation, request.id, 200, "ok", server.now);
  }
  ASSERT_TRUE(poll);
  (void)server.take_events();
  server.client.handle_http_response(
      poll->generation, poll->id, 200,
      "4" + envelope::encode(envelope::ServerEnvelope{testing::new_session("me", "s", 2048)}) +
          "\x1e" + "1",
      server.now);

  const Json events = parsed(encode_reply(server.client))["events"];
  const Json* connected = nullptr;
  for (const Json& event : events) {
    if (event["type"] == "state" && event["state"] == "connected") connected = &event;
  }
  ASSERT_NE(connected, nullptr) << events.dump();
  EXPECT_EQ((*connected)["transport"], "polling");
  EXPECT_EQ((*connected)["peerId"], "me");
  EXPECT_EQ((*connected)["maxMessageBytes"], 2048);
  EXPECT_EQ(events.back()["state"], "reconnecting") << "the close came after the welcome";
}

TEST(ClientEventEncodingTest, AppDataMustBeShallowValidJson) {
  EXPECT_EQ(parse_app_data(R"({"a":[1,"é"]})").value(), (Json{{"a", {1, "é"}}}));
  for (const std::string& text : {std::string("{"), std::string("\"\xff\""),
                                  std::string(100, '[') + std::string(100, ']'), std::string()}) {
    const auto data = parse_app_data(text);
    ASSERT_FALSE(data.ok()) << text;
    EXPECT_EQ(data.error().code, base::ErrorCode::invalid_argument);
  }
}

TEST(EventEncodingTest, AppDataNestsOneLevelLessThanItsEnvelope) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(parse_app_data(nested(envelope::kMaxJsonDepth - 1)).ok());
  const auto deeper = parse_app_data(nested(envelope::kMaxJsonDepth));
  ASSERT_FALSE(deeper.ok());
  EXPECT_EQ(deeper.error().code, base::ErrorCode::invalid_argument);
  // What it accepts, its envelope carries within the protocol's limit.
  const std::string envelope = envelope::encode(
      envelope::Publish{parse_app_data(nested(envelope::kMaxAppDataDepth)).value()}, 1);
  EXPECT_GE(base::json_nesting_depth(envelope, envelope::kMaxJsonDepth), 0);
}

}  // namespace
}  // namespace rtcwire::client
