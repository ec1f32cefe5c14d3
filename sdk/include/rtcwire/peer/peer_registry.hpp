// All remote peers of the room, by id: follows the room (joined, peer-joined, peer-left, leaving
// it), routes the peers' signals and the JS layer's events to the right peer, and takes the app's
// peer commands. Who starts a connection: the side that found the other in its `joined` list
// (the newcomer) at once; the other when the first signal arrives (or when its app connects).
// polite = own id > remote id, byte-wise.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/peer/local_tracks.hpp"
#include "rtcwire/peer/peer_config.hpp"
#include "rtcwire/peer/peer_event.hpp"
#include "rtcwire/peer/peer_outputs.hpp"
#include "rtcwire/peer/remote_peer.hpp"

namespace rtcwire::peer {

class PeerRegistry {
 public:
  explicit PeerRegistry(PeerConfig config);
  PeerRegistry(const PeerRegistry&) = delete;
  PeerRegistry& operator=(const PeerRegistry&) = delete;

  const PeerConfig& config() const { return config_; }
  const RemotePeer* find(const std::string& peer) const;
  std::vector<std::string> ids() const;
  std::size_t stale_events() const { return outputs_.stale; }

  // The room as the server reports it. `self` is this client's peer id.
  void joined(const std::string& self, const std::vector<std::string>& peers,
              const nlohmann::json& users);
  void peer_joined(const std::string& self, const std::string& peer,
                   std::optional<std::string> user);
  void peer_left(const std::string& peer);
  // Out of the room (left it, a new session, the client closed): every peer closes.
  void close_all();
  // A signal with an "rtcwire" member from `from`; a bad one is reported (invalid_signal).
  void signal(const std::string& from, const nlohmann::json& data);
  // An event of the JS layer; those of closed connections, channels or ops are dropped.
  void handle_event(const PeerEvent& event, base::Millis now);

  // The effective ICE servers and policy (a checked list). Only a real change reaches the
  // connections (set-configuration, then an ICE restart); later ones start with it. True if
  // changed.
  bool set_ice_configuration(nlohmann::json ice_servers, bool relay_only);

  // App commands; errors are local (peer_not_found, invalid_state, ...).
  base::Status connect(const std::string& peer);
  base::Status close(const std::string& peer);
  base::Status restart_ice(const std::string& peer);
  base::Result<uint32_t> open_channel(const std::string& peer, std::string label,
                                      ChannelOptions options);
  base::Status close_channel(uint32_t channel);
  base::Status enqueue(uint32_t channel, uint64_t bytes);
  base::Status set_local_tracks(std::vector<LocalTrack> tracks);
  base::Status replace_track(uint32_t old, uint32_t replacement);
  base::Result<uint32_t> request_stats(const std::string& peer);

  // File transfers, routed to the peer that holds the transfer or the channel. App: errors local
  // (peer_not_found, peer_closed, invalid_argument, too_many_transfers). Channel: errors remote.
  // Reports of JS for a transfer that has ended, and messages of a closed channel, are dropped.
  base::Result<uint32_t> send_file(const std::string& peer, std::string name, uint64_t size,
                                   std::string type);
  base::Status accept_file(uint32_t transfer, base::Millis now);
  base::Status reject_file(uint32_t transfer);
  base::Status cancel_file(uint32_t transfer);
  base::Status file_control(uint32_t channel, std::string_view text, base::Millis now);
  base::Result<ChunkAnswer> file_chunk(uint32_t channel, uint32_t sender_id, uint64_t offset,
                                       uint32_t length, base::Millis now);
  base::Status file_sent(uint32_t transfer, uint64_t offset, uint32_t length);
  base::Status file_digest(uint32_t transfer, std::string_view sha256);

  std::optional<base::Millis> poll_timeout() const;
  void handle_timeout(base::Millis now);

  PeerOutputs& outputs() { return outputs_; }

 private:
  RemotePeer* find_mutable(const std::string& peer);
  RemotePeer* owner_of_pc(uint32_t pc);
  RemotePeer* owner_of_channel(uint32_t channel);
  RemotePeer* owner_of_transfer(uint32_t transfer);
  // Runs `call` on the files of the peer holding `transfer`, then takes their outputs.
  template <typename Call>
  base::Status with_transfer(uint32_t transfer, Call call);
  RemotePeer& add(const std::string& self, const std::string& peer,
                  std::optional<std::string> user);

  PeerConfig config_;
  PeerOutputs outputs_;
  LocalTracks tracks_;
  // unique_ptr: each peer holds references into this registry, so it never moves.
  std::map<std::string, std::unique_ptr<RemotePeer>> peers_;
};

}  // namespace rtcwire::peer
