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
  // RTCConfiguration.iceServers as the app gave it (an array, checked when parsed).
  nlohmann::json ice_servers = nlohmann::json::array();
  bool relay_only = false;  // iceTransportPolicy 'relay'
  // A connection `disconnected` this long gets an ICE restart (a failed one gets it at once).
  Millis restart_grace{3000};
  // ICE restarts in a row without reaching `connected` before the peer is `failed`.
  uint32_t max_restarts = 5;
};

}  // namespace rtcwire::peer
