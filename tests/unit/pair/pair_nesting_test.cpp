// Property: app data nested as deep as the sending client accepts reaches its receivers through
// the real hub (the server never refuses what a client let through), and one level deeper is the
// sender's own invalid_argument, leaving the session as it was.
#include <gtest/gtest.h>

#include <string>

#include "pair_scenario.hpp"

namespace rtcwire::testing {
namespace {

namespace ev = client::client_event;

// {"n":number,"d":[[...[]...]]}: `depth` levels in all, the outer object included.
envelope::Json nested(int depth, int number) {
  envelope::Json inner = envelope::Json::array();
  for (int level = 2; level < depth; ++level) inner = envelope::Json::array({inner});
  return envelope::Json{{"n", number}, {"d", inner}};
}

int depth_of(const envelope::Json& json) {
  int deepest = 0;
  if (json.is_structured()) {
    for (const envelope::Json& item : json) deepest = std::max(deepest, depth_of(item));
    return deepest + 1;
  }
  return 0;
}

TEST(PairNesting, TheDeepestDataAClientSendsIsDeliveredAndOneLevelDeeperIsRefusedBeforeSending) {
  Pair pair(1);
  pair.add_client(pair.client_config({engineio::TransportKind::websocket}));
  pair.add_client(pair.client_config({engineio::TransportKind::polling}));
  ASSERT_TRUE(gather_in_room(pair, "deep")) << replay_hint(1, pair);
  const std::string receiver = pair.client(1).peer_id();

  // Find the sender's limit: the deepest data each command accepts.
  int deepest = 0;
  for (int depth = 2; depth <= envelope::kMaxJsonDepth + 1; ++depth) {
    base::Status sent = base::ok();
    pair.act(0, [&](client::Client& client, base::Millis now) {
      sent = client.send(receiver, nested(depth, depth), now);
    });
    if (!sent.ok()) {
      EXPECT_EQ(sent.error().code, base::ErrorCode::invalid_argument);
      EXPECT_EQ(sent.error().origin, base::ErrorOrigin::local);
      break;
    }
    deepest = depth;
  }
  ASSERT_EQ(deepest, envelope::kMaxAppDataDepth) << "the envelope is the one level left";
  pair.act(0, [&](client::Client& client, base::Millis now) {
    EXPECT_TRUE(client.publish(nested(deepest, 1000), now).ok());
    EXPECT_FALSE(client.publish(nested(deepest + 1, 1001), now).ok());
    EXPECT_TRUE(client.signal(receiver, nested(deepest, 2000), now).ok());
    EXPECT_FALSE(client.signal(receiver, nested(deepest + 1, 2001), now).ok());
  });

  // Every accepted message arrives whole; the refused ones never left; nobody sees an error.
  const auto arrived = [&] {
    int count = 0;
    for (const client::ClientEvent& event : pair.events(1)) {
      count += std::holds_alternative<ev::MessageReceived>(event) ||
               std::holds_alternative<ev::SignalReceived>(event);
    }
    return count;
  };
  const int expected = deepest - 1 + 2;
  ASSERT_TRUE(
      pair.run_until([&] { return arrived() >= expected; }, pair.now() + base::Millis(10000)))
      << "arrived " << arrived() << " of " << expected << "\n"
      << replay_hint(1, pair);
  int next_direct = 2;
  for (const client::ClientEvent& event : pair.events(1)) {
    if (const auto* message = std::get_if<ev::MessageReceived>(&event)) {
      const int number = message->data.at("n");
      EXPECT_EQ(number, message->kind == ev::MessageKind::direct ? next_direct++ : 1000);
      EXPECT_EQ(depth_of(message->data), number == 1000 ? deepest : number);
    } else if (const auto* signal = std::get_if<ev::SignalReceived>(&event)) {
      EXPECT_EQ(signal->data.at("n"), 2000);
      EXPECT_EQ(depth_of(signal->data), deepest);
    }
  }
  EXPECT_EQ(next_direct, deepest + 1);
  EXPECT_EQ(arrived(), expected);
  for (std::size_t index = 0; index < 2; ++index) {
    EXPECT_EQ(pair.client(index).state(), client::ClientState::connected);
    for (const client::ClientEvent& event : pair.events(index)) {
      const auto* error = std::get_if<ev::ErrorRaised>(&event);
      EXPECT_EQ(error, nullptr) << "c" << index << ": " << error->error.message;
    }
  }
}

}  // namespace
}  // namespace rtcwire::testing
