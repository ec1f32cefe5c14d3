#include "rtcwire/client/config.hpp"
#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/json_parse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/engineio/transport_kind.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/peer/ice_server_list.hpp"

namespace rtcwire::client {

using base::ErrorCode;

namespace {

using envelope::Json;

// {initialDelayMs?, factor?, maxDelayMs?, maxAttempts? (0: never reconnect; absent: unlimited)}.
base::Result<ReconnectPolicy> parse_reconnect_policy(const Json& json) {
  const base::Error bad =
      base::local_error(ErrorCode::invalid_argument,
                        "'reconnect' must be {initialDelayMs, factor, maxDelayMs, "
                        "maxAttempts} with initialDelayMs 1..600000, factor 1..10, "
                        "maxDelayMs >= initialDelayMs and <= 3600000, maxAttempts >= 0");
  if (!json.is_object()) return bad;
  ReconnectPolicy policy;
  const auto read_ms = [&](const char* name, base::Millis& out, uint64_t high) {
    const Json* field = base::find_field(json, name);
    if (field == nullptr) return true;
    const auto ms = base::whole_number(*field, high);
    if (!ms || *ms < 1) return false;
    out = base::Millis(static_cast<int64_t>(*ms));
    return true;
  };
  if (!read_ms("initialDelayMs", policy.initial, 600000) ||
      !read_ms("maxDelayMs", policy.cap, 3600000) || policy.cap < policy.initial) {
    return bad;
  }
  if (const Json* factor = base::find_field(json, "factor")) {
    if (!factor->is_number() || factor->get<double>() < 1 || factor->get<double>() > 10) return bad;
    policy.factor = factor->get<double>();
  }
  if (const Json* attempts = base::find_field(json, "maxAttempts")) {
    const auto count = base::whole_number(*attempts, 1000000);
    if (!count) return bad;
    policy.max_attempts = static_cast<uint32_t>(*count);
  }
  return policy;
}

// {autoConnect?: bool, iceServers?: [{urls, username?, credential?}], iceServersProvider?: bool
//  (JS holds the provider itself), iceTransportPolicy?: 'all' | 'relay', restartGraceMs?:
//  0..600000, maxIceRestarts?: 0..100}.
base::Result<peer::PeerConfig> parse_peer_config(const Json& json) {
  const auto bad = [](const char* what) {
    return base::local_error(ErrorCode::invalid_argument, std::string("'peers.") + what);
  };
  if (!json.is_object())
    return base::local_error(ErrorCode::invalid_argument, "'peers' must be an object");
  peer::PeerConfig config;
  if (const Json* auto_connect = base::find_field(json, "autoConnect")) {
    if (!auto_connect->is_boolean()) return bad("autoConnect' must be a boolean");
    config.auto_connect = auto_connect->get<bool>();
  }
  if (const Json* servers = base::find_field(json, "iceServers")) {
    if (!peer::is_valid_ice_server_list(*servers)) {
      return bad(
          "iceServers' must be up to 32 of {urls, username?, credential?} with stun:, stuns:, "
          "turn: or turns: URLs (TURN ones with username and credential)");
    }
    config.ice_servers = *servers;
  }
  if (const Json* provider = base::find_field(json, "iceServersProvider")) {
    if (!provider->is_boolean()) return bad("iceServersProvider' must be a boolean in the core");
    config.ice_servers_provider = provider->get<bool>();
  }
  if (const Json* policy = base::find_field(json, "iceTransportPolicy")) {
    if (*policy != "all" && *policy != "relay") {
      return bad("iceTransportPolicy' must be 'all' or 'relay'");
    }
    config.relay_only = *policy == "relay";
  }
  if (const Json* grace = base::find_field(json, "restartGraceMs")) {
    const auto ms = base::whole_number(*grace, 600000);
    if (!ms) return bad("restartGraceMs' must be an integer from 0 to 600000");
    config.restart_grace = base::Millis(static_cast<int64_t>(*ms));
  }
  if (const Json* restarts = base::find_field(json, "maxIceRestarts")) {
    const auto count = base::whole_number(*restarts, 100);
    if (!count) return bad("maxIceRestarts' must be an integer from 0 to 100");
    config.max_restarts = static_cast<uint32_t>(*count);
  }
  return config;
}

}  // namespace

base::Millis millis_from_js(double now) {
  // Past 2^53 a double counts no single milliseconds anyway; beyond int64 the cast is undefined.
  constexpr double kMax = 9007199254740991.0;
  if (!std::isfinite(now) || now <= 0) return base::Millis(0);
  return base::Millis(static_cast<int64_t>(now < kMax ? now : kMax));
}

base::Result<ClientConfig> parse_client_config(std::string_view text) {
  const Json json = base::parse_json(text, envelope::kMaxJsonDepth);
  if (json.is_discarded() || !json.is_object()) {
    return base::local_error(ErrorCode::invalid_argument,
                             "client config is not a JSON object nested at most 32 levels");
  }
  ClientConfig config;
  const Json* url = base::find_field(json, "url");
  if (url == nullptr || !url->is_string()) {
    return base::local_error(ErrorCode::invalid_argument, "client config needs a string 'url'");
  }
  config.url = url->get<std::string>();
  if (const Json* sdk = base::find_field(json, "sdk")) {
    if (!sdk->is_string())
      return base::local_error(ErrorCode::invalid_argument, "'sdk' must be a string");
    config.sdk = sdk->get<std::string>();
  }
  if (const Json* timeout = base::find_field(json, "handshakeTimeoutMs")) {
    const auto ms = base::whole_number(*timeout, 3'600'000);
    if (!ms || *ms == 0) {
      return base::local_error(ErrorCode::invalid_argument,
                               "'handshakeTimeoutMs' must be an integer from 1 to 3600000");
    }
    config.handshake_timeout = base::Millis(static_cast<int64_t>(*ms));
  }
  if (const Json* transports = base::find_field(json, "transports")) {
    if (!transports->is_array() || transports->empty() || transports->size() > 3) {
      return base::local_error(ErrorCode::invalid_argument,
                               "'transports' must list 1 to 3 of 'websocket', 'sse', 'polling'");
    }
    config.transports.clear();
    for (const auto& name : *transports) {
      const auto kind = name.is_string()
                            ? engineio::transport_kind_from_string(name.get<std::string>())
                            : std::nullopt;
      if (!kind || std::find(config.transports.begin(), config.transports.end(), *kind) !=
                       config.transports.end()) {
        return base::local_error(ErrorCode::invalid_argument,
                                 "'transports' must list distinct names of 'websocket', 'sse', "
                                 "'polling'");
      }
      config.transports.push_back(*kind);
    }
  }
  if (const Json* remembered = base::find_field(json, "remembered")) {
    std::optional<engineio::TransportKind> kind;
    std::optional<double> until;
    if (const Json* transport = base::find_field(*remembered, "transport");
        transport && transport->is_string()) {
      kind = engineio::transport_kind_from_string(transport->get<std::string>());
    }
    if (const Json* time = base::find_field(*remembered, "until"); time && time->is_number()) {
      until = time->get<double>();
    }
    if (!kind || !until) {
      return base::local_error(ErrorCode::invalid_argument,
                               "'remembered' must be {transport, until} as the core reported it");
    }
    config.remembered = RememberedTransport{*kind, millis_from_js(*until)};
  }
  if (const Json* reconnect = base::find_field(json, "reconnect")) {
    auto policy = parse_reconnect_policy(*reconnect);
    if (!policy) return policy.error();
    config.reconnect = policy.value();
  }
  if (const Json* cap = base::find_field(json, "resumeBufferBytes")) {
    const auto bytes = base::whole_number(*cap, 256 * 1024 * 1024);
    if (!bytes || *bytes == 0) {
      return base::local_error(ErrorCode::invalid_argument,
                               "'resumeBufferBytes' must be an integer from 1 to 268435456");
    }
    config.resume_buffer_bytes = static_cast<std::size_t>(*bytes);
  }
  if (const Json* peers = base::find_field(json, "peers")) {
    auto parsed = parse_peer_config(*peers);
    if (!parsed) return parsed.error();
    config.peers = std::move(parsed.value());
  }
  if (const Json* seed = base::find_field(json, "randomSeed")) {
    const auto value = base::whole_number(*seed, UINT64_MAX);
    if (!value) {
      return base::local_error(ErrorCode::invalid_argument, "'randomSeed' must be a whole number");
    }
    config.random_seed = *value;
  }
  return config;
}

}  // namespace rtcwire::client
