// One remote peer of the room: its connection (one RTCPeerConnection at a time, numbered by a
// `conn` serial on the wire), the perfect negotiation of that connection, its data channels, its
// state for the app, and the ICE restart policy:
//   connectionState failed      -> restart ICE at once
//   disconnected past the grace -> restart ICE
//   still not connected after a restart -> restart again, waiting twice as long each time,
//   up to PeerConfig::max_restarts, then `failed`.
// Every `failed` is an ice_failed error, and a gathering without a relay candidate while TURN is
// configured a turn_failed one, both saying what ICE had to work with (IceDiagnosis).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/base/timer_table.hpp"
#include "rtcwire/peer/channel_queue.hpp"
#include "rtcwire/peer/file_transfers.hpp"
#include "rtcwire/peer/ice_diagnosis.hpp"
#include "rtcwire/peer/local_tracks.hpp"
#include "rtcwire/peer/negotiation.hpp"
#include "rtcwire/peer/peer_config.hpp"
#include "rtcwire/peer/peer_event.hpp"
#include "rtcwire/peer/peer_outputs.hpp"
#include "rtcwire/peer/peer_signal.hpp"

namespace rtcwire::peer {

inline constexpr const char* kDefaultChannelLabel = "rtcwire";
inline constexpr const char* kFilesChannelLabel = "rtcwire-files";

class RemotePeer {
 public:
  RemotePeer(std::string id, std::optional<std::string> user, bool polite, const PeerConfig& config,
             PeerOutputs& outputs);
  RemotePeer(const RemotePeer&) = delete;
  RemotePeer& operator=(const RemotePeer&) = delete;

  const std::string& id() const { return id_; }
  const std::optional<std::string>& user() const { return user_; }
  bool polite() const { return polite_; }
  PeerState state() const { return state_; }
  // The current connection's handle, 0 without one.
  uint32_t pc() const { return connection_ ? connection_->negotiation.pc() : 0; }
  const Negotiation* negotiation() const {
    return connection_ ? &connection_->negotiation : nullptr;
  }
  bool owns_channel(uint32_t channel) const { return channels_.contains(channel); }
  const ChannelQueue* channel(uint32_t channel) const;
  uint32_t restarts() const { return restarts_; }

  // Starts a connection (sending the first offer) unless one exists.
  void connect(const LocalTracks& tracks);
  // Ends the connection for good: `hang_up` tells the remote peer (bye).
  void close(bool hang_up);
  // The app's restart: ICE restarts now, the policy's count untouched.
  base::Status restart_ice();
  // PeerConfig's ICE servers or policy changed: the connection takes them and gathers anew.
  void reconfigure();
  void on_signal(const PeerSignal& signal, const LocalTracks& tracks);
  // An event of this peer's current connection or channels.
  void handle_event(const PeerEvent& event, base::Millis now);
  base::Result<uint32_t> open_channel(std::string label, ChannelOptions options);
  base::Status close_channel(uint32_t channel);
  base::Status enqueue(uint32_t channel, uint64_t bytes);
  base::Result<uint32_t> request_stats();
  // The local track set changed: senders follow on the current connection.
  void apply_tracks(const std::vector<TrackChange>& changes);

  // The file transfers with this peer, on its `rtcwire-files` channel. After feeding them, call
  // take_file_outputs() so their actions and events join the peer layer's.
  FileTransfers& files() { return files_; }
  void take_file_outputs();

  std::optional<base::Millis> deadline() const { return timers_.earliest(); }
  void handle_timeout(base::Millis now);

 private:
  enum class Timer { restart };
  struct Connection {
    Negotiation negotiation;
    uint32_t local_conn;
    uint32_t remote_conn = 0;  // the remote connection it talks to; 0 until one spoke
    event::ConnectionState state = event::ConnectionState::new_;
    std::string ice_state = "new";
    // Local candidates gathered before their description went out: they follow it, so the remote
    // side never meets candidates of credentials it has not seen yet.
    std::vector<signal::Candidate> held_candidates;
    IceDiagnosis diagnosis;
  };

  base::Status transition(PeerState to);
  // Errors: local peer_closed, or invalid_state before the first connection.
  base::Status require_connection() const;
  // A refused move is a bug here: the app sees an internal error.
  void enter(PeerState to);
  void start_connection(const LocalTracks& tracks);
  // Closes the connection and its channels; `hang_up` says bye to the remote peer.
  void drop_connection(bool hang_up);
  uint32_t create_channel(std::string label, ChannelOptions options);
  void send(PeerSignal::Body body);
  void report(base::Error error);
  void connection_changed(event::ConnectionState state, base::Millis now);
  void restart_gathering();
  // turn_failed, once per gathering, when it ended without a relay candidate while TURN is
  // configured and a TURN server reported an error (IceDiagnosis::take_turn_failure).
  void report_turn_failure();
  nlohmann::json pc_config() const;
  // The restart policy: one more ICE restart, or `failed` when they are used up.
  void restart_after_failure(base::Millis now);
  void settle(Negotiation::Settled settled);

  std::string id_;
  std::optional<std::string> user_;
  bool polite_;
  const PeerConfig& config_;
  PeerOutputs& outputs_;
  PeerState state_ = PeerState::new_;
  std::optional<Connection> connection_;
  uint32_t next_conn_ = 1;
  uint32_t highest_remote_conn_ = 0;
  uint32_t ended_remote_conn_ = 0;  // the remote said bye for this conn and those before it
  std::map<uint32_t, ChannelQueue> channels_;  // of the current connection
  uint32_t restarts_ = 0;                      // automatic ones since the last `connected`
  base::TimerTable<Timer, 1> timers_;
  FileTransfers files_;
  uint32_t files_channel_ = 0;  // of the current connection
};

}  // namespace rtcwire::peer
