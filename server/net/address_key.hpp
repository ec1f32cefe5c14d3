// The key under which per-address limits (connections, sessions, rate state) count a client: an
// IPv4 address itself, an IPv6 address by its /64, since one IPv6 host is usually given a whole
// /64 and could otherwise rotate through it to get fresh limits.
#pragma once

#include <string>

#include <boost/asio/ip/address.hpp>

namespace rtcwire::server {

// "192.0.2.7"; "[2001:db8:1:2::]/64" for any address in 2001:db8:1:2::/64. An IPv4-mapped IPv6
// address counts as its IPv4 address.
std::string address_key(const boost::asio::ip::address& address);

}  // namespace rtcwire::server
