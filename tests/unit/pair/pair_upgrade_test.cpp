// Transport switches: a client that fell back to SSE or polling while WebSockets were blocked
// moves its session to a websocket once they work again, losing and duplicating nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pair_scenario.hpp"

namespace rtcwire::testing {

using engineio::TransportKind;

namespace {

namespace ev = client::client_event;

std::vector<TransportKind> transports_used(const Pair& pair, std::size_t index) {
  std::vector<TransportKind> used;
  for (const client::ClientEvent& event : pair.events(index)) {
    if (const auto* changed = std::get_if<ev::TransportChanged>(&event)) {
      used.push_back(changed->kind);
    }
  }
  return used;
}

void expect_upgrade_after_fallback(std::vector<TransportKind> ladder, TransportKind fallback) {
  Pair pair(7);
  pair.add_client(pair.client_config(ladder));
  pair.add_client(pair.client_config({TransportKind::websocket}));
  pair.block_websockets(true);
  pair.act(0,
           [](client::Client& client, base::Millis now) { ASSERT_TRUE(client.connect(now).ok()); });
  ASSERT_TRUE(
      pair.run_until([&] { return pair.client(0).state() == client::ClientState::connected; },
                     pair.now() + base::Millis(30000)))
      << pair.trace();
  EXPECT_EQ(pair.client(0).transport(), fallback);
  pair.block_websockets(false);
  ASSERT_TRUE(gather_in_room(pair, "room")) << pair.trace();
  const std::string peer = pair.client(1).peer_id();
  for (int n = 0; n < 20; ++n) {
    pair.act(0, [&](client::Client& client, base::Millis now) {
      ASSERT_TRUE(client.send(peer, n, now).ok());
    });
    pair.run_until(pair.now() + base::Millis(1000));
  }
  EXPECT_TRUE(
      pair.run_until([&] { return pair.upgrades() == 1; }, pair.now() + base::Millis(120000)))
      << pair.trace();
  EXPECT_EQ(transports_used(pair, 0),
            (std::vector<TransportKind>{fallback, TransportKind::websocket}))
      << pair.trace();
  std::vector<int> received;
  ASSERT_TRUE(pair.run_until(
      [&] {
        received.clear();
        for (const client::ClientEvent& event : pair.events(1)) {
          if (const auto* message = std::get_if<ev::MessageReceived>(&event)) {
            received.push_back(message->data.get<int>());
          }
        }
        return received.size() >= 20;
      },
      pair.now() + base::Millis(10000)));
  std::vector<int> expected(20);
  for (int n = 0; n < 20; ++n) expected[n] = n;
  EXPECT_EQ(received, expected);
}

TEST(PairUpgrade, FromPollingOnceWebSocketsWork) {
  expect_upgrade_after_fallback({TransportKind::websocket, TransportKind::polling},
                                TransportKind::polling);
}

TEST(PairUpgrade, FromSseOnceWebSocketsWork) {
  expect_upgrade_after_fallback({TransportKind::websocket, TransportKind::sse}, TransportKind::sse);
}

}  // namespace
}  // namespace rtcwire::testing
