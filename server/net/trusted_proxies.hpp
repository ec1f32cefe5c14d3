// --trust-proxy: which TCP peers are reverse proxies whose forwarding headers name the client,
// and how the client address is read from those headers. Only a trusted peer's headers count,
// walked right to left (each proxy appends the address it received the request from) up to the
// first hop that is not itself a trusted proxy: that hop is the client. Anything a client wrote
// into the header itself lies to the left of it and is never believed.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace rtcwire::server {

struct AddressRange {
  boost::asio::ip::address network;
  unsigned prefix_length = 0;

  bool contains(const boost::asio::ip::address& address) const;
  bool operator==(const AddressRange&) const = default;
};

enum class ProxyHeader {
  x_forwarded_for,  // X-Forwarded-For: client, proxy1, proxy2
  forwarded,        // RFC 7239 Forwarded: for=client, for="[2001:db8::1]:80"
};

struct TrustedProxies {
  std::vector<AddressRange> ranges;  // empty: no peer is trusted, headers are ignored
  ProxyHeader header = ProxyHeader::x_forwarded_for;

  bool trusts(const boost::asio::ip::address& peer) const;
  // The client's address for a request that `peer` sent with `header_values` (every field of
  // the configured header, in order). A hop that is not an IP address (`unknown`, an obfuscated
  // name, garbage, a port that is not digits, a broken Forwarded element) ends the walk: the
  // client is then the trusted hop after it.
  boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                          std::span<const std::string_view> header_values) const;

  bool operator==(const TrustedProxies&) const = default;
};

// "10.0.0.0/8,192.168.1.1,::1/128": ranges or single addresses, comma-separated.
std::variant<std::vector<AddressRange>, std::string> parse_address_ranges(std::string_view list);

// The hops a header names, left to right; nullopt for a hop that is not an IP address.
// X-Forwarded-For is split at every comma; Forwarded at commas outside quoted strings, scanning
// from the right, and each element is parsed strictly (RFC 7239).
std::vector<std::optional<boost::asio::ip::address>> forwarded_hops(
    ProxyHeader header, std::span<const std::string_view> values);

// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) as IPv4, so one client has one address.
boost::asio::ip::address normalized(const boost::asio::ip::address& address);
// "a.b.c.d" or "[v6]": how the server writes an address in logs and keys limits by it.
std::string address_text(const boost::asio::ip::address& address);

}  // namespace rtcwire::server
