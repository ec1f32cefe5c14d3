#include "transport_set.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(TransportKind, NamesRoundTripAndAreCaseSensitive) {
  for (const TransportKind kind :
       {TransportKind::websocket, TransportKind::polling, TransportKind::sse}) {
    EXPECT_EQ(engineio::transport_kind_from_string(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(TransportKind::sse), "sse");
  EXPECT_EQ(engineio::transport_kind_from_string("SSE"), std::nullopt);
  EXPECT_EQ(engineio::transport_kind_from_string(""), std::nullopt);
  EXPECT_EQ(engineio::transport_kind_from_string("webtransport"), std::nullopt);
}

TEST(TransportSet, ContainsWhatWasInserted) {
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
