// Ephemeral TURN credentials in the TURN REST API scheme that coturn's `use-auth-secret`
// implements: username `<unix expiry>:<peer id>`, credential base64(HMAC-SHA1(secret, username)).
// coturn recomputes the credential from the shared secret, so nothing is stored per peer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::server {

struct TurnSettings {
  std::string secret;
  std::vector<std::string> uris;  // stun:, turn: and turns: URIs (checked by turn_options)
  std::chrono::seconds ttl{3600};
};

// base64(HMAC-SHA1(secret, username)), computed by OpenSSL.
std::string turn_credential(std::string_view secret, std::string_view username);

// The iceServers of `peer` valid until `unix_now` + ttl: the stun: URIs first in an entry of their
// own (when there are any), then every turn:/turns: URI in one entry with the credentials.
envelope::IceServersGrant mint_turn_credentials(const TurnSettings& settings, std::string_view peer,
                                                std::int64_t unix_now);

// What the hub asks at each welcome and ice-servers request; the clock stays out of the hub.
class TurnCredentials {
 public:
  virtual ~TurnCredentials() = default;
  virtual envelope::IceServersGrant mint(std::string_view peer) const = 0;
};

// Mints against the wall clock (coturn compares the expiry with its own).
class WallClockTurnCredentials final : public TurnCredentials {
 public:
  explicit WallClockTurnCredentials(TurnSettings settings) : settings_(std::move(settings)) {}
  envelope::IceServersGrant mint(std::string_view peer) const override;

 private:
  TurnSettings settings_;
};

}  // namespace rtcwire::server
