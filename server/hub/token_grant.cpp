#include "token_grant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::server {
namespace {

constexpr std::size_t kMaxRoomPatterns = 256;

Error malformed(std::string what) {
  return remote_error(ErrorCode::unauthorized, "token claim " + std::move(what));
}

// NumericDate: seconds since the epoch, possibly fractional (RFC 7519 §2); fractions round down.
std::optional<std::int64_t> read_time(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const double seconds = value.get<double>();
    // Beyond ±2^53 a double is not an exact second anyway, and the cast must not overflow.
    if (!std::isfinite(seconds) || std::fabs(seconds) > 9007199254740991.0) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(seconds));
  }
  return std::nullopt;
}

bool is_valid_pattern(const std::string& pattern) {
  if (pattern == "*") return true;
  const std::string_view name =
      pattern.ends_with('*') ? std::string_view(pattern).substr(0, pattern.size() - 1) : pattern;
  return envelope::is_valid_room(name);
}

}  // namespace

bool room_pattern_matches(std::string_view pattern, std::string_view room) {
  if (pattern.ends_with('*')) return room.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == room;
}

bool TokenGrant::allows_room(std::string_view room) const {
  if (!rooms) return true;
  return std::any_of(rooms->begin(), rooms->end(), [room](const std::string& pattern) {
    return room_pattern_matches(pattern, room);
  });
}

Result<TokenGrant> grant_from_claims(const nlohmann::json& claims) {
  if (!claims.is_object()) return malformed("set is not a JSON object");
  TokenGrant grant;
  if (const auto sub = claims.find("sub"); sub != claims.end()) {
    if (!sub->is_string() || sub->get_ref<const std::string&>().empty() ||
        sub->get_ref<const std::string&>().size() > envelope::kMaxUserBytes) {
      return malformed("'sub' must be a string of 1 to " + std::to_string(envelope::kMaxUserBytes) +
                       " bytes");
    }
    grant.user = sub->get<std::string>();
  }
  for (const char* name : {"exp", "nbf"}) {
    const auto found = claims.find(name);
    if (found == claims.end()) continue;
    const auto time = read_time(*found);
    if (!time) return malformed(std::string("'") + name + "' must be a number of seconds");
    (std::string_view(name) == "exp" ? grant.expires : grant.not_before) = time;
  }
  if (const auto rooms = claims.find("rooms"); rooms != claims.end()) {
    if (!rooms->is_array() || rooms->size() > kMaxRoomPatterns) {
      return malformed("'rooms' must be an array of at most " + std::to_string(kMaxRoomPatterns) +
                       " room names or prefix patterns");
    }
    grant.rooms.emplace();
    for (const auto& pattern : *rooms) {
      if (!pattern.is_string() || !is_valid_pattern(pattern.get_ref<const std::string&>())) {
        return malformed(
            "'rooms' holds something that is neither a room name nor a prefix "
            "pattern like \"team-*\"");
      }
      grant.rooms->push_back(pattern.get<std::string>());
    }
  }
  if (const auto publish = claims.find("publish"); publish != claims.end()) {
    if (!publish->is_boolean()) return malformed("'publish' must be a boolean");
    grant.publish = publish->get<bool>();
  }
  return grant;
}

}  // namespace rtcwire::server
