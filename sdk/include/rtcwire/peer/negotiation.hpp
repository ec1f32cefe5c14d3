// Perfect negotiation (W3C webrtc-pc, "Perfect negotiation example") for ONE RTCPeerConnection,
// sans-I/O: it issues set-local / set-remote / add-candidate / get-stats actions one at a time
// (mediasoup-client's queue) and takes their answers.
//
// The W3C example decides on a remote offer when it arrives, with makingOffer and
// isSettingRemoteAnswerPending standing for operations still running. Here operations are queued
// and the decision is taken when the offer reaches the head of the queue, when no operation runs:
// makingOffer and isSettingRemoteAnswerPending are then false by construction, so an offer
// collides exactly when the signalling state is not stable. The impolite side ignores a colliding
// offer (ignoreOffer); the polite side sets it, which rolls its own offer back (implicit
// rollback), answers, and the browser fires negotiationneeded again for what its offer carried.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/base/error.hpp"
#include "rtcwire/peer/jsep.hpp"
#include "rtcwire/peer/peer_event.hpp"
#include "rtcwire/peer/peer_outputs.hpp"

namespace rtcwire::peer {

class Negotiation {
 public:
  // What an answered operation means for the connection's owner.
  struct Settled {
    std::optional<Description> to_signal;  // a local offer or answer for the remote peer
    std::optional<nlohmann::json> stats;   // get-stats: the summary (null when it failed)
    uint32_t stats_op = 0;
    std::optional<base::Error> error;
  };

  Negotiation(uint32_t pc, bool polite, PeerOutputs& outputs);

  uint32_t pc() const { return pc_; }
  SignalingState state() const { return state_; }
  bool ignoring_offer() const { return ignore_offer_; }
  bool has_remote_description() const { return remote_description_set_; }
  // A set-local runs: the description it makes is not signalled yet.
  bool making_description() const;
  // Operations waiting behind the one running (candidates held for a description not included).
  std::size_t queued() const { return queue_.size(); }

  void negotiation_needed();
  void remote_description(Description description);
  void remote_candidate(std::optional<nlohmann::json> candidate);
  // The op id the stats will be reported with (0: the connection is closed).
  uint32_t request_stats();

  // The JS layer's answers. A stale one (not the operation running) settles nothing.
  Settled op_done(const event::OpDone& done);
  Settled op_failed(const event::OpFailed& failed);
  // The browser's signalingstatechange; an impossible move is an error and changes nothing.
  base::Status signaling_changed(SignalingState state);
  void close();

 private:
  enum class OpKind { make_offer, make_answer, set_remote, add_candidate, get_stats };
  struct Op {
    OpKind kind;
    uint32_t id;
    std::optional<Description> description;
    std::optional<nlohmann::json> candidate;
  };

  base::Status transition(SignalingState to);
  // The op's id; 0 once closed.
  uint32_t enqueue(OpKind kind, std::optional<Description> description = std::nullopt,
                   std::optional<nlohmann::json> candidate = std::nullopt);
  // Starts the next operation when none runs; drops those that no longer apply.
  void pump();
  // Runs `op` now, or says why it no longer applies (false).
  bool start(Op& op);

  uint32_t pc_;
  bool polite_;
  PeerOutputs& outputs_;
  SignalingState state_ = SignalingState::stable;
  std::vector<Op> queue_;
  std::optional<Op> running_;
  // Remote candidates wait for a remote description (trickle ICE may deliver them first).
  std::vector<Op> held_candidates_;
  bool remote_description_set_ = false;
  bool ignore_offer_ = false;
};

}  // namespace rtcwire::peer
