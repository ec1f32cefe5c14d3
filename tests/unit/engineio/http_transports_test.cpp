#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rtcwire/engineio/http_upstream.hpp"
#include "rtcwire/engineio/polling_transport.hpp"
#include "rtcwire/engineio/sse_transport.hpp"

namespace rtcwire::engineio {
namespace {

namespace sig = transport_signal;

const ServerUrl kUrl = parse_server_url("http://h:1").value();
const std::string kOpenPayload = "0" + encode_open_info({"SID", {"websocket"}, 300, 200, 1000});

// SSE event data: the payload as a JSON string.
std::string sse_event(const std::string& payload) { return nlohmann::json(payload).dump(); }

template <class Transport>
std::vector<TransportAction> actions(Transport& transport) {
  std::vector<TransportAction> out;
  while (auto action = transport.poll_action()) out.push_back(std::move(*action));
  return out;
}

template <class Transport>
std::vector<TransportSignal> signals(Transport& transport) {
  std::vector<TransportSignal> out;
  while (auto next = transport.poll_signal()) out.push_back(std::move(*next));
  return out;
}

HttpRequest only_request(const std::vector<TransportAction>& list) {
  EXPECT_EQ(list.size(), 1u);
  if (list.size() != 1 || !std::holds_alternative<HttpRequest>(list[0])) return {};
  return std::get<HttpRequest>(list[0]);
}

TEST(PollingTransportTest, AClosePacketBehindAPostInFlightGoesInAPartingPost) {
  PollingTransport polling(3, kUrl, 7);
  polling.open({});
  polling.handle_http_response(only_request(actions(polling)).id, 200, kOpenPayload);
  polling.start_session("SID", 1000);
  (void)actions(polling);  // the first poll
  polling.send({Packet{PacketType::message, "ack", false}});
  const HttpRequest in_flight = only_request(actions(polling));
  EXPECT_FALSE(in_flight.parting);
  polling.send({Packet{PacketType::close, {}, false}});
  EXPECT_TRUE(actions(polling).empty()) << "one POST at a time";
  polling.close();
  const auto closing = actions(polling);
  ASSERT_EQ(closing.size(), 2u);
  const auto& parting = std::get<HttpRequest>(closing[0]);
  EXPECT_EQ(parting.method, HttpMethod::post);
  EXPECT_EQ(parting.body, "1");
  EXPECT_TRUE(parting.parting) << "the platform lets it finish after the close";
  EXPECT_EQ(closing[1], TransportAction(CloseTransport{3}));
}

TEST(PollingTransportTest, AFailedTransportSendsNoPartingPostForQueuedMessages) {
  PollingTransport polling(3, kUrl, 7);
  polling.open({});
  polling.handle_http_response(only_request(actions(polling)).id, 200, kOpenPayload);
  polling.start_session("SID", 1000);
  (void)actions(polling);
  polling.send({Packet{PacketType::message, "a", false}});
  polling.send({Packet{PacketType::message, "b", false}});
  (void)actions(polling);
  polling.close();
  EXPECT_EQ(actions(polling), (std::vector<TransportAction>{CloseTransport{3}}));
}

TEST(PollingTransportTest, HandshakeThenPollsWithTheSessionId) {
  PollingTransport polling(3, kUrl, 7);
  polling.open({});
  const HttpRequest handshake = only_request(actions(polling));
  EXPECT_EQ(handshake.method, HttpMethod::get);
  EXPECT_EQ(handshake.generation, 3u);
  EXPECT_TRUE(handshake.url.starts_with("http://h:1/engine.io/?EIO=4&transport=polling&t="))
      << handshake.url;

  polling.handle_http_response(handshake.id, 200, kOpenPayload);
  auto received = signals(polling);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(std::get<sig::Received>(received[0]).packets.at(0).type, PacketType::open);
  EXPECT_TRUE(actions(polling).empty());  // no poll before the session id is known

  polling.start_session("SID", 1000);
  const HttpRequest poll = only_request(actions(polling));
  EXPECT_TRUE(poll.url.starts_with("http://h:1/engine.io/?EIO=4&transport=polling&sid=SID&t="))
      << poll.url;
  EXPECT_NE(poll.url, handshake.url);

  polling.handle_http_response(poll.id, 200,
                               "2\x1e"
                               "4hello");
  received = signals(polling);
  ASSERT_EQ(received.size(), 1u);
  const auto& packets = std::get<sig::Received>(received[0]).packets;
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[1], (Packet{PacketType::message, "hello", false}));
  const HttpRequest next = only_request(actions(polling));
  EXPECT_EQ(next.method, HttpMethod::get);
  EXPECT_NE(next.url, poll.url);  // a fresh cache-busting token every time
}

TEST(PollingTransportTest, PostsOneAtATimeAndBatchesTheRest) {
  PollingTransport polling(1, kUrl, 7);
  polling.open({});
  const auto handshake = only_request(actions(polling));
  polling.handle_http_response(handshake.id, 200, kOpenPayload);
  polling.send({{PacketType::message, "early"}});
  EXPECT_TRUE(actions(polling).empty());  // waits for the session id
  polling.start_session("SID", 1000);
  auto started = actions(polling);
  ASSERT_EQ(started.size(), 2u);
  const auto post = std::get<HttpRequest>(started[0]);
  EXPECT_EQ(post.method, HttpMethod::post);
  EXPECT_EQ(post.body, "4early");
  EXPECT_EQ(post.url, "http://h:1/engine.io/?EIO=4&transport=polling&sid=SID");

  polling.send({{PacketType::message, "a"}});
  polling.send({{PacketType::pong, ""}});
  EXPECT_TRUE(actions(polling).empty());
  polling.handle_http_response(post.id, 200, "ok");
  const auto batched = only_request(actions(polling));
  EXPECT_EQ(batched.body,
            "4a\x1e"
            "3");
}

TEST(PollingTransportTest, FailuresEndTheTransport) {
  struct Case {
    int status;
    const char* body;
    base::ErrorCode code;
  };
  for (const Case& c :
       {Case{400, R"({"code":1,"message":"Session ID unknown"})", base::ErrorCode::transport_error},
        Case{0, "", base::ErrorCode::transport_closed},
        Case{200, "9bad", base::ErrorCode::malformed_packet},
        Case{200, "", base::ErrorCode::malformed_packet}}) {
    PollingTransport polling(1, kUrl, 7);
    polling.open({});
    const auto handshake = only_request(actions(polling));
    polling.handle_http_response(handshake.id, c.status, c.body);
    auto failed = signals(polling);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(std::get<sig::Failed>(failed[0]).error.code, c.code) << c.body;
    auto closing = actions(polling);
    ASSERT_EQ(closing.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<CloseTransport>(closing[0]));
    EXPECT_TRUE(polling.finished());
  }
}

TEST(PollingTransportTest, PausesOnlyOnceTheGetInFlightReturns) {
  PollingTransport polling(1, kUrl, 7);
  polling.open({});
  polling.handle_http_response(only_request(actions(polling)).id, 200, kOpenPayload);
  signals(polling);
  polling.start_session("SID", 1000);
  const auto poll = only_request(actions(polling));
  polling.pause();
  EXPECT_TRUE(signals(polling).empty());
  polling.handle_http_response(poll.id, 200, "6");
  auto paused = signals(polling);
  ASSERT_EQ(paused.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<sig::Received>(paused[0]));
  EXPECT_TRUE(std::holds_alternative<sig::Paused>(paused[1]));
  EXPECT_TRUE(actions(polling).empty());  // no new GET while paused
  polling.resume();
  EXPECT_EQ(only_request(actions(polling)).method, HttpMethod::get);
}

TEST(PollingTransportTest, IgnoresResponsesItDidNotAskFor) {
  PollingTransport polling(1, kUrl, 7);
  polling.open({});
  actions(polling);
  polling.handle_http_response(999, 200, "4stray");
  EXPECT_TRUE(signals(polling).empty());
  EXPECT_FALSE(polling.finished());
}

TEST(SseTransportTest, EventSourceDownPostsUp) {
  SseTransport sse(5, kUrl, 9);
  sse.open({});
  auto opened = actions(sse);
  ASSERT_EQ(opened.size(), 1u);
  const auto& open = std::get<OpenTransport>(opened[0]);
  EXPECT_EQ(open.kind, TransportKind::sse);
  EXPECT_TRUE(open.url.starts_with("http://h:1/engine.io/?EIO=4&transport=sse&t=")) << open.url;

  sse.handle_text(sse_event(kOpenPayload));
  auto received = signals(sse);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(std::get<sig::Received>(received[0]).packets.at(0).type, PacketType::open);
  sse.send({{PacketType::message, "up"}});
  EXPECT_TRUE(actions(sse).empty());
  sse.start_session("SID", 1000);
  const auto post = only_request(actions(sse));
  EXPECT_EQ(post.url, "http://h:1/engine.io/?EIO=4&transport=sse&sid=SID");
  EXPECT_EQ(post.body, "4up");
  sse.handle_http_response(post.id, 500, "boom");
  auto failed = signals(sse);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(std::get<sig::Failed>(failed[0]).error.code, base::ErrorCode::transport_error);
}

TEST(SseTransportTest, PausesAtTheServersNoop) {
  SseTransport sse(5, kUrl, 9);
  sse.open({});
  actions(sse);
  sse.handle_text(sse_event(kOpenPayload));
  sse.start_session("SID", 1000);
  signals(sse);
  sse.pause();
  sse.handle_text(sse_event("4before"));
  EXPECT_EQ(signals(sse).size(), 1u);
  sse.handle_text(sse_event("6"));
  auto paused = signals(sse);
  ASSERT_EQ(paused.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<sig::Paused>(paused[1]));
}

TEST(SseTransportTest, ANoopThatOvertakesTheProbeAnswerStillCounts) {
  SseTransport sse(5, kUrl, 9);
  sse.open({});
  actions(sse);
  sse.handle_text(sse_event(kOpenPayload));
  sse.start_session("SID", 1000);
  sse.handle_text(sse_event("6"));  // arrives before the websocket's 3probe
  signals(sse);
  sse.pause();
  auto paused = signals(sse);
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<sig::Paused>(paused[0]));
}

TEST(SseTransportTest, MalformedEventFails) {
  SseTransport sse(5, kUrl, 9);
  sse.open({});
  for (const std::string& data : {std::string("4raw, not a JSON string"), std::string("[1]"),
                                  sse_event("9"), sse_event("")}) {
    SseTransport fresh(5, kUrl, 9);
    fresh.open({});
    fresh.handle_text(data);
    auto failed = signals(fresh);
    ASSERT_EQ(failed.size(), 1u) << data;
    EXPECT_EQ(std::get<sig::Failed>(failed[0]).error.code, base::ErrorCode::malformed_packet);
    fresh.handle_text(sse_event("4after"));  // nothing after the end
    EXPECT_TRUE(signals(fresh).empty());
  }
  sse.handle_text(sse_event("4line one\r\nline two"));
  auto received = signals(sse);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(std::get<sig::Received>(received[0]).packets.at(0).data, "line one\r\nline two");
}

TEST(HttpUpstreamTest, SplitsBatchesAtMaxPayload) {
  HttpUpstream upstream;
  upstream.set_url("http://h/", 11);  // exactly two "4abcd" with their separator
  for (int i = 0; i < 4; ++i) upstream.enqueue({PacketType::message, "abcd"});
  auto first = upstream.next_request(1, 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body,
            "4abcd\x1e"
            "4abcd");
  EXPECT_FALSE(upstream.next_request(1, 2));  // one in flight
  EXPECT_TRUE(upstream.on_response(1, 200, "ok").ok());
  auto second = upstream.next_request(1, 2);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body,
            "4abcd\x1e"
            "4abcd");
  EXPECT_FALSE(upstream.on_response(2, 413, "too big").ok());
  EXPECT_TRUE(upstream.idle());
}

}  // namespace
}  // namespace rtcwire::engineio
