#include "access_options.hpp"

#include <array>
#include <charconv>

#include "origin_policy.hpp"

namespace rtcwire::server {
namespace {

constexpr std::array kFlags{
    std::string_view{"--tls-cert"},
    std::string_view{"--tls-key"},
    std::string_view{"--allowed-origins"},
    std::string_view{"--allowed-hosts"},
    std::string_view{"--auth"},
    std::string_view{"--jwt-secret"},
    std::string_view{"--jwt-public-key"},
    std::string_view{"--metrics-port"},
    std::string_view{"--metrics-token"},
};

// Comma-separated, empty items skipped; repeating the flag adds to the list.
std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    if (end > start) items.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

}  // namespace

const std::string_view kAccessUsage = R"(Access control (docs/server.md):
  --tls-cert FILE           PEM certificate chain: https and wss on the same port (TLS 1.2+);
                            SIGHUP reloads it and --tls-key without dropping sessions
  --tls-key FILE            PEM private key of --tls-cert
  --allowed-origins LIST    origins allowed on /engine.io/, comma-separated: exact
                            (https://app.example.com) or patterns (https://*.example.com), or *;
                            default: the request's own origin, plus requests without Origin
  --allowed-hosts LIST      Host names accepted (any port), comma-separated; default: any, or
                            only localhost, 127.0.0.1 and ::1 when bound to loopback
  --auth MODE               connection tokens: required, optional or off (default: required
                            when a JWT key is given, off otherwise)
  --jwt-secret SECRET       HS256 key of connection tokens (at least 32 bytes)
  --jwt-public-key FILE     PEM public key of connection tokens: RSA (RS256) or P-256 (ES256)
  --metrics-port N          Prometheus /metrics on its own port (same --host)
  --metrics-token TOKEN     Prometheus /metrics on the main port, for
                            "Authorization: Bearer TOKEN"
)";

bool is_access_flag(std::string_view flag) {
  for (const std::string_view known : kFlags) {
    if (known == flag) return true;
  }
  return false;
}

std::optional<std::string> apply_access_flag(AccessOptions& options, std::string_view flag,
                                             std::string_view value) {
  const std::string text(value);
  if (flag == "--tls-cert") {
    options.tls_cert = text;
  } else if (flag == "--tls-key") {
    options.tls_key = text;
  } else if (flag == "--allowed-origins") {
    for (std::string& origin : split_list(value)) {
      if (!is_valid_origin_pattern(origin)) {
        return "--allowed-origins expects scheme://host[:port] origins or patterns like "
               "https://*.example.com, got '" +
               origin + "'";
      }
      options.allowed_origins.push_back(std::move(origin));
    }
  } else if (flag == "--allowed-hosts") {
    for (std::string& host : split_list(value)) {
      if (!is_valid_host_name(host)) {
        return "--allowed-hosts expects host names or addresses, got '" + host + "'";
      }
      options.allowed_hosts.push_back(std::move(host));
    }
  } else if (flag == "--auth") {
    options.auth = auth_mode_from_string(value);
    if (!options.auth) return "--auth expects required, optional or off, got '" + text + "'";
  } else if (flag == "--jwt-secret") {
    options.jwt_secret = text;
  } else if (flag == "--jwt-public-key") {
    options.jwt_public_key = text;
  } else if (flag == "--metrics-port") {
    std::uint16_t port = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size()) {
      return "--metrics-port expects a port from 0 to 65535, got '" + text + "'";
    }
    options.metrics_port = port;
  } else if (flag == "--metrics-token") {
    if (value.size() < 16) return std::string("--metrics-token must be at least 16 characters");
    options.metrics_token = text;
  }
  return std::nullopt;
}

std::optional<std::string> check_access_options(const AccessOptions& options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return "--tls-cert and --tls-key go together";
  }
  if (!options.jwt_secret.empty() && !options.jwt_public_key.empty()) {
    return "--jwt-secret and --jwt-public-key exclude each other";
  }
  const bool has_key = !options.jwt_secret.empty() || !options.jwt_public_key.empty();
  if (!has_key && options.auth && *options.auth != AuthMode::off) {
    return "--auth " + std::string(to_string(*options.auth)) +
           " needs --jwt-secret or --jwt-public-key";
  }
  return std::nullopt;
}

AuthMode effective_auth_mode(const AccessOptions& options) {
  if (options.auth) return *options.auth;
  const bool has_key = !options.jwt_secret.empty() || !options.jwt_public_key.empty();
  return has_key ? AuthMode::required : AuthMode::off;
}

}  // namespace rtcwire::server
