#include "transport_kind.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(TransportKind, NamesRoundTripAndAreCaseSensitive) {
  for (const TransportKind kind :
       {TransportKind::websocket, TransportKind::polling, TransportKind::sse}) {
    EXPECT_EQ(parse_transport_kind(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(TransportKind::sse), "sse");
  EXPECT_EQ(parse_transport_kind("SSE"), std::nullopt);
  EXPECT_EQ(parse_transport_kind(""), std::nullopt);
  EXPECT_EQ(parse_transport_kind("webtransport"), std::nullopt);
}

TEST(TransportKind, Sets) {
  TransportSet set = TransportSet::none();
  EXPECT_TRUE(set.empty());
  set.insert(TransportKind::sse);
  EXPECT_TRUE(set.contains(TransportKind::sse));
  EXPECT_FALSE(set.contains(TransportKind::polling));
  EXPECT_FALSE(set.empty());
  EXPECT_TRUE(TransportSet::all().contains(TransportKind::websocket));
}

}  // namespace
}  // namespace rtcwire::server
