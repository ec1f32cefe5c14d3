#include "rtcwire/session/room_membership.hpp"

#include <gtest/gtest.h>

namespace rtcwire::session {
namespace {

TEST(RoomMembershipTest, MirrorsJoinPresenceAndLeave) {
  RoomMembership room;
  EXPECT_FALSE(room.in_room());
  EXPECT_FALSE(room.on_peer_joined("x"));  // presence outside a room means nothing
  room.on_joined("lobby", {"a", "b", "a"});
  EXPECT_EQ(room.room(), "lobby");
  EXPECT_EQ(room.peers(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(room.on_peer_joined("c"));
  EXPECT_FALSE(room.on_peer_joined("c"));
  EXPECT_TRUE(room.on_peer_left("a"));
  EXPECT_FALSE(room.on_peer_left("a"));
  EXPECT_EQ(room.peers(), (std::vector<std::string>{"b", "c"}));
  EXPECT_FALSE(room.on_left("elsewhere"));
  EXPECT_TRUE(room.on_left("lobby"));
  EXPECT_FALSE(room.in_room());
  EXPECT_TRUE(room.peers().empty());
}

TEST(RoomMembershipTest, JoiningAnotherRoomReplacesThePeerList) {
  RoomMembership room;
  room.on_joined("one", {"a"});
  room.on_joined("two", {"z"});
  EXPECT_EQ(room.room(), "two");
  EXPECT_EQ(room.peers(), (std::vector<std::string>{"z"}));
  EXPECT_FALSE(room.on_left("one"));  // a late confirmation for the old room changes nothing
  EXPECT_EQ(room.room(), "two");
}

}  // namespace
}  // namespace rtcwire::session
