#include "trusted_proxies.hpp"

#include <algorithm>
#include <charconv>

namespace rtcwire::server {
namespace ip = boost::asio::ip;
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code error;
  const ip::address address = ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return normalized(address);
}

// One node: "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]", "[2001:db8::1]:80", "2001:db8::1".
std::optional<ip::address> parse_node(std::string_view node) {
  node = trimmed(node);
  if (node.starts_with('[')) {
    const std::size_t close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    const auto address = parse_address(node.substr(1, close - 1));
    if (!address || !address->is_v6()) return std::nullopt;
    return address;
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  if (std::count(node.begin(), node.end(), ':') == 1) node = node.substr(0, node.find(':'));
  return parse_address(node);
}

// The value of the `for` parameter of one Forwarded element ("for=1.2.3.4;proto=https"), quotes
// removed; nullopt when it has none.
std::optional<std::string_view> for_parameter(std::string_view element) {
  while (!element.empty()) {
    const std::size_t semicolon = element.find(';');
    const std::string_view pair = trimmed(element.substr(0, semicolon));
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && equals_ignoring_case(pair.substr(0, equals), "for")) {
      std::string_view value = trimmed(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    if (semicolon == std::string_view::npos) break;
    element.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

// Splits at commas outside double quotes.
std::vector<std::string_view> list_elements(std::string_view value) {
  std::vector<std::string_view> elements;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] == '"') quoted = !quoted;
    if (i == value.size() || (value[i] == ',' && !quoted)) {
      elements.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  return elements;
}

}  // namespace

ip::address normalized(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::string address_text(const ip::address& address) {
  return address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
}

bool AddressRange::contains(const ip::address& candidate) const {
  const ip::address address = normalized(candidate);
  if (address.is_v4() != network.is_v4()) return false;
  const auto bytes_of = [](const ip::address& a) {
    std::vector<unsigned char> bytes;
    if (a.is_v4()) {
      const auto b = a.to_v4().to_bytes();
      bytes.assign(b.begin(), b.end());
    } else {
      const auto b = a.to_v6().to_bytes();
      bytes.assign(b.begin(), b.end());
    }
    return bytes;
  };
  const auto want = bytes_of(network);
  const auto have = bytes_of(address);
  unsigned bits = prefix_length;
  for (std::size_t i = 0; i < want.size() && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((want[i] & mask) != (have[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

bool TrustedProxies::trusts(const ip::address& peer) const {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const AddressRange& range) { return range.contains(peer); });
}

ip::address TrustedProxies::client_address(const ip::address& peer,
                                           std::span<const std::string_view> header_values) const {
  ip::address client = normalized(peer);
  if (!trusts(client)) return client;
  const auto hops = forwarded_hops(header, header_values);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (!*hop) break;
    client = **hop;
    if (!trusts(client)) break;
  }
  return client;
}

std::variant<std::vector<AddressRange>, std::string> parse_address_ranges(std::string_view list) {
  std::vector<AddressRange> ranges;
  for (const std::string_view raw : list_elements(list)) {
    const std::string_view item = trimmed(raw);
    const std::size_t slash = item.find('/');
    const auto address = parse_address(item.substr(0, slash));
    const unsigned max_length = address && address->is_v4() ? 32 : 128;
    unsigned length = max_length;
    if (address && slash != std::string_view::npos) {
      const std::string_view digits = item.substr(slash + 1);
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), length);
      if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) {
        length = max_length + 1;
      }
    }
    if (!address || length > max_length) {
      return "'" + std::string(item) + "' is not an IP address or CIDR range";
    }
    ranges.push_back({*address, length});
  }
  return ranges;
}

std::vector<std::optional<ip::address>> forwarded_hops(ProxyHeader header,
                                                       std::span<const std::string_view> values) {
  std::vector<std::optional<ip::address>> hops;
  for (const std::string_view value : values) {
    for (const std::string_view element : list_elements(value)) {
      if (header == ProxyHeader::x_forwarded_for) {
        hops.push_back(parse_node(element));
        continue;
      }
      const auto node = for_parameter(element);
      hops.push_back(node ? parse_node(*node) : std::nullopt);
    }
  }
  return hops;
}

}  // namespace rtcwire::server
