// Where the ICE servers of every RTCPeerConnection come from (docs/architecture.md, "ICE
// servers"): the app's list (connect option, setIceServers), the iceServersProvider's last good
// list and the server's last credentials, concatenated in that order; and when the provider and
// the server are asked again: at 80% of the lifetime they gave, after a failure on a backoff.
// Lists from the network are checked like the app's; a bad one is an error and changes nothing.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/base/timer_table.hpp"

namespace rtcwire::client {

class IceServerSources {
 public:
  enum class Due { server_request, provider_request };

  IceServerSources(nlohmann::json app, bool relay_only, bool has_provider);

  nlohmann::json effective() const;
  bool relay_only() const { return relay_only_; }

  // The app's list (and policy, when given). Error: local invalid_argument; nothing changes.
  base::Status set_app(nlohmann::json servers, std::optional<bool> relay_only);

  // The server's credentials (welcome or an ice-servers answer), valid for `expire_in_ms`: asked
  // again at 80% of it. A bad list: remote invalid_ice_servers, the last good one stays.
  base::Status server_list(const nlohmann::json& servers, std::uint64_t expire_in_ms,
                           base::Millis now);
  // The server refused an ice-servers request: asked again in 5 s, or never when it has no TURN.
  void server_refused(base::ErrorCode code, base::Millis now);
  // An ice-servers request went out; its answer is awaited.
  void server_asked() { server_answer_awaited_ = true; }
  bool server_answer_awaited() const { return server_answer_awaited_; }

  // The app has a provider: the client asks JS to call it at connect(), at 80% of its last
  // `ttl`, and after a failure on a backoff (2 s doubling to 60 s).
  bool has_provider() const { return has_provider_; }
  // JS was asked to call the provider (one call at a time).
  void provider_asked() { provider_answer_awaited_ = true; }
  bool provider_answer_awaited() const { return provider_answer_awaited_; }
  // The provider's JSON text: an array of RTCIceServer, or {iceServers: array | object, ttl?}.
  // Error: transport ice_servers_unavailable saying why; the last good list stays.
  base::Status provider_answer(std::string_view json, base::Millis now);
  base::Error provider_failed(std::string_view reason, base::Millis now);

  // The client closed: nothing is asked any more.
  void stop() { timers_.clear_all(); }
  std::optional<base::Millis> deadline() const { return timers_.earliest(); }
  std::vector<Due> take_due(base::Millis now) { return timers_.take_expired(now); }

 private:
  base::Error provider_error(std::string why, base::Millis now);

  nlohmann::json app_;
  nlohmann::json provider_ = nlohmann::json::array();
  nlohmann::json server_ = nlohmann::json::array();
  bool relay_only_;
  bool has_provider_;
  bool server_answer_awaited_ = false;
  bool provider_answer_awaited_ = false;
  base::Millis provider_backoff_{0};  // the last retry wait; 0 after a success
  base::TimerTable<Due, 2> timers_;
};

// 80% of a credential's lifetime, at least a second: when to ask for the next one.
base::Millis ice_servers_refresh_delay(std::uint64_t lifetime_ms);

}  // namespace rtcwire::client
