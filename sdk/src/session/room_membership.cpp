#include "rtcwire/session/room_membership.hpp"

#include <algorithm>

namespace rtcwire::session {

bool RoomMembership::has_peer(std::string_view peer) const {
  return std::find(peers_.begin(), peers_.end(), peer) != peers_.end();
}

void RoomMembership::on_joined(std::string room, std::vector<std::string> peers) {
  room_ = std::move(room);
  peers_.clear();
  for (auto& peer : peers) {
    if (!has_peer(peer)) peers_.push_back(std::move(peer));
  }
}

bool RoomMembership::on_left(std::string_view room) {
  if (!in_room() || room != room_) return false;
  reset();
  return true;
}

bool RoomMembership::on_peer_joined(const std::string& peer) {
  if (!in_room() || has_peer(peer)) return false;
  peers_.push_back(peer);
  return true;
}

bool RoomMembership::on_peer_left(std::string_view peer) {
  const auto it = std::find(peers_.begin(), peers_.end(), peer);
  if (it == peers_.end()) return false;
  peers_.erase(it);
  return true;
}

void RoomMembership::reset() {
  room_.clear();
  peers_.clear();
}

}  // namespace rtcwire::session
