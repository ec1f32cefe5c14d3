// What a verified connection token allows: who the bearer is, until when, which rooms it may join
// and whether it may send to a room. Parsed from the JWT claims (docs/server.md, "Tokens").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"

namespace rtcwire::server {

using base::Error;
using base::ErrorCode;
using base::remote_error;
using base::Result;

struct TokenGrant {
  std::string user;                        // `sub`; empty when the token has none
  std::optional<std::int64_t> expires;     // `exp`, seconds since the epoch
  std::optional<std::int64_t> not_before;  // `nbf`, seconds since the epoch
  // `rooms`: names, or prefixes ending in '*' ("team-*"); absent: every room.
  std::optional<std::vector<std::string>> rooms;
  bool publish = true;  // `publish: false`: the bearer may only listen

  bool allows_room(std::string_view room) const;
  bool operator==(const TokenGrant&) const = default;
};

// Reads the claims of a token whose signature was checked; unauthorized when one is malformed.
Result<TokenGrant> grant_from_claims(const nlohmann::json& claims);

// `pattern` is a room name, or a prefix followed by '*' that matches every room starting with it.
bool room_pattern_matches(std::string_view pattern, std::string_view room);

}  // namespace rtcwire::server
