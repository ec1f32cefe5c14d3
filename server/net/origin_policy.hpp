// Which browsers' pages may use the server (Origin) and under which names it may be reached
// (Host), so a page elsewhere cannot join a room and DNS rebinding cannot reach the server.
// Pure logic: the HTTP layer passes the headers in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtcwire::server {

// scheme://host[:port] of an Origin header or an --allowed-origins entry, lower-cased, with the
// scheme's default port filled in. `wildcard` patterns match `*.host` (one label or more).
struct OriginParts {
  std::string scheme;
  std::string host;  // IPv6 without brackets
  std::uint16_t port = 0;
  bool wildcard = false;

  bool operator==(const OriginParts&) const = default;
};

std::optional<OriginParts> parse_origin(std::string_view text, bool allow_wildcard = false);
// "host[:port]" of a Host header (or "[v6]:port"); the port is 0 when absent.
std::optional<OriginParts> parse_host_header(std::string_view text);

bool is_valid_origin_pattern(std::string_view pattern);
bool is_valid_host_name(std::string_view host);

class OriginPolicy {
 public:
  // Empty `allowed_origins`: same origin only. Empty `allowed_hosts`: any host, unless
  // `loopback_only` (bound to a loopback address), which allows localhost, 127.0.0.1 and ::1.
  OriginPolicy(const std::vector<std::string>& allowed_origins,
               const std::vector<std::string>& allowed_hosts, bool loopback_only);

  // `host` is the Host header (empty when absent).
  bool allows_host(std::string_view host) const;
  // `origin` is the Origin header, absent for non-browser clients; `tls` whether the request came
  // over TLS, so the request's own origin is known.
  bool allows_origin(std::optional<std::string_view> origin, std::string_view host, bool tls) const;

 private:
  bool any_origin_ = false;
  std::vector<OriginParts> origins_;
  bool any_host_ = false;
  std::vector<std::string> hosts_;
};

}  // namespace rtcwire::server
