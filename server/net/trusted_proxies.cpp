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

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 7230 tchar: what a Forwarded parameter name is made of.
bool is_token_char(char c) {
  return is_digit(c) || is_alpha(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A port is digits and nothing else; Forwarded also allows an obfuscated one ("_abc", RFC 7239).
bool valid_port(std::string_view port, ProxyHeader header) {
  if (header == ProxyHeader::forwarded && port.starts_with('_')) {
    return port.size() > 1 && std::all_of(port.begin() + 1, port.end(), [](char c) {
             return is_digit(c) || is_alpha(c) || c == '.' || c == '_' || c == '-';
           });
  }
  return !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), is_digit);
}

// One node: "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]", "[2001:db8::1]:80", "2001:db8::1".
std::optional<ip::address> parse_node(std::string_view node, ProxyHeader header) {
  if (node.starts_with('[')) {
    const std::size_t close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && !(rest.starts_with(':') && valid_port(rest.substr(1), header))) {
      return std::nullopt;
    }
    const auto address = parse_address(node.substr(1, close - 1));
    if (!address || !address->is_v6()) return std::nullopt;
    return address;
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  if (std::count(node.begin(), node.end(), ':') == 1) {
    const std::size_t colon = node.find(':');
    if (!valid_port(node.substr(colon + 1), header)) return std::nullopt;
    node = node.substr(0, colon);
  }
  return parse_address(node);
}

// Splits at every comma: X-Forwarded-For and range lists have no quoting, so a quote a client
// wrote can never join its text to the address a proxy appended after it.
std::vector<std::string_view> comma_separated(std::string_view value) {
  std::vector<std::string_view> elements;
  std::size_t start = 0;
  for (std::size_t comma = value.find(','); comma != std::string_view::npos;
       comma = value.find(',', start)) {
    elements.push_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  elements.push_back(value.substr(start));
  return elements;
}

// Splits a Forwarded field into elements at commas outside quoted strings, scanning from the
// right: proxies append well-formed elements there, so a quote a client leaves open can only
// break the client's own elements, never swallow the ones appended after them. Each element is
// parsed again from the left (`forwarded_for`), which refuses any quote this scan got wrong.
std::vector<std::string_view> forwarded_elements(std::string_view value) {
  std::vector<std::string_view> elements;
  bool quoted = false;
  std::size_t end = value.size();
  for (std::size_t i = value.size(); i-- > 0;) {
    if (value[i] == '"') {
      std::size_t backslashes = 0;
      while (quoted && backslashes < i && value[i - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) quoted = !quoted;
    } else if (value[i] == ',' && !quoted) {
      elements.push_back(value.substr(i + 1, end - i - 1));
      end = i;
    }
  }
  elements.push_back(value.substr(0, end));
  std::reverse(elements.begin(), elements.end());
  return elements;
}

// The `for` node of one Forwarded element (RFC 7239: `name=value` pairs separated by `;`, a
// value a token or a quoted string), unquoted; nullopt when the element names none or is broken:
// an unclosed quote, a pair that is not `name=value`, a parameter given twice.
std::optional<std::string> forwarded_for(std::string_view element) {
  const auto skip_whitespace = [&](std::size_t& i) {
    while (i < element.size() && (element[i] == ' ' || element[i] == '\t')) ++i;
  };
  std::optional<std::string> node;
  std::vector<std::string_view> names;
  std::size_t i = 0;
  while (true) {
    skip_whitespace(i);
    if (i == element.size()) break;
    if (element[i] == ';') {
      ++i;
      continue;
    }
    const std::size_t name_start = i;
    while (i < element.size() && is_token_char(element[i])) ++i;
    const std::string_view name = element.substr(name_start, i - name_start);
    if (name.empty() || i == element.size() || element[i] != '=') return std::nullopt;
    ++i;
    std::string value;
    if (i < element.size() && element[i] == '"') {
      bool closed = false;
      for (++i; i < element.size() && !closed; ++i) {
        if (element[i] == '"') {
          closed = true;
        } else if (element[i] == '\\' && i + 1 < element.size()) {
          value += element[++i];
        } else {
          value += element[i];
        }
      }
      if (!closed) return std::nullopt;
    } else {
      const std::size_t value_start = i;
      while (i < element.size() &&
             std::string_view(";\", \t").find(element[i]) == std::string_view::npos &&
             static_cast<unsigned char>(element[i]) > 0x20 && element[i] != 0x7f) {
        ++i;
      }
      value = element.substr(value_start, i - value_start);
      if (value.empty()) return std::nullopt;
    }
    skip_whitespace(i);
    if (i < element.size() && element[i] != ';') return std::nullopt;
    for (const std::string_view seen : names) {
      if (equals_ignoring_case(seen, name)) return std::nullopt;
    }
    names.push_back(name);
    if (equals_ignoring_case(name, "for")) node = std::move(value);
  }
  return node;
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
  for (const std::string_view raw : comma_separated(list)) {
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
    if (header == ProxyHeader::x_forwarded_for) {
      for (const std::string_view element : comma_separated(value)) {
        hops.push_back(parse_node(trimmed(element), header));
      }
      continue;
    }
    for (const std::string_view element : forwarded_elements(value)) {
      const auto node = forwarded_for(element);
      hops.push_back(node ? parse_node(*node, header) : std::nullopt);
    }
  }
  return hops;
}

}  // namespace rtcwire::server
