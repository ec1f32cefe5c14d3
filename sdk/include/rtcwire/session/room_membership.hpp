// Which room this client is in and who else is there, mirrored from what the server confirms.
// The server is the authority: a join switches rooms there, so the mirror follows its answers
// rather than the requests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rtcwire::session {

class RoomMembership {
 public:
  bool in_room() const { return !room_.empty(); }
  // The current room, or empty.
  const std::string& room() const { return room_; }
  // Other peers in the room, in the order they appeared.
  const std::vector<std::string>& peers() const { return peers_; }
  bool has_peer(std::string_view peer) const;

  void on_joined(std::string room, std::vector<std::string> peers);
  // False when `room` is not the current room (a stale or unexpected confirmation).
  bool on_left(std::string_view room);
  // Presence changes; false when they change nothing (not in a room, already known, unknown).
  bool on_peer_joined(const std::string& peer);
  bool on_peer_left(std::string_view peer);
  void reset();

 private:
  std::string room_;
  std::vector<std::string> peers_;
};

}  // namespace rtcwire::session
