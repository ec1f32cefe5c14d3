// Comparing secrets a client presents (resume tokens, the metrics bearer token).
#pragma once

#include <string_view>

#include <openssl/crypto.h>

namespace rtcwire::server {

// Whether `presented` equals `secret`, in time independent of where they differ. Only a length
// mismatch returns early, and a length reveals nothing about a secret's bytes.
inline bool secret_matches(std::string_view presented, std::string_view secret) {
  return presented.size() == secret.size() &&
         CRYPTO_memcmp(presented.data(), secret.data(), secret.size()) == 0;
}

}  // namespace rtcwire::server
