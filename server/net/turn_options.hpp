// Command-line options of TURN credentials (docs/server.md, "TURN"): the secret shared with
// coturn's `use-auth-secret`, the URIs clients get and how long credentials stay valid.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "turn_credentials.hpp"

namespace rtcwire::server {

struct TurnOptions {
  std::string secret;       // --turn-secret, or the first line of --turn-secret-file once checked
  std::string secret_file;  // --turn-secret-file
  std::vector<std::string> uris;
  std::chrono::seconds ttl{3600};

  bool operator==(const TurnOptions&) const = default;
};

inline constexpr std::size_t kMinTurnSecretBytes = 16;
inline constexpr std::size_t kMaxTurnUris = 16;
inline constexpr std::chrono::seconds kMinTurnTtl{10};
inline constexpr std::chrono::seconds kMaxTurnTtl{604800};

// Whether `flag` is one of these options (all take a value).
bool is_turn_flag(std::string_view flag);
// Applies one flag's value; an error message when the value is wrong.
std::optional<std::string> apply_turn_flag(TurnOptions& options, std::string_view flag,
                                           std::string_view value);
// Checks the options together once all are read, and reads --turn-secret-file into `secret`.
std::optional<std::string> check_turn_options(TurnOptions& options);
// `stun:host[:port]`, or `turn:`/`turns:` `host[:port][?transport=udp|tcp]` (RFC 7064, 7065).
bool is_valid_turn_uri(std::string_view uri);
// What the hub mints from; nullopt without a secret (TURN off).
std::optional<TurnSettings> turn_settings(const TurnOptions& options);

extern const std::string_view kTurnUsage;

}  // namespace rtcwire::server
