#include "address_key.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

std::string key_of(const char* text) { return address_key(boost::asio::ip::make_address(text)); }

TEST(AddressKeyTest, IPv4AddressesCountEachOnTheirOwn) {
  EXPECT_EQ(key_of("192.0.2.7"), "192.0.2.7");
  EXPECT_NE(key_of("192.0.2.7"), key_of("192.0.2.8"));
}

TEST(AddressKeyTest, IPv6AddressesCountByTheirSlash64) {
  EXPECT_EQ(key_of("2001:db8:1:2::1"), "[2001:db8:1:2::]/64");
  EXPECT_EQ(key_of("2001:db8:1:2:ffff:ffff:ffff:ffff"), key_of("2001:db8:1:2::1"));
  EXPECT_NE(key_of("2001:db8:1:3::1"), key_of("2001:db8:1:2::1"));
}

TEST(AddressKeyTest, AnIPv4MappedAddressCountsAsItsIPv4Address) {
  EXPECT_EQ(key_of("::ffff:192.0.2.7"), "192.0.2.7");
}

}  // namespace
}  // namespace rtcwire::server
