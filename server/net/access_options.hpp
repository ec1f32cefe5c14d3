// Command-line options of access control: TLS, the Origin and Host allow-lists, connection tokens
// and the metrics endpoint (docs/server.md, "Access control"). Parsed apart from the rest so each
// concept keeps its flags together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connection_auth.hpp"

namespace rtcwire::server {

struct AccessOptions {
  std::string tls_cert;  // PEM certificate chain; with tls_key, https and wss on the same port
  std::string tls_key;   // PEM private key
  // Exact origins ("https://app.example.com") and patterns ("https://*.example.com"); "*" allows
  // every origin. Empty: same origin only (plus requests without Origin).
  std::vector<std::string> allowed_origins;
  // Host names (any port); empty: every host, or only the loopback names when bound to loopback.
  std::vector<std::string> allowed_hosts;
  std::optional<AuthMode> auth;               // unset: required when a JWT key is given, else off
  std::string jwt_secret;                     // HS256
  std::string jwt_public_key;                 // path of a PEM public key: RS256 or ES256
  std::optional<std::uint16_t> metrics_port;  // /metrics on its own listener (same host)
  std::string metrics_token;  // /metrics on the main port for `Authorization: Bearer <token>`

  bool operator==(const AccessOptions&) const = default;
};

// Whether `flag` is one of these options (all take a value).
bool is_access_flag(std::string_view flag);
// Applies one flag's value; an error message when the value is wrong.
std::optional<std::string> apply_access_flag(AccessOptions& options, std::string_view flag,
                                             std::string_view value);
// Checks the options together, once all are read.
std::optional<std::string> check_access_options(const AccessOptions& options);
// The --auth mode in force.
AuthMode effective_auth_mode(const AccessOptions& options);

extern const std::string_view kAccessUsage;

}  // namespace rtcwire::server
