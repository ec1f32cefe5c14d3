#include "rtcwire/client/ice_server_sources.hpp"

#include <algorithm>
#include <utility>

#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/peer/ice_server_list.hpp"

namespace rtcwire::client {

using base::Millis;

namespace {

using Json = nlohmann::json;

constexpr Millis kServerRetry{5000};
constexpr Millis kProviderFirstRetry{2000};
constexpr Millis kProviderMaxRetry{60000};
constexpr std::uint64_t kMaxTtlSeconds = 365ull * 24 * 3600;
constexpr std::size_t kMaxReasonBytes = 256;

void append_to(Json& list, const Json& more) {
  for (const Json& server : more) list.push_back(server);
}

}  // namespace

Millis ice_servers_refresh_delay(std::uint64_t lifetime_ms) {
  const std::uint64_t bounded = std::min<std::uint64_t>(lifetime_ms, std::uint64_t{1} << 40);
  return std::max(Millis{static_cast<Millis::rep>(bounded / 5 * 4)}, Millis{1000});
}

IceServerSources::IceServerSources(Json app, bool relay_only, bool has_provider)
    : app_(std::move(app)), relay_only_(relay_only), has_provider_(has_provider) {}

Json IceServerSources::effective() const {
  Json all = app_;
  append_to(all, provider_);
  append_to(all, server_);
  return all;
}

base::Status IceServerSources::set_app(Json servers, std::optional<bool> relay_only) {
  if (!peer::is_valid_ice_server_list(servers)) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "'iceServers' must be up to 32 of {urls, username?, credential?} with "
                             "stun:, stuns:, turn: or turns: URLs (TURN ones with username and "
                             "credential)");
  }
  app_ = std::move(servers);
  if (relay_only) relay_only_ = *relay_only;
  return base::ok();
}

base::Status IceServerSources::server_list(const Json& servers, std::uint64_t expire_in_ms,
                                           Millis now) {
  server_answer_awaited_ = false;
  if (!peer::is_valid_ice_server_list(servers)) {
    timers_.set(Due::server_request, now + kServerRetry);
    return base::remote_error(base::ErrorCode::invalid_ice_servers,
                              "the server sent a malformed iceServers list: ignored");
  }
  server_ = servers;
  timers_.set(Due::server_request, now + ice_servers_refresh_delay(expire_in_ms));
  return base::ok();
}

void IceServerSources::server_refused(base::ErrorCode code, Millis now) {
  server_answer_awaited_ = false;
  if (code == base::ErrorCode::turn_not_configured) {
    timers_.clear(Due::server_request);
  } else {
    timers_.set(Due::server_request, now + kServerRetry);
  }
}

base::Status IceServerSources::provider_answer(std::string_view text, Millis now) {
  provider_answer_awaited_ = false;
  const Json json = base::parse_json(text, envelope::kMaxJsonDepth);
  if (json.is_discarded())
    return provider_error("its answer is not JSON nested at most 32 levels", now);
  Json servers = json;
  std::optional<std::uint64_t> ttl;
  if (json.is_object()) {
    const Json* listed = base::find_field(json, "iceServers");
    servers = listed == nullptr ? Json() : listed->is_object() ? Json::array({*listed}) : *listed;
    if (const Json* seconds = base::find_field(json, "ttl")) {
      ttl = base::whole_number(*seconds, kMaxTtlSeconds);
      if (!ttl) return provider_error("its 'ttl' is not a number of seconds", now);
    }
  }
  if (!peer::is_valid_ice_server_list(servers)) {
    return provider_error(
        "its answer is not a valid iceServers list (an array of RTCIceServer, or {iceServers, "
        "ttl?})",
        now);
  }
  provider_ = std::move(servers);
  provider_backoff_ = Millis{0};
  if (ttl) {
    timers_.set(Due::provider_request, now + ice_servers_refresh_delay(*ttl * 1000));
  } else {
    timers_.clear(Due::provider_request);
  }
  return base::ok();
}

base::Error IceServerSources::provider_failed(std::string_view reason, Millis now) {
  provider_answer_awaited_ = false;
  return provider_error(std::string(reason.substr(0, kMaxReasonBytes)), now);
}

base::Error IceServerSources::provider_error(std::string why, Millis now) {
  provider_backoff_ = provider_backoff_ == Millis{0}
                          ? kProviderFirstRetry
                          : std::min(provider_backoff_ * 2, kProviderMaxRetry);
  timers_.set(Due::provider_request, now + provider_backoff_);
  return base::transport_error(base::ErrorCode::ice_servers_unavailable,
                               "the iceServers provider failed (" + why +
                                   "); the last good list stays, retry in " +
                                   std::to_string(provider_backoff_.count()) + " ms");
}

}  // namespace rtcwire::client
