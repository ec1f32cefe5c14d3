#include "rtcwire/client/config.hpp"
#include "rtcwire/base/json_parse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/engineio/transport_kind.hpp"
#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire {
namespace {

using envelope::Json;

// {initialDelayMs?, factor?, maxDelayMs?, maxAttempts? (0: never reconnect; absent: unlimited)}.
Result<ReconnectPolicy> parse_reconnect_policy(const Json& json) {
  const Error bad = local_error(ErrorCode::invalid_argument,
                                "'reconnect' must be {initialDelayMs, factor, maxDelayMs, "
                                "maxAttempts} with initialDelayMs 1..600000, factor 1..10, "
                                "maxDelayMs >= initialDelayMs and <= 3600000, maxAttempts >= 0");
  if (!json.is_object()) return bad;
  ReconnectPolicy policy;
  const auto read_ms = [&](const char* name, Millis& out, uint64_t low, uint64_t high) {
    if (!json.contains(name)) return true;
    const Json& value = json[name];
    if (!value.is_number_unsigned() || value.get<uint64_t>() < low || value.get<uint64_t>() > high)
      return false;
    out = Millis(value.get<int64_t>());
    return true;
  };
  if (!read_ms("initialDelayMs", policy.initial, 1, 600000) ||
      !read_ms("maxDelayMs", policy.cap, 1, 3600000) || policy.cap < policy.initial) {
    return bad;
  }
  if (json.contains("factor")) {
    const Json& factor = json["factor"];
    if (!factor.is_number() || factor.get<double>() < 1 || factor.get<double>() > 10) return bad;
    policy.factor = factor.get<double>();
  }
  if (json.contains("maxAttempts")) {
    const Json& attempts = json["maxAttempts"];
    if (!attempts.is_number_unsigned() || attempts.get<uint64_t>() > 1000000) return bad;
    policy.max_attempts = static_cast<uint32_t>(attempts.get<uint64_t>());
  }
  return policy;
}

// {autoConnect?: bool, iceServers?: [{urls, username?, credential?}], iceTransportPolicy?:
//  'all' | 'relay', restartGraceMs?: 0..600000, maxIceRestarts?: 0..100}.
Result<peer::PeerConfig> parse_peer_config(const Json& json) {
  const auto bad = [](const char* what) {
    return local_error(ErrorCode::invalid_argument, std::string("'peers.") + what);
  };
  if (!json.is_object())
    return local_error(ErrorCode::invalid_argument, "'peers' must be an object");
  peer::PeerConfig config;
  if (const auto auto_connect = json.find("autoConnect"); auto_connect != json.end()) {
    if (!auto_connect->is_boolean()) return bad("autoConnect' must be a boolean");
    config.auto_connect = auto_connect->get<bool>();
  }
  if (const auto servers = json.find("iceServers"); servers != json.end()) {
    // Passed to RTCPeerConnection as given; the browser checks the URLs themselves.
    bool valid = servers->is_array() && servers->size() <= 32;
    for (std::size_t i = 0; valid && i < servers->size(); ++i) {
      const Json& server = (*servers)[i];
      valid = server.is_object() && server.contains("urls") &&
              (server["urls"].is_string() || server["urls"].is_array());
      for (const char* name : {"username", "credential"}) {
        valid = valid && (!server.contains(name) || server[name].is_string());
      }
    }
    if (!valid) return bad("iceServers' must be up to 32 of {urls, username?, credential?}");
    config.ice_servers = *servers;
  }
  if (const auto policy = json.find("iceTransportPolicy"); policy != json.end()) {
    if (*policy != "all" && *policy != "relay") {
      return bad("iceTransportPolicy' must be 'all' or 'relay'");
    }
    config.relay_only = *policy == "relay";
  }
  if (const auto grace = json.find("restartGraceMs"); grace != json.end()) {
    if (!grace->is_number_unsigned() || grace->get<uint64_t>() > 600000) {
      return bad("restartGraceMs' must be an integer from 0 to 600000");
    }
    config.restart_grace = Millis(grace->get<int64_t>());
  }
  if (const auto restarts = json.find("maxIceRestarts"); restarts != json.end()) {
    if (!restarts->is_number_unsigned() || restarts->get<uint64_t>() > 100) {
      return bad("maxIceRestarts' must be an integer from 0 to 100");
    }
    config.max_restarts = static_cast<uint32_t>(restarts->get<uint64_t>());
  }
  return config;
}

}  // namespace

Millis millis_from_js(double now) {
  // Past 2^53 a double counts no single milliseconds anyway; beyond int64 the cast is undefined.
  constexpr double kMax = 9007199254740991.0;
  if (!std::isfinite(now) || now <= 0) return Millis(0);
  return Millis(static_cast<int64_t>(now < kMax ? now : kMax));
}

Result<ClientConfig> parse_client_config(std::string_view text) {
  if (json_nesting_depth(text, envelope::kMaxJsonDepth) < 0) {
    return local_error(ErrorCode::invalid_argument, "client config is nested too deeply");
  }
  const Json json = parse_json(text);
  if (json.is_discarded() || !json.is_object()) {
    return local_error(ErrorCode::invalid_argument, "client config is not a JSON object");
  }
  ClientConfig config;
  const auto url = json.find("url");
  if (url == json.end() || !url->is_string()) {
    return local_error(ErrorCode::invalid_argument, "client config needs a string 'url'");
  }
  config.url = url->get<std::string>();
  if (const auto sdk = json.find("sdk"); sdk != json.end()) {
    if (!sdk->is_string())
      return local_error(ErrorCode::invalid_argument, "'sdk' must be a string");
    config.sdk = sdk->get<std::string>();
  }
  if (const auto timeout = json.find("handshakeTimeoutMs"); timeout != json.end()) {
    if (!timeout->is_number_unsigned() || timeout->get<uint64_t>() == 0 ||
        timeout->get<uint64_t>() > 3'600'000) {
      return local_error(ErrorCode::invalid_argument,
                         "'handshakeTimeoutMs' must be an integer from 1 to 3600000");
    }
    config.handshake_timeout = Millis(timeout->get<int64_t>());
  }
  if (const auto transports = json.find("transports"); transports != json.end()) {
    if (!transports->is_array() || transports->empty() || transports->size() > 3) {
      return local_error(ErrorCode::invalid_argument,
                         "'transports' must list 1 to 3 of 'websocket', 'sse', 'polling'");
    }
    config.transports.clear();
    for (const auto& name : *transports) {
      const auto kind =
          name.is_string() ? transport_kind_from_string(name.get<std::string>()) : std::nullopt;
      if (!kind || std::find(config.transports.begin(), config.transports.end(), *kind) !=
                       config.transports.end()) {
        return local_error(ErrorCode::invalid_argument,
                           "'transports' must list distinct names of 'websocket', 'sse', "
                           "'polling'");
      }
      config.transports.push_back(*kind);
    }
  }
  if (const auto remembered = json.find("remembered"); remembered != json.end()) {
    std::optional<TransportKind> kind;
    std::optional<double> until;
    if (remembered->is_object()) {
      const Json& entry = *remembered;
      if (entry.contains("transport") && entry["transport"].is_string()) {
        kind = transport_kind_from_string(entry["transport"].get<std::string>());
      }
      if (entry.contains("until") && entry["until"].is_number()) {
        until = entry["until"].get<double>();
      }
    }
    if (!kind || !until) {
      return local_error(ErrorCode::invalid_argument,
                         "'remembered' must be {transport, until} as the core reported it");
    }
    config.remembered = RememberedTransport{*kind, millis_from_js(*until)};
  }
  if (const auto reconnect = json.find("reconnect"); reconnect != json.end()) {
    auto policy = parse_reconnect_policy(*reconnect);
    if (!policy) return policy.error();
    config.reconnect = policy.value();
  }
  if (const auto cap = json.find("resumeBufferBytes"); cap != json.end()) {
    if (!cap->is_number_unsigned() || cap->get<uint64_t>() == 0 ||
        cap->get<uint64_t>() > 256 * 1024 * 1024) {
      return local_error(ErrorCode::invalid_argument,
                         "'resumeBufferBytes' must be an integer from 1 to 268435456");
    }
    config.resume_buffer_bytes = static_cast<std::size_t>(cap->get<uint64_t>());
  }
  if (const auto peers = json.find("peers"); peers != json.end()) {
    auto parsed = parse_peer_config(*peers);
    if (!parsed) return parsed.error();
    config.peers = std::move(parsed.value());
  }
  if (const auto seed = json.find("randomSeed"); seed != json.end()) {
    if (!seed->is_number_unsigned()) {
      return local_error(ErrorCode::invalid_argument, "'randomSeed' must be a whole number");
    }
    config.random_seed = seed->get<uint64_t>();
  }
  return config;
}

}  // namespace rtcwire
