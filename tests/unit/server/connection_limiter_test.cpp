#include "connection_limiter.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace rtcwire::server {
namespace {

TEST(ConnectionLimiter, LimitsPerAddressAndInTotalAndSlotsGiveTheirPlaceBack) {
  const auto limiter = std::make_shared<ConnectionLimiter>(4, 2);
  std::vector<ConnectionSlot> slots(6);
  EXPECT_EQ(limiter->admit("10.0.0.1", slots[0]), std::nullopt);
  EXPECT_EQ(limiter->admit("10.0.0.1", slots[1]), std::nullopt);
  EXPECT_EQ(limiter->admit("10.0.0.1", slots[2]), ConnectionRefusal::too_many_connections_per_ip);
  EXPECT_FALSE(slots[2].counted());
  EXPECT_EQ(limiter->admit("10.0.0.2", slots[3]), std::nullopt);
  EXPECT_EQ(limiter->admit("", slots[4]), std::nullopt);  // a trusted proxy: total only
  EXPECT_EQ(limiter->admit("10.0.0.3", slots[5]), ConnectionRefusal::too_many_connections);
  EXPECT_EQ(limiter->total(), 4u);
  EXPECT_EQ(limiter->of("10.0.0.1"), 2u);
  EXPECT_EQ(limiter->of(""), 0u);

  // A slot moved elsewhere (into a transport) is still one place.
  ConnectionSlot moved = std::move(slots[0]);
  EXPECT_EQ(limiter->total(), 4u);
  moved = ConnectionSlot{};
  EXPECT_EQ(limiter->total(), 3u);
  EXPECT_EQ(limiter->of("10.0.0.1"), 1u);
  EXPECT_EQ(limiter->admit("10.0.0.1", slots[2]), std::nullopt);
}

TEST(ConnectionLimiter, AProxiedConnectionIsCountedUnderEachClientItCarries) {
  const auto limiter = std::make_shared<ConnectionLimiter>(10, 1);
  ConnectionSlot direct;
  ConnectionSlot proxied;
  ASSERT_EQ(limiter->admit("10.0.0.1", direct), std::nullopt);
  ASSERT_EQ(limiter->admit("", proxied), std::nullopt);
  EXPECT_EQ(proxied.reassign("10.0.0.1"), ConnectionRefusal::too_many_connections_per_ip);
  EXPECT_EQ(proxied.address(), "");
  EXPECT_EQ(proxied.reassign("10.0.0.2"), std::nullopt);
  EXPECT_EQ(limiter->of("10.0.0.2"), 1u);
  EXPECT_EQ(proxied.reassign("10.0.0.3"), std::nullopt);
  EXPECT_EQ(limiter->of("10.0.0.2"), 0u);
  EXPECT_EQ(limiter->of("10.0.0.3"), 1u);
  EXPECT_EQ(limiter->total(), 2u);
}

TEST(ConnectionLimiter, SlotsOutliveTheirOwner) {
  ConnectionSlot slot;
  {
    const auto limiter = std::make_shared<ConnectionLimiter>(1, 1);
    ASSERT_EQ(limiter->admit("10.0.0.1", slot), std::nullopt);
  }
  EXPECT_TRUE(slot.counted());  // the slot keeps the limiter alive; releasing it is safe
}

}  // namespace
}  // namespace rtcwire::server
