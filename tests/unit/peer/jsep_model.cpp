#include "jsep_model.hpp"

#include <sstream>

namespace rtcwire::testing {
namespace {

using peer::DescriptionType;
using peer::SignalingState;
using peer::event::ConnectionState;

constexpr uint64_t kMaxMessageSize = 262144;  // Chromium's sctp.maxMessageSize

std::string field_of(const std::string& sdp, const std::string& name) {
  const std::string key = ";" + name + "=";
  const auto at = sdp.find(key);
  if (at == std::string::npos) return {};
  const auto start = at + key.size();
  return sdp.substr(start, sdp.find(';', start) - start);
}

}  // namespace

std::string ModelSdp::text() const {
  std::string list;
  for (uint32_t track : tracks) list += (list.empty() ? "" : ",") + std::to_string(track);
  return "model;owner=" + owner + ";version=" + std::to_string(version) +
         ";type=" + std::string(to_string(type)) + ";ufrag=" + ufrag + ";app=" + (app ? "1" : "0") +
         ";tracks=" + list + ";re=" + answers + ";";
}

std::optional<ModelSdp> ModelSdp::parse(const std::string& sdp) {
  if (sdp.rfind("model;", 0) != 0) return std::nullopt;
  ModelSdp parsed;
  parsed.owner = field_of(sdp, "owner");
  const std::string version = field_of(sdp, "version");
  const std::string type = field_of(sdp, "type");
  if (parsed.owner.empty() || version.empty() || (type != "offer" && type != "answer")) {
    return std::nullopt;
  }
  parsed.version = static_cast<uint32_t>(std::stoul(version));
  parsed.type = type == "offer" ? DescriptionType::offer : DescriptionType::answer;
  parsed.ufrag = field_of(sdp, "ufrag");
  parsed.app = field_of(sdp, "app") == "1";
  std::stringstream tracks(field_of(sdp, "tracks"));
  for (std::string track; std::getline(tracks, track, ',');) {
    if (!track.empty()) parsed.tracks.insert(static_cast<uint32_t>(std::stoul(track)));
  }
  parsed.answers = field_of(sdp, "re");
  return parsed;
}

JsepModel::JsepModel(std::string owner, uint32_t pc) : owner_(std::move(owner)), pc_(pc) {}

void JsepModel::set_signaling(SignalingState state) {
  if (state == signaling_) return;
  signaling_ = state;
  events_.push_back(peer::event::SignalingChanged{pc_, state});
}

bool JsepModel::negotiation_needed() const {
  const std::set<uint32_t> negotiated =
      current_local_ ? current_local_->tracks : std::set<uint32_t>{};
  const bool app = current_local_ && current_local_->app;
  return restart_pending_ || (!channels_.empty() && !app) || negotiated != tracks_;
}

void JsepModel::update_negotiation_needed() {
  if (signaling_ == SignalingState::closed || operations_ > 0) return;
  if (signaling_ != SignalingState::stable) return;
  if (!negotiation_needed()) {
    negotiation_needed_flag_ = false;
    return;
  }
  if (negotiation_needed_flag_) return;
  negotiation_needed_flag_ = true;
  events_.push_back(peer::event::NegotiationNeeded{pc_});
}

void JsepModel::end_operation() {
  --operations_;
  update_negotiation_needed();
}

JsepModel::Outcome JsepModel::set_local() {
  if (signaling_ == SignalingState::closed) return {"InvalidStateError", {}};
  ModelSdp sdp;
  sdp.owner = owner_;
  sdp.version = ++version_;
  if (signaling_ == SignalingState::have_remote_offer) {
    sdp.type = DescriptionType::answer;
    // A remote ICE restart restarts this side too.
    const bool remote_restart = current_remote_ && current_remote_->ufrag != pending_remote_->ufrag;
    if (remote_restart || restart_pending_) ++ufrag_serial_;
    restart_pending_ = false;
    sdp.app = pending_remote_->app;
    // An answer sends only tracks negotiated before; new ones need an offer of this side.
    for (uint32_t track : tracks_) {
      if (current_local_ && current_local_->tracks.contains(track)) sdp.tracks.insert(track);
    }
    sdp.answers = pending_remote_->owner + ":" + std::to_string(pending_remote_->version);
    sdp.ufrag = owner_ + "-u" + std::to_string(ufrag_serial_);
    current_local_ = sdp;
    current_remote_ = pending_remote_;
    pending_remote_.reset();
    pending_local_.reset();
    set_signaling(SignalingState::stable);
    note_remote_tracks();
    negotiation_needed_flag_ = false;
  } else {
    sdp.type = DescriptionType::offer;
    if (restart_pending_) ++ufrag_serial_;
    restart_pending_ = false;
    sdp.app = !channels_.empty() || (current_local_ && current_local_->app);
    sdp.tracks = tracks_;
    sdp.ufrag = owner_ + "-u" + std::to_string(ufrag_serial_);
    pending_local_ = sdp;
    set_signaling(SignalingState::have_local_offer);
  }
  gather();
  update_connection();
  return {std::nullopt, peer::Description{sdp.type, sdp.text()}};
}

JsepModel::Outcome JsepModel::set_remote(const peer::Description& description) {
  if (signaling_ == SignalingState::closed) return {"InvalidStateError", {}};
  auto sdp = ModelSdp::parse(description.sdp);
  if (!sdp || sdp->type != description.type || sdp->owner == owner_) {
    return {"OperationError", {}};
  }
  if (description.type == DescriptionType::offer) {
    if (signaling_ == SignalingState::have_local_offer) {
      pending_local_.reset();  // implicit rollback
      ++rollbacks_;
      set_signaling(SignalingState::stable);
    }
    pending_remote_ = sdp;
    set_signaling(SignalingState::have_remote_offer);
    return {};
  }
  if (signaling_ != SignalingState::have_local_offer) return {"InvalidStateError", {}};
  if (sdp->answers != owner_ + ":" + std::to_string(pending_local_->version)) {
    return {"OperationError", {}};  // not the answer to this offer
  }
  current_local_ = pending_local_;
  current_remote_ = sdp;
  pending_local_.reset();
  set_signaling(SignalingState::stable);
  note_remote_tracks();
  negotiation_needed_flag_ = false;
  update_connection();
  return {};
}

JsepModel::Outcome JsepModel::add_candidate(const std::optional<nlohmann::json>& candidate) {
  if (signaling_ == SignalingState::closed) return {"InvalidStateError", {}};
  const std::optional<ModelSdp>& remote = pending_remote_ ? pending_remote_ : current_remote_;
  if (!remote) return {"InvalidStateError", {}};
  if (!candidate) return {};
  const auto ufrag = candidate->find("usernameFragment");
  if (ufrag == candidate->end() || !ufrag->is_string() || *ufrag != remote->ufrag) {
    return {"OperationError", {}};
  }
  ++remote_candidates_[remote->ufrag];
  update_connection();
  return {};
}

void JsepModel::restart_ice() {
  if (signaling_ == SignalingState::closed) return;
  restart_pending_ = true;
  update_negotiation_needed();
}

void JsepModel::create_channel(uint32_t channel) {
  channels_.insert(channel);
  update_negotiation_needed();
}

void JsepModel::add_track(uint32_t track) {
  tracks_.insert(track);
  update_negotiation_needed();
}

void JsepModel::remove_track(uint32_t track) {
  tracks_.erase(track);
  update_negotiation_needed();
}

void JsepModel::replace_track(uint32_t old, uint32_t replacement) {
  // No renegotiation: the sender keeps its place, now keyed by the new track.
  if (replacement == 0 || !tracks_.erase(old)) return;
  tracks_.insert(replacement);
  if (current_local_ && current_local_->tracks.erase(old))
    current_local_->tracks.insert(replacement);
}

void JsepModel::close() {
  signaling_ = SignalingState::closed;
  connection_ = ConnectionState::closed;
}

void JsepModel::fail() {
  if (signaling_ == SignalingState::closed || !current_local_) return;
  failed_ufrag_ = current_local_->ufrag;
  connection_ = ConnectionState::failed;
  events_.push_back(peer::event::ConnectionChanged{pc_, connection_});
}

void JsepModel::gather() {
  const std::string ufrag = owner_ + "-u" + std::to_string(ufrag_serial_);
  if (gathered_.contains(ufrag)) return;
  gathered_.insert(ufrag);
  for (int n = 0; n < 2; ++n) {
    events_.push_back(peer::event::IceCandidate{
        pc_, nlohmann::json{{"candidate", "candidate:" + std::to_string(n) + " 1 udp " + ufrag},
                            {"sdpMid", "0"},
                            {"sdpMLineIndex", 0},
                            {"usernameFragment", ufrag}}});
  }
  events_.push_back(peer::event::IceCandidate{pc_, std::nullopt});
}

void JsepModel::note_remote_tracks() {
  for (uint32_t track : current_remote_->tracks) {
    if (remote_tracks_.insert(track).second) {
      events_.push_back(
          peer::event::TrackRemote{pc_, track, "video", {current_remote_->owner + "-stream"}});
    }
  }
}

void JsepModel::update_connection() {
  if (signaling_ == SignalingState::closed) return;
  ConnectionState next = connection_;
  const bool pair = current_local_ && current_remote_ &&
                    gathered_.contains(current_local_->ufrag) &&
                    remote_candidates_[current_remote_->ufrag] > 0;
  const bool recovered =
      !failed_ufrag_ || (current_local_ && current_local_->ufrag != *failed_ufrag_);
  if (pair && recovered) {
    next = ConnectionState::connected;
    failed_ufrag_.reset();
  } else if (connection_ == ConnectionState::new_ && (pending_local_ || current_local_)) {
    next = ConnectionState::connecting;
  }
  if (next != connection_) {
    connection_ = next;
    events_.push_back(peer::event::ConnectionChanged{pc_, next});
  }
  if (connection_ == ConnectionState::connected && current_local_->app) {
    for (uint32_t channel : channels_) {
      if (open_channels_.insert(channel).second) {
        events_.push_back(peer::event::ChannelOpened{channel, kMaxMessageSize});
      }
    }
  }
}

std::vector<peer::PeerEvent> JsepModel::take_events() { return std::exchange(events_, {}); }

}  // namespace rtcwire::testing
