// A model of one RTCPeerConnection's JSEP behaviour, for tests: the signalling states
// (stable / have-local-offer / have-remote-offer, implicit rollback), the negotiation-needed
// rules (fires when stable and a change is pending: the first data channel, a track, restartIce;
// again on returning to stable while one still is), local candidates after set-local, remote
// candidates checked against the remote description's ufrag, and `connected` once both
// descriptions are set and a candidate pair exists. Illegal calls fail as a browser's do
// (InvalidStateError, OperationError). Each call applies at once; the host adds the delays.
// Its SDP is its own text: "model;owner=..;version=..;type=..;ufrag=..;app=..;tracks=..;re=..".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/peer/jsep.hpp"
#include "rtcwire/peer/peer_event.hpp"

namespace rtcwire::testing {

struct ModelSdp {
  std::string owner;
  uint32_t version = 0;
  peer::DescriptionType type = peer::DescriptionType::offer;
  std::string ufrag;
  bool app = false;
  std::set<uint32_t> tracks;
  std::string answers;  // an answer: "<owner>:<version>" of the offer it answers

  std::string text() const;
  static std::optional<ModelSdp> parse(const std::string& sdp);
};

class JsepModel {
 public:
  // What a call did: the DOMException name when it failed, the description set-local made.
  struct Outcome {
    std::optional<std::string> error;
    std::optional<peer::Description> local;
  };

  JsepModel(std::string owner, uint32_t pc);

  uint32_t pc() const { return pc_; }
  peer::SignalingState signaling() const { return signaling_; }
  peer::event::ConnectionState connection() const { return connection_; }
  const std::optional<ModelSdp>& current_local() const { return current_local_; }
  const std::optional<ModelSdp>& current_remote() const { return current_remote_; }
  const std::set<uint32_t>& remote_tracks() const { return remote_tracks_; }
  const std::set<uint32_t>& open_channels() const { return open_channels_; }
  // Offers this side made that a remote offer rolled back (glare, on the polite side).
  int rollbacks() const { return rollbacks_; }

  // The operations chain: the host marks an operation running from its call to its completion.
  void begin_operation() { ++operations_; }
  void end_operation();

  Outcome set_local();
  Outcome set_remote(const peer::Description& description);
  Outcome add_candidate(const std::optional<nlohmann::json>& candidate);
  void restart_ice();
  void create_channel(uint32_t channel);
  void add_track(uint32_t track);
  void remove_track(uint32_t track);
  void replace_track(uint32_t old, uint32_t replacement);
  void close();
  // A network fault: the connection fails until an ICE restart gives it new credentials.
  void fail();

  // The events the browser fired since the last call, in order.
  std::vector<peer::PeerEvent> take_events();

 private:
  void set_signaling(peer::SignalingState state);
  bool negotiation_needed() const;
  void update_negotiation_needed();
  void gather();
  void update_connection();
  void note_remote_tracks();

  std::string owner_;
  uint32_t pc_;
  peer::SignalingState signaling_ = peer::SignalingState::stable;
  peer::event::ConnectionState connection_ = peer::event::ConnectionState::new_;
  int operations_ = 0;
  int rollbacks_ = 0;
  bool negotiation_needed_flag_ = false;
  uint32_t version_ = 0;
  uint32_t ufrag_serial_ = 1;
  bool restart_pending_ = false;
  std::set<uint32_t> channels_;
  std::set<uint32_t> open_channels_;
  std::set<uint32_t> tracks_;
  std::optional<ModelSdp> pending_local_, pending_remote_, current_local_, current_remote_;
  std::set<std::string> gathered_;                // local ufrags with candidates out
  std::map<std::string, int> remote_candidates_;  // by the remote ufrag they belong to
  std::set<uint32_t> remote_tracks_;
  std::optional<std::string> failed_ufrag_;
  std::vector<peer::PeerEvent> events_;
};

}  // namespace rtcwire::testing
