#include "trusted_proxies.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace rtcwire::server {
namespace {

namespace ip = boost::asio::ip;

TrustedProxies trusting(std::string_view list, ProxyHeader header = ProxyHeader::x_forwarded_for) {
  auto ranges = parse_address_ranges(list);
  EXPECT_TRUE(std::holds_alternative<std::vector<AddressRange>>(ranges));
  return TrustedProxies{std::get<std::vector<AddressRange>>(ranges), header};
}

std::string client(const TrustedProxies& proxies, std::string_view peer,
                   std::vector<std::string_view> values) {
  return address_text(proxies.client_address(ip::make_address(std::string(peer)), values));
}

TEST(TrustedProxies, RangesMatchByPrefix) {
  const TrustedProxies proxies = trusting("10.0.0.0/8,192.168.1.7,2001:db8::/32,0.0.0.0/0");
  EXPECT_TRUE(proxies.ranges[0].contains(ip::make_address("10.255.1.2")));
  EXPECT_FALSE(proxies.ranges[0].contains(ip::make_address("11.0.0.1")));
  EXPECT_TRUE(proxies.ranges[1].contains(ip::make_address("192.168.1.7")));
  EXPECT_FALSE(proxies.ranges[1].contains(ip::make_address("192.168.1.8")));
  EXPECT_TRUE(proxies.ranges[2].contains(ip::make_address("2001:db8:ffff::1")));
  EXPECT_FALSE(proxies.ranges[2].contains(ip::make_address("2001:db9::1")));
  EXPECT_FALSE(proxies.ranges[2].contains(ip::make_address("10.0.0.1")));
  EXPECT_TRUE(proxies.ranges[3].contains(ip::make_address("8.8.8.8")));
  // An IPv4-mapped peer is its IPv4 address.
  EXPECT_TRUE(proxies.ranges[0].contains(ip::make_address("::ffff:10.1.2.3")));
}

TEST(TrustedProxies, BadRangesAreRefused) {
  for (const char* list : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8x", "name",
                           "10.0.0.1,", "10.0.0.0/-1"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_address_ranges(list))) << list;
  }
}

TEST(TrustedProxies, HeadersFromUntrustedPeersAreIgnored) {
  const TrustedProxies proxies = trusting("10.0.0.1");
  EXPECT_EQ(client(proxies, "203.0.113.9", {"198.51.100.1"}), "203.0.113.9");
  EXPECT_EQ(client(TrustedProxies{}, "10.0.0.1", {"198.51.100.1"}), "10.0.0.1");
}

TEST(TrustedProxies, TheClientIsTheFirstUntrustedHopFromTheRight) {
  const TrustedProxies proxies = trusting("10.0.0.0/8");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"198.51.100.1"}), "198.51.100.1");
  // Whatever the client wrote itself lies left of the address its proxy appended.
  EXPECT_EQ(client(proxies, "10.0.0.1", {"1.1.1.1, 198.51.100.1"}), "198.51.100.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"1.1.1.1, 198.51.100.1, 10.0.0.2"}), "198.51.100.1");
  // Several fields are one list.
  EXPECT_EQ(client(proxies, "10.0.0.1", {"1.1.1.1", "198.51.100.1"}), "198.51.100.1");
  // All trusted: the leftmost.
  EXPECT_EQ(client(proxies, "10.0.0.1", {"10.0.0.3, 10.0.0.2"}), "10.0.0.3");
  // No header: the proxy itself.
  EXPECT_EQ(client(proxies, "10.0.0.1", {}), "10.0.0.1");
  // Ports and IPv6.
  EXPECT_EQ(client(proxies, "10.0.0.1", {"198.51.100.1:4711"}), "198.51.100.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"[2001:db8::1]:80"}), "[2001:db8::1]");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"2001:db8::1"}), "[2001:db8::1]");
  // Not an address: the walk stops at the trusted hop after it.
  EXPECT_EQ(client(proxies, "10.0.0.1", {"garbage"}), "10.0.0.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"198.51.100.1, unknown, 10.0.0.2"}), "10.0.0.2");
  EXPECT_EQ(client(proxies, "10.0.0.1", {""}), "10.0.0.1");
}

TEST(TrustedProxies, ForwardedNamesTheClientInForParameters) {
  const TrustedProxies proxies = trusting("10.0.0.0/8", ProxyHeader::forwarded);
  EXPECT_EQ(client(proxies, "10.0.0.1", {"for=198.51.100.1;proto=https"}), "198.51.100.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"for=1.1.1.1, For=\"[2001:db8::1]:80\""}),
            "[2001:db8::1]");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"by=10.0.0.1;for=198.51.100.1"}), "198.51.100.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"for=_hidden"}), "10.0.0.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"proto=https"}), "10.0.0.1");
  // X-Forwarded-For is not read when Forwarded is configured.
  const TrustedProxies xff = trusting("10.0.0.0/8");
  EXPECT_EQ(client(xff, "10.0.0.1", {"for=198.51.100.1"}), "10.0.0.1");
}

// A proxy appends the address it saw to the line the client sent: nothing the client wrote may
// swallow it or stand in for it.
TEST(TrustedProxies, AClientsOpenQuoteCannotSwallowTheAppendedAddress) {
  const TrustedProxies xff = trusting("10.0.0.0/8");
  for (const char* sent : {"6.6.6.6:\"", "[2001:db8::1]:\"", "\"", "\"6.6.6.6", "6.6.6.6\\\"",
                           "\"6.6.6.6, 7.7.7.7\"x", "[2001:db8::1]:\"\","}) {
    const std::string line = std::string(sent) + ", 198.51.100.7";
    EXPECT_EQ(client(xff, "10.0.0.1", {line}), "198.51.100.7") << line;
  }
  const TrustedProxies forwarded = trusting("10.0.0.0/8", ProxyHeader::forwarded);
  for (const char* sent :
       {"for=6.6.6.6;x=\"", "for=\"6.6.6.6", "for=\"6.6.6.6\\\"", "\"", "for=6.6.6.6, x=\"",
        "for=\"[2001:db8::1]:80\\\\\"\"", "for=\"a,b\";x=\"\\\"\""}) {
    const std::string line = std::string(sent) + ", for=198.51.100.7";
    EXPECT_EQ(client(forwarded, "10.0.0.1", {line}), "198.51.100.7") << line;
  }
}

TEST(TrustedProxies, PortsAreDigitsOnly) {
  const TrustedProxies xff = trusting("10.0.0.0/8");
  EXPECT_EQ(client(xff, "10.0.0.1", {"198.51.100.1:65535"}), "198.51.100.1");
  EXPECT_EQ(client(xff, "10.0.0.1", {"[2001:db8::1]:1"}), "[2001:db8::1]");
  // Anything else is not an address: the walk stops at the trusted hop after it.
  for (const char* bad : {"198.51.100.1:", "198.51.100.1:\"", "198.51.100.1:80x", "198.51.100.1:-1",
                          "198.51.100.1:123456", "[2001:db8::1]:", "[2001:db8::1]:80]",
                          "[2001:db8::1]x", "198.51.100.1:_obf"}) {
    EXPECT_EQ(client(xff, "10.0.0.1", {bad}), "10.0.0.1") << bad;
    EXPECT_EQ(client(xff, "10.0.0.1", {std::string("1.1.1.1, ") + bad + ", 10.0.0.2"}), "10.0.0.2")
        << bad;
  }
  const TrustedProxies forwarded = trusting("10.0.0.0/8", ProxyHeader::forwarded);
  EXPECT_EQ(client(forwarded, "10.0.0.1", {"for=\"198.51.100.1:_obf.1-x\""}), "198.51.100.1");
  EXPECT_EQ(client(forwarded, "10.0.0.1", {"for=\"[2001:db8::1]:_x\""}), "[2001:db8::1]");
  for (const char* bad : {"for=\"198.51.100.1:\"", "for=\"198.51.100.1:_\"",
                          "for=\"198.51.100.1:8 0\"", "for=\"[2001:db8::1]:_a/b\""}) {
    EXPECT_EQ(client(forwarded, "10.0.0.1", {bad}), "10.0.0.1") << bad;
  }
}

// A broken element (open quote, a pair that is not name=value, a parameter twice) is never
// believed: the client is the trusted hop to its right.
TEST(TrustedProxies, BrokenForwardedElementsAreNotBelieved) {
  const TrustedProxies proxies = trusting("10.0.0.0/8", ProxyHeader::forwarded);
  for (const char* broken :
       {"for=198.51.100.1;x=\"", "for=\"198.51.100.1", "for=198.51.100.1;for=6.6.6.6",
        "For=198.51.100.1;fOR=6.6.6.6", "for=198.51.100.1;junk", "for=198.51.100.1 x",
        "for=198.51.100.1;=x", "for=", "for=\"198.51.100.1\"x", "\"for=198.51.100.1\""}) {
    EXPECT_EQ(client(proxies, "10.0.0.1", {broken}), "10.0.0.1") << broken;
    EXPECT_EQ(client(proxies, "10.0.0.1", {std::string(broken) + ", for=10.0.0.2"}), "10.0.0.2")
        << broken;
  }
  // Well-formed shapes: optional whitespace, empty pairs, escapes, other parameters.
  EXPECT_EQ(client(proxies, "10.0.0.1", {" for=198.51.100.1 ; proto=https ;; by=x "}),
            "198.51.100.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"for=\"198.51.100.\\1\";host=\"a,b\""}), "198.51.100.1");
  EXPECT_EQ(client(proxies, "10.0.0.1", {"for=1.1.1.1;host=\"x\\\"y\", for=198.51.100.1"}),
            "198.51.100.1");
}

}  // namespace
}  // namespace rtcwire::server
