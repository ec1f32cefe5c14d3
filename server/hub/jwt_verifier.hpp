// Verifies JWT connection tokens (RFC 7519, compact JWS): HS256 with a shared secret, or RS256 /
// ES256 with a PEM public key. The algorithm comes from the configured key, never from the token,
// so `alg: none` and algorithm confusion (an HS256 token signed with the public key) are refused.
// Signatures are OpenSSL's; this file only splits, decodes and compares.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rtcwire/base/error.hpp"
#include "token_grant.hpp"

namespace rtcwire::server {

using base::Error;
using base::ErrorCode;
using base::local_error;
using base::remote_error;
using base::Result;

enum class JwtAlgorithm { hs256, rs256, es256 };

std::string_view to_string(JwtAlgorithm algorithm);

class JwtVerifier {
 public:
  // HS256 with `secret` (at least 32 bytes, RFC 7518 §3.2).
  static Result<std::shared_ptr<const JwtVerifier>> with_secret(std::string secret);
  // RS256 (an RSA key of at least 2048 bits) or ES256 (a P-256 key), from a PEM public key.
  static Result<std::shared_ptr<const JwtVerifier>> with_public_key_pem(std::string_view pem);

  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  JwtAlgorithm algorithm() const { return algorithm_; }

  // The grant of a well-signed token valid at `now` (seconds since the epoch): unauthorized when
  // it is malformed, badly signed, of another algorithm or not valid yet; token_expired when
  // `exp` is not after `now`.
  Result<TokenGrant> verify(std::string_view token, std::int64_t now) const;

 private:
  struct Key;
  JwtVerifier(JwtAlgorithm algorithm, std::unique_ptr<Key> key);
  bool signature_matches(std::string_view signed_part, std::string_view signature) const;

  JwtAlgorithm algorithm_;
  std::unique_ptr<Key> key_;
};

// RFC 4648 §5 without padding, as JWS uses it; nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace rtcwire::server
