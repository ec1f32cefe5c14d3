#include "address_key.hpp"

#include <algorithm>

#include "trusted_proxies.hpp"

namespace rtcwire::server {

std::string address_key(const boost::asio::ip::address& address) {
  const boost::asio::ip::address plain = normalized(address);
  if (plain.is_v4()) return plain.to_string();
  auto bytes = plain.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return address_text(boost::asio::ip::make_address_v6(bytes)) + "/64";
}

}  // namespace rtcwire::server
