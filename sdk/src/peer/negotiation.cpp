#include "rtcwire/peer/negotiation.hpp"

#include <string>
#include <utility>

namespace rtcwire::peer {
namespace {

bool is_legal(SignalingState from, SignalingState to) {
  using S = SignalingState;
  if (to == S::closed) return from != S::closed;
  switch (from) {
    case S::stable:
      return to == S::have_local_offer || to == S::have_remote_offer;
    case S::have_local_offer:
      // stable: answered or rolled back; have-remote-offer: implicit rollback of a polite side.
      return to == S::stable || to == S::have_remote_offer || to == S::have_remote_pranswer;
    case S::have_remote_offer:
      return to == S::stable || to == S::have_local_pranswer;
    case S::have_local_pranswer:
    case S::have_remote_pranswer:
      return to == S::stable;
    case S::closed:
      return false;
  }
  return false;
}

}  // namespace

Negotiation::Negotiation(uint32_t pc, bool polite, PeerOutputs& outputs)
    : pc_(pc), polite_(polite), outputs_(outputs) {}

bool Negotiation::making_description() const {
  return running_ &&
         (running_->kind == OpKind::make_offer || running_->kind == OpKind::make_answer);
}

base::Status Negotiation::transition(SignalingState to) {
  if (to == state_) return base::ok();
  if (!is_legal(state_, to)) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "signalling cannot go from " + std::string(to_string(state_)) +
                                 " to " + std::string(to_string(to)));
  }
  state_ = to;
  return base::ok();
}

uint32_t Negotiation::enqueue(OpKind kind, std::optional<Description> description,
                              std::optional<nlohmann::json> candidate) {
  if (state_ == SignalingState::closed) return 0;
  const uint32_t id = outputs_.handles.take();
  queue_.push_back(Op{kind, id, std::move(description), std::move(candidate)});
  pump();
  return id;
}

void Negotiation::negotiation_needed() {
  // One offer waiting covers every change made before it starts.
  for (const Op& op : queue_) {
    if (op.kind == OpKind::make_offer) return;
  }
  enqueue(OpKind::make_offer);
}

void Negotiation::remote_description(Description description) {
  enqueue(OpKind::set_remote, std::move(description));
}

void Negotiation::remote_candidate(std::optional<nlohmann::json> candidate) {
  enqueue(OpKind::add_candidate, std::nullopt, std::move(candidate));
}

uint32_t Negotiation::request_stats() { return enqueue(OpKind::get_stats); }

void Negotiation::pump() {
  while (!running_ && !queue_.empty()) {
    Op op = std::move(queue_.front());
    queue_.erase(queue_.begin());
    if (start(op)) running_ = std::move(op);
  }
}

bool Negotiation::start(Op& op) {
  using S = SignalingState;
  switch (op.kind) {
    case OpKind::make_offer:
      // Not stable: an offer or answer is under way; the browser fires negotiationneeded again
      // once stable if the change still needs one.
      if (state_ != S::stable) return false;
      outputs_.actions.push_back(action::SetLocal{pc_, op.id});
      return true;
    case OpKind::make_answer:
      if (state_ != S::have_remote_offer) return false;
      outputs_.actions.push_back(action::SetLocal{pc_, op.id});
      return true;
    case OpKind::set_remote:
      if (op.description->type == DescriptionType::offer) {
        const bool collision = state_ != S::stable;
        ignore_offer_ = !polite_ && collision;
        if (ignore_offer_) return false;
      } else if (state_ != S::have_local_offer) {
        return false;  // an answer to an offer rolled back or answered already
      }
      outputs_.actions.push_back(action::SetRemote{pc_, op.id, *op.description});
      return true;
    case OpKind::add_candidate:
      if (!remote_description_set_) {
        held_candidates_.push_back(std::move(op));
        return false;
      }
      outputs_.actions.push_back(action::AddCandidate{pc_, op.id, op.candidate});
      return true;
    case OpKind::get_stats:
      outputs_.actions.push_back(action::GetStats{pc_, op.id});
      return true;
  }
  return false;
}

Negotiation::Settled Negotiation::op_done(const event::OpDone& done) {
  Settled settled;
  if (!running_ || running_->id != done.op) {
    ++outputs_.stale;
    return settled;
  }
  Op op = std::move(*running_);
  running_.reset();
  if (done.signaling_state) {
    if (auto moved = transition(*done.signaling_state); !moved) settled.error = moved.error();
  }
  switch (op.kind) {
    case OpKind::make_offer:
    case OpKind::make_answer:
      if (done.description) {
        settled.to_signal = done.description;
      } else {
        settled.error = base::local_error(base::ErrorCode::invalid_argument,
                                          "op-done of set-local carries no description");
      }
      break;
    case OpKind::set_remote: {
      remote_description_set_ = true;
      // The answer goes first, then the candidates that waited for this description.
      std::vector<Op> front;
      if (op.description->type == DescriptionType::offer) {
        front.push_back(Op{OpKind::make_answer, outputs_.handles.take(), {}, {}});
      }
      for (Op& held : held_candidates_) front.push_back(std::move(held));
      held_candidates_.clear();
      queue_.insert(queue_.begin(), std::make_move_iterator(front.begin()),
                    std::make_move_iterator(front.end()));
      break;
    }
    case OpKind::add_candidate:
      break;
    case OpKind::get_stats:
      settled.stats = done.stats.value_or(nlohmann::json::object());
      settled.stats_op = op.id;
      break;
  }
  pump();
  return settled;
}

Negotiation::Settled Negotiation::op_failed(const event::OpFailed& failed) {
  Settled settled;
  if (!running_ || running_->id != failed.op) {
    ++outputs_.stale;
    return settled;
  }
  Op op = std::move(*running_);
  running_.reset();
  const std::string why = failed.name + ": " + failed.message;
  switch (op.kind) {
    case OpKind::add_candidate:
      // Not an error for the app: candidates of an offer this side ignored (W3C: ignoreOffer) and
      // of ICE credentials an ICE restart replaced fail by design; ICE uses the others, and a
      // connection that cannot find a pair fails and is restarted.
      break;
    case OpKind::set_remote:
      settled.error = base::remote_error(base::ErrorCode::invalid_signal,
                                         "the remote description was refused (" + why + ")");
      break;
    case OpKind::make_offer:
    case OpKind::make_answer:
      settled.error = base::local_error(base::ErrorCode::negotiation_failed,
                                        "setLocalDescription failed (" + why + ")");
      break;
    case OpKind::get_stats:
      settled.stats = nullptr;
      settled.stats_op = op.id;
      break;
  }
  pump();
  return settled;
}

base::Status Negotiation::signaling_changed(SignalingState state) { return transition(state); }

void Negotiation::close() {
  (void)transition(SignalingState::closed);
  queue_.clear();
  held_candidates_.clear();
  running_.reset();
}

}  // namespace rtcwire::peer
