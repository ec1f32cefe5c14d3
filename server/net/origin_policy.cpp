#include "origin_policy.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace rtcwire::server {
namespace {

constexpr std::size_t kMaxHostBytes = 253;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// A DNS name or IPv4 address (letters, digits, '-', '.', '_'), or an IPv6 address.
bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  if (host.find(':') != host.npos) {
    boost::system::error_code error;
    boost::asio::ip::make_address_v6(std::string(host), error);
    return !error;
  }
  return std::all_of(host.begin(), host.end(), is_name_char) && host.front() != '.' &&
         host.back() != '.' && host.find("..") == host.npos;
}

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  std::uint16_t port = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() || port == 0) {
    return std::nullopt;
  }
  return port;
}

// "host[:port]" or "[v6][:port]" into host and port (0 when absent).
std::optional<OriginParts> split_authority(std::string_view authority) {
  OriginParts parts;
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == authority.npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
    if (host.find(':') == host.npos) return std::nullopt;
  } else {
    const std::size_t colon = authority.rfind(':');
    if (colon != authority.npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.find(':') != host.npos) return std::nullopt;
  }
  if (!port.empty()) {
    const auto number = parse_port(port);
    if (!number) return std::nullopt;
    parts.port = *number;
  }
  parts.host = lower(host);
  if (!is_valid_host(parts.host)) return std::nullopt;
  return parts;
}

std::uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

bool matches(const OriginParts& pattern, const OriginParts& origin) {
  if (pattern.scheme != origin.scheme || pattern.port != origin.port) return false;
  if (!pattern.wildcard) return pattern.host == origin.host;
  // "*.example.com" matches "a.example.com" and "a.b.example.com", never "example.com" or
  // "evilexample.com".
  return origin.host.size() > pattern.host.size() + 1 && origin.host.ends_with(pattern.host) &&
         origin.host[origin.host.size() - pattern.host.size() - 1] == '.';
}

std::string bare_host(std::string_view host) {
  std::string out = lower(host);
  if (out.size() > 2 && out.front() == '[' && out.back() == ']')
    out = out.substr(1, out.size() - 2);
  return out;
}

}  // namespace

std::optional<OriginParts> parse_origin(std::string_view text, bool allow_wildcard) {
  const std::size_t separator = text.find("://");
  if (separator == text.npos) return std::nullopt;
  const std::string scheme = lower(text.substr(0, separator));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view authority = text.substr(separator + 3);
  bool wildcard = false;
  if (allow_wildcard && authority.starts_with("*.")) {
    wildcard = true;
    authority.remove_prefix(2);
  }
  // An origin has no path, query, fragment or credentials.
  if (authority.find_first_of("/?#@ ") != authority.npos) return std::nullopt;
  auto parts = split_authority(authority);
  if (!parts) return std::nullopt;
  parts->scheme = scheme;
  parts->wildcard = wildcard;
  if (parts->port == 0) parts->port = default_port(scheme);
  return parts;
}

std::optional<OriginParts> parse_host_header(std::string_view text) {
  if (text.find_first_of("/?#@ ") != text.npos) return std::nullopt;
  return split_authority(text);
}

bool is_valid_origin_pattern(std::string_view pattern) {
  return pattern == "*" || parse_origin(pattern, true).has_value();
}

bool is_valid_host_name(std::string_view host) { return is_valid_host(bare_host(host)); }

OriginPolicy::OriginPolicy(const std::vector<std::string>& allowed_origins,
                           const std::vector<std::string>& allowed_hosts, bool loopback_only) {
  for (const std::string& pattern : allowed_origins) {
    if (pattern == "*") {
      any_origin_ = true;
    } else if (auto parts = parse_origin(pattern, true)) {
      origins_.push_back(std::move(*parts));
    }
  }
  for (const std::string& host : allowed_hosts) hosts_.push_back(bare_host(host));
  if (hosts_.empty()) {
    if (loopback_only) {
      hosts_ = {"localhost", "127.0.0.1", "::1"};
    } else {
      any_host_ = true;
    }
  }
}

bool OriginPolicy::allows_host(std::string_view host) const {
  if (any_host_) return true;
  const auto parts = parse_host_header(host);
  return parts && std::find(hosts_.begin(), hosts_.end(), parts->host) != hosts_.end();
}

bool OriginPolicy::allows_origin(std::optional<std::string_view> origin, std::string_view host,
                                 bool tls) const {
  // Browsers always send Origin on cross-origin requests and websockets; other clients are not
  // what this protects against.
  if (!origin) return true;
  if (any_origin_) return true;
  const auto parts = parse_origin(*origin);  // "null" and anything malformed: never
  if (!parts) return false;
  if (origins_.empty()) {
    const std::string scheme = tls ? "https" : "http";
    auto own = parse_host_header(host);
    if (!own) return false;
    if (own->port == 0) own->port = default_port(scheme);
    return parts->scheme == scheme && parts->host == own->host && parts->port == own->port;
  }
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const OriginParts& pattern) { return matches(pattern, *parts); });
}

}  // namespace rtcwire::server
