// Who may open a session: the --auth mode and the authority that turns a connection token into a
// grant. The hub asks it at hello, resume and refresh; the clock stays out of the hub.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "jwt_verifier.hpp"
#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "token_grant.hpp"

namespace rtcwire::server {

using base::Millis;
using base::Result;

enum class AuthMode {
  off,       // tokens are ignored: anyone may join any room
  optional,  // a token, when given, must be valid and is enforced; without one, anyone
  required,  // hello without a valid token is refused (unauthorized)
};

std::string_view to_string(AuthMode mode);
std::optional<AuthMode> auth_mode_from_string(std::string_view name);

struct Authorization {
  TokenGrant grant;
  std::optional<Millis> expires_in;  // how long the token stays valid; none: it never expires
};

class TokenAuthority {
 public:
  virtual ~TokenAuthority() = default;
  // unauthorized or token_expired when `token` does not admit its bearer now.
  virtual Result<Authorization> authorize(std::string_view token) const = 0;
};

// JWTs checked against the wall clock.
class JwtAuthority final : public TokenAuthority {
 public:
  explicit JwtAuthority(std::shared_ptr<const JwtVerifier> verifier)
      : verifier_(std::move(verifier)) {}
  Result<Authorization> authorize(std::string_view token) const override;

 private:
  std::shared_ptr<const JwtVerifier> verifier_;
};

}  // namespace rtcwire::server
