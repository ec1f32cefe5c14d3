// Percent-decoding of request paths and query strings (RFC 3986), strict about malformed escapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rtcwire::server {

// A request target split at its first '?', both parts still encoded.
struct Target {
  std::string_view path;
  std::string_view query;  // without '?'
};
Target split_target(std::string_view target);

// Decodes %XX escapes; nullopt for a truncated or non-hex escape. With `plus_is_space` (query
// strings, application/x-www-form-urlencoded), '+' decodes to a space.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// The decoded value of the first `name=value` pair of a query string (without '?'); nullopt when
// absent or undecodable. A bare `name` has the empty value.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

}  // namespace rtcwire::server
