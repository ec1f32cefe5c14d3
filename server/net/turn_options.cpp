#include "turn_options.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <iterator>

#include "origin_policy.hpp"

namespace rtcwire::server {
namespace {

constexpr std::array kFlags{
    std::string_view{"--turn-secret"},
    std::string_view{"--turn-secret-file"},
    std::string_view{"--turn-uris"},
    std::string_view{"--turn-ttl"},
};

constexpr std::string_view kUriRule =
    "stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=...]";

// The secret is the first line: a trailing newline (or spaces, from an editor) is not part of it.
std::string first_line_trimmed(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

}  // namespace

const std::string_view kTurnUsage = R"(TURN credentials (docs/server.md, "TURN"):
  --turn-secret SECRET      shared secret of coturn's use-auth-secret (at least 16 bytes):
                            welcome carries iceServers with credentials minted from it
  --turn-secret-file FILE   the same, read from the first line of FILE (not both)
  --turn-uris LIST          comma-separated stun:, turn: and turns: URIs given to clients
                            (at most 16); required with a secret
  --turn-ttl SECONDS        how long credentials stay valid, 10 to 604800 (default 3600)
)";

bool is_turn_flag(std::string_view flag) {
  for (const std::string_view known : kFlags) {
    if (known == flag) return true;
  }
  return false;
}

bool is_valid_turn_uri(std::string_view uri) {
  const std::size_t colon = uri.find(':');
  if (colon == uri.npos) return false;
  const std::string_view scheme = uri.substr(0, colon);
  if (scheme != "stun" && scheme != "turn" && scheme != "turns") return false;
  std::string_view authority = uri.substr(colon + 1);
  const std::size_t question = authority.find('?');
  if (question != authority.npos) {
    const std::string_view query = authority.substr(question + 1);
    // RFC 7064: a stun: URI has no query.
    if (scheme == "stun" || (query != "transport=udp" && query != "transport=tcp")) return false;
    authority = authority.substr(0, question);
  }
  return parse_host_header(authority).has_value();
}

std::optional<std::string> apply_turn_flag(TurnOptions& options, std::string_view flag,
                                           std::string_view value) {
  if (flag == "--turn-secret") {
    if (value.size() < kMinTurnSecretBytes) {
      return "--turn-secret must be at least " + std::to_string(kMinTurnSecretBytes) + " bytes";
    }
    options.secret = std::string(value);
  } else if (flag == "--turn-secret-file") {
    options.secret_file = std::string(value);
  } else if (flag == "--turn-uris") {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t end = std::min(value.find(',', start), value.size());
      const std::string_view uri = value.substr(start, end - start);
      start = end + 1;
      if (uri.empty()) continue;
      if (!is_valid_turn_uri(uri)) {
        return "--turn-uris expects " + std::string(kUriRule) + ", got '" + std::string(uri) + "'";
      }
      options.uris.emplace_back(uri);
    }
    if (options.uris.size() > kMaxTurnUris) {
      return "--turn-uris takes at most " + std::to_string(kMaxTurnUris) + " URIs";
    }
  } else if (flag == "--turn-ttl") {
    long seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size() ||
        seconds < kMinTurnTtl.count() || seconds > kMaxTurnTtl.count()) {
      return "--turn-ttl expects seconds from " + std::to_string(kMinTurnTtl.count()) + " to " +
             std::to_string(kMaxTurnTtl.count()) + ", got '" + std::string(value) + "'";
    }
    options.ttl = std::chrono::seconds(seconds);
  }
  return std::nullopt;
}

std::optional<std::string> check_turn_options(TurnOptions& options) {
  if (!options.secret.empty() && !options.secret_file.empty()) {
    return "--turn-secret and --turn-secret-file exclude each other";
  }
  if (!options.secret_file.empty()) {
    std::ifstream file(options.secret_file, std::ios::binary);
    if (!file) return "--turn-secret-file: cannot read " + options.secret_file;
    options.secret = first_line_trimmed(
        std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()));
    if (options.secret.size() < kMinTurnSecretBytes) {
      return "--turn-secret-file " + options.secret_file +
             ": the secret (its first line) must be " + "at least " +
             std::to_string(kMinTurnSecretBytes) + " bytes";
    }
  }
  const char* source = options.secret_file.empty() ? "--turn-secret" : "--turn-secret-file";
  const bool has_secret = !options.secret.empty();
  if (has_secret && options.uris.empty()) {
    return std::string(source) + " needs --turn-uris (the stun:/turn:/turns: URIs of the server)";
  }
  if (!has_secret && !options.uris.empty()) {
    return "--turn-uris needs --turn-secret or --turn-secret-file";
  }
  return std::nullopt;
}

std::optional<TurnSettings> turn_settings(const TurnOptions& options) {
  if (options.secret.empty()) return std::nullopt;
  return TurnSettings{options.secret, options.uris, options.ttl};
}

}  // namespace rtcwire::server
