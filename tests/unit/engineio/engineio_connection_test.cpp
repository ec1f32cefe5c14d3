#include "rtcwire/engineio/engineio_connection.hpp"

#include <gtest/gtest.h>

#include "rtcwire/engineio/server_url.hpp"

namespace rtcwire::engineio {
namespace {

class EngineIoConnectionTest : public ::testing::Test {
 protected:
  static std::unique_ptr<ClientTransport> websocket(uint32_t generation) {
    return make_transport(TransportKind::websocket, generation, parse_server_url("ws://h").value(),
                          1);
  }

  EngineIoConnection connection{websocket(7)};
  base::Millis now{0};

  std::vector<TransportAction> actions() {
    std::vector<TransportAction> out;
    while (auto action = connection.poll_action()) out.push_back(std::move(*action));
    return out;
  }
  std::vector<EngineIoEvent> events() {
    std::vector<EngineIoEvent> out;
    while (auto event = connection.poll_event()) out.push_back(std::move(*event));
    return out;
  }
  void open(int64_t interval = 300, int64_t timeout = 200) {
    ASSERT_TRUE(connection.open(now).ok());
    connection.handle_transport_open(7, now);
    connection.handle_transport_text(7, "0" + encode_open_info({"s", {}, interval, timeout, 100}),
                                     now);
    ASSERT_EQ(connection.state(), EngineIoState::open);
    actions();
    events();
  }
  std::optional<base::Error> closed_error() {
    for (auto& event : events()) {
      if (auto* closed = std::get_if<engineio_event::Closed>(&event)) return closed->error;
    }
    ADD_FAILURE() << "no Closed event";
    return std::nullopt;
  }
};

TEST_F(EngineIoConnectionTest, OpensThroughTheHandshake) {
  ASSERT_TRUE(connection.open(now).ok());
  EXPECT_EQ(connection.state(), EngineIoState::opening);
  auto requested = actions();
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(
      std::get<OpenTransport>(requested[0]),
      (OpenTransport{7, TransportKind::websocket, "ws://h/engine.io/?EIO=4&transport=websocket"}));
  connection.handle_transport_open(7, now);
  EXPECT_EQ(connection.state(), EngineIoState::opening);
  connection.handle_transport_text(
      7, R"(0{"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":100})",
      now);
  EXPECT_EQ(connection.state(), EngineIoState::open);
  auto opened = events();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(std::get<engineio_event::Opened>(opened[0]).info.sid, "abc");
  EXPECT_EQ(connection.poll_timeout(), base::Millis(500));
}

TEST_F(EngineIoConnectionTest, OpeningTwiceIsAnErrorValue) {
  ASSERT_TRUE(connection.open(now).ok());
  auto again = connection.open(now);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, base::ErrorCode::invalid_state);
  EXPECT_EQ(connection.state(), EngineIoState::opening);
}

TEST_F(EngineIoConnectionTest, AnswersPingsAndStaysAliveWhilePinged) {
  open();
  for (int i = 0; i < 10; ++i) {
    now += base::Millis(300);
    connection.handle_timeout(now);
    connection.handle_transport_text(7, "2", now);
    auto sent = actions();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<SendFrame>(sent[0]).text, "3");
  }
  EXPECT_EQ(connection.state(), EngineIoState::open);
  EXPECT_EQ(connection.poll_timeout(), now + base::Millis(500));
}

TEST_F(EngineIoConnectionTest, DeclaresDeadAfterIntervalPlusTimeoutWithoutPing) {
  open();
  now += base::Millis(499);
  connection.handle_timeout(now);
  EXPECT_EQ(connection.state(), EngineIoState::open);
  now += base::Millis(1);
  connection.handle_timeout(now);
  EXPECT_EQ(connection.state(), EngineIoState::closed);
  auto closing = actions();
  ASSERT_EQ(closing.size(), 1u);
  EXPECT_EQ(std::get<CloseTransport>(closing[0]).generation, 7u);
  auto error = closed_error();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, base::ErrorCode::ping_timeout);
  EXPECT_EQ(error->origin, base::ErrorOrigin::transport);
}

TEST_F(EngineIoConnectionTest, AThrottledTimerThatFiresLateStillJudgesByTheClock) {
  open();
  // A background tab's timer fires once, very late: a single late check must detect the death.
  now += base::Millis(60000);
  connection.handle_timeout(now);
  EXPECT_EQ(connection.state(), EngineIoState::closed);
}

TEST_F(EngineIoConnectionTest, DeliversMessagesAndChecksMaxPayload) {
  open();
  connection.handle_transport_text(7, "4hello", now);
  auto delivered = events();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(std::get<engineio_event::Message>(delivered[0]).data, "hello");
  EXPECT_TRUE(connection.send_message(std::string(99, 'x')).ok());
  auto too_big = connection.send_message(std::string(100, 'x'));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, base::ErrorCode::message_too_large);
  auto sent = actions();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<SendFrame>(sent[0]).text, "4" + std::string(99, 'x'));
}

TEST_F(EngineIoConnectionTest, SendingBeforeOpenIsRefused) {
  ASSERT_TRUE(connection.open(now).ok());
  auto early = connection.send_message("x");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, base::ErrorCode::not_connected);
}

TEST_F(EngineIoConnectionTest, ServerCloseEndsTheConnection) {
  open();
  connection.handle_transport_text(7, "1", now);
  EXPECT_EQ(connection.state(), EngineIoState::closed);
  EXPECT_EQ(closed_error()->code, base::ErrorCode::server_closed);
}

TEST_F(EngineIoConnectionTest, FramingViolationsCloseWithMalformedPacket) {
  for (const char* frame : {"", "9", "0{}", "5"}) {
    EngineIoConnection fresh{websocket(1)};
    ASSERT_TRUE(fresh.open(now).ok());
    fresh.handle_transport_open(1, now);
    fresh.handle_transport_text(1, "0" + encode_open_info({"s", {}, 300, 200, 100}), now);
    fresh.handle_transport_text(1, frame, now);
    EXPECT_EQ(fresh.state(), EngineIoState::closed) << frame;
  }
}

TEST_F(EngineIoConnectionTest, HandshakeMustStartWithAValidOpenPacket) {
  for (const char* frame : {"4hello", "0not json", "0{\"sid\":\"\"}", "2"}) {
    EngineIoConnection fresh{websocket(1)};
    ASSERT_TRUE(fresh.open(now).ok());
    fresh.handle_transport_open(1, now);
    fresh.handle_transport_text(1, frame, now);
    EXPECT_EQ(fresh.state(), EngineIoState::closed) << frame;
    while (auto event = fresh.poll_event()) {
      ASSERT_TRUE(std::holds_alternative<engineio_event::Closed>(*event));
      EXPECT_EQ(std::get<engineio_event::Closed>(*event).error->code,
                base::ErrorCode::malformed_packet);
    }
  }
}

TEST_F(EngineIoConnectionTest, TransportLossBeforeAndAfterOpen) {
  ASSERT_TRUE(connection.open(now).ok());
  connection.handle_transport_closed(7, now);
  EXPECT_EQ(closed_error()->code, base::ErrorCode::transport_closed);
  EngineIoConnection other{websocket(2)};
  ASSERT_TRUE(other.open(now).ok());
  other.handle_transport_error(2, "refused", now);
  EXPECT_EQ(other.state(), EngineIoState::closed);
}

TEST_F(EngineIoConnectionTest, CloseOnRequestSendsTheClosePacket) {
  open();
  connection.close();
  auto closing = actions();
  ASSERT_EQ(closing.size(), 2u);
  EXPECT_EQ(std::get<SendFrame>(closing[0]).text, "1");
  EXPECT_EQ(std::get<CloseTransport>(closing[1]).generation, 7u);
  EXPECT_EQ(closed_error(), std::nullopt);
  EXPECT_EQ(connection.poll_timeout(), std::nullopt);
  // Events after the end change nothing.
  connection.handle_transport_text(7, "4late", now);
  EXPECT_TRUE(events().empty());
}

}  // namespace
}  // namespace rtcwire::engineio
