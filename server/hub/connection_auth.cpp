#include "connection_auth.hpp"

#include <chrono>

namespace rtcwire::server {

std::string_view to_string(AuthMode mode) {
  switch (mode) {
    case AuthMode::off:
      return "off";
    case AuthMode::optional:
      return "optional";
    case AuthMode::required:
      return "required";
  }
  return "off";
}

std::optional<AuthMode> auth_mode_from_string(std::string_view name) {
  for (const AuthMode mode : {AuthMode::off, AuthMode::optional, AuthMode::required}) {
    if (to_string(mode) == name) return mode;
  }
  return std::nullopt;
}

Result<Authorization> JwtAuthority::authorize(std::string_view token) const {
  const auto now =
      std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch());
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  auto grant = verifier_->verify(token, seconds);
  if (!grant) return grant.error();
  Authorization authorization{std::move(grant.value()), std::nullopt};
  if (const auto& expires = authorization.grant.expires) {
    authorization.expires_in = std::chrono::seconds(*expires) - now;
  }
  return authorization;
}

}  // namespace rtcwire::server
