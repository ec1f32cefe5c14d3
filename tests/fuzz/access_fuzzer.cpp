// Feeds untrusted bytes to the access-control decoders of the server: connection tokens (JWT
// split, base64url, header and claims JSON, signature checks) and Origin / Host headers.
// Any crash, sanitizer report, uncaught exception or hang is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "jwt_verifier.hpp"
#include "origin_policy.hpp"

namespace {

using namespace rtcwire::server;

const std::shared_ptr<const JwtVerifier>& verifier() {
  static const auto instance =
      JwtVerifier::with_secret("fuzzing-secret-that-is-long-enough-0123").value();
  return instance;
}

const OriginPolicy& same_origin() {
  static const OriginPolicy policy({}, {}, true);
  return policy;
}

const OriginPolicy& listed() {
  static const OriginPolicy policy({"https://app.example.com", "https://*.example.org"},
                                   {"signal.example.com", "[::1]"}, false);
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)verifier()->verify(input, 1700000000);
  (void)base64url_decode(input);
  // The first line is an Origin, the rest a Host header.
  const std::size_t newline = input.find('\n');
  const std::string_view origin = input.substr(0, newline);
  const std::string_view host = newline == input.npos ? input : input.substr(newline + 1);
  (void)parse_origin(origin, true);
  (void)parse_host_header(host);
  for (const OriginPolicy* policy : {&same_origin(), &listed()}) {
    (void)policy->allows_host(host);
    (void)policy->allows_origin(origin, host, size % 2 == 0);
  }
  return 0;
}
