// The app's options for the peer layer (`connect(url, {peers: {...}})`).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "rtcwire/base/time.hpp"

namespace rtcwire::peer {

struct PeerConfig {
  // Every pair in a room connects by itself; off: the app calls peerConnect().
  bool auto_connect = true;
  // RTCConfiguration.iceServers (peer/ice_server_list.hpp). In the registry: the effective list.
  nlohmann::json ice_servers = nlohmann::json::array();
  bool relay_only = false;  // iceTransportPolicy 'relay'
  // The app gave an iceServersProvider (JS calls it when the client asks).
  bool ice_servers_provider = false;
  // A connection `disconnected` this long gets an ICE restart (a failed one gets it at once).
  base::Millis restart_grace{3000};
  // ICE restarts in a row without reaching `connected` before the peer is `failed`.
  uint32_t max_restarts = 5;
};

}  // namespace rtcwire::peer
