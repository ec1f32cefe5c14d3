#include "id_source.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::server {
namespace {

bool is_base62(const std::string& id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

TEST(RandomIdSource, PeerIdsAre16Base62CharactersAndValidOnTheWire) {
  RandomIdSource ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = ids.peer_id();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(is_base62(id)) << id;
    EXPECT_TRUE(envelope::is_valid_peer_id(id)) << id;
  }
}

TEST(RandomIdSource, SessionIdsAreAtLeast22Base62Characters) {
  RandomIdSource ids;
  const std::string id = ids.session_id();
  EXPECT_GE(id.size(), 22u);
  EXPECT_TRUE(is_base62(id)) << id;
}

TEST(RandomIdSource, IdsDoNotRepeat) {
  RandomIdSource ids;
  std::set<std::string> peers;
  std::set<std::string> sessions;
  for (int i = 0; i < 1000; ++i) {
    peers.insert(ids.peer_id());
    sessions.insert(ids.session_id());
  }
  EXPECT_EQ(peers.size(), 1000u);
  EXPECT_EQ(sessions.size(), 1000u);
}

TEST(RandomIdSource, TwoSourcesAreSeededDifferently) {
  RandomIdSource first;
  RandomIdSource second;
  EXPECT_NE(first.peer_id(), second.peer_id());
}

}  // namespace
}  // namespace rtcwire::server
