// Steps most Pair tests share: clients in one room, and the seeds a property runs over.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "pair.hpp"

namespace rtcwire::testing {

// Connects every client not connected yet and puts it in `room`; true once each one sees all the
// others.
inline bool gather_in_room(Pair& pair, const std::string& room) {
  for (std::size_t index = 0; index < pair.client_count(); ++index) {
    if (pair.client(index).state() != client::ClientState::idle) continue;
    pair.act(index, [](client::Client& client, base::Millis now) {
      EXPECT_TRUE(client.connect(now).ok());
    });
  }
  const bool connected = pair.run_until(
      [&] {
        for (std::size_t index = 0; index < pair.client_count(); ++index) {
          if (pair.client(index).state() != client::ClientState::connected) return false;
        }
        return true;
      },
      pair.now() + base::Millis(30000));
  if (!connected) return false;
  for (std::size_t index = 0; index < pair.client_count(); ++index) {
    pair.act(index, [&](client::Client& client, base::Millis now) {
      EXPECT_TRUE(client.join(room, now).ok());
    });
  }
  return pair.run_until(
      [&] {
        for (std::size_t index = 0; index < pair.client_count(); ++index) {
          for (std::size_t other = 0; other < pair.client_count(); ++other) {
            if (other != index &&
                !pair.client(index).membership().has_peer(pair.client(other).peer_id())) {
              return false;
            }
          }
        }
        return true;
      },
      pair.now() + base::Millis(30000));
}

// 1..count, or only the seed in RTCWIRE_PAIR_SEED when set (to replay a failure).
inline std::vector<uint64_t> seeds(uint64_t count) {
  if (const char* only = std::getenv("RTCWIRE_PAIR_SEED")) return {std::stoull(only)};
  std::vector<uint64_t> all;
  for (uint64_t seed = 1; seed <= count; ++seed) all.push_back(seed);
  return all;
}

// How a failing seed reports itself.
inline std::string replay_hint(uint64_t seed, const Pair& pair) {
  return "seed " + std::to_string(seed) + " (replay: RTCWIRE_PAIR_SEED=" + std::to_string(seed) +
         " ./pair_tests --gtest_filter=<this test>), last steps:\n" + pair.trace();
}

}  // namespace rtcwire::testing
