// RTCConfiguration.iceServers lists, from the app or from the network (welcome, provider): the
// one check they all pass before any reaches an RTCPeerConnection, and what diagnostics read of
// them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rtcwire::peer {

// Up to 32 of {urls: string | 1..16 strings, username?: string, credential?: string}, every URL
// stun:, stuns:, turn: or turns: (up to 512 bytes), a TURN one with username and credential:
// what RTCPeerConnection would otherwise refuse by throwing.
bool is_valid_ice_server_list(const nlohmann::json& servers);

// Every URL of a valid list, in order (never the credentials).
std::vector<std::string> ice_server_urls(const nlohmann::json& servers);

bool is_turn_url(const std::string& url);

}  // namespace rtcwire::peer
