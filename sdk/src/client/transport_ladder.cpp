#include "rtcwire/client/transport_ladder.hpp"

#include <algorithm>
#include <string>

namespace rtcwire::client {
namespace {

bool is_legal(LadderState from, LadderState to) {
  using S = LadderState;
  if (to == S::idle) return from != S::idle;
  switch (from) {
    case S::idle:
    case S::opened:
      return to == S::opening;  // a new round
    case S::opening:
      return to == S::stepping || to == S::opened;
    case S::stepping:
      return to == S::opening || to == S::opened;  // an earlier attempt may still win
  }
  return false;
}

}  // namespace

std::string_view to_string(LadderState state) {
  switch (state) {
    case LadderState::idle:
      return "idle";
    case LadderState::opening:
      return "opening";
    case LadderState::stepping:
      return "stepping";
    case LadderState::opened:
      return "opened";
  }
  return "idle";
}

TransportLadder::TransportLadder(std::vector<engineio::TransportKind> transports,
                                 LadderTiming timing)
    : configured_(std::move(transports)), timing_(timing) {
  // A head start of zero would start every rung in the same instant, for ever.
  timing_.race_head_start = std::max(timing_.race_head_start, base::Millis(1));
  timing_.repeat_head_start_min = std::max(timing_.repeat_head_start_min, base::Millis(1));
}

base::Status TransportLadder::transition(LadderState next) {
  if (!is_legal(state_, next)) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "transport ladder cannot go from " + std::string(to_string(state_)) +
                                 " to " + std::string(to_string(next)));
  }
  state_ = next;
  head_start_.reset();
  return base::ok();
}

std::optional<base::Millis> TransportLadder::deadline() const {
  if (state_ == LadderState::stepping) return next_rung_at_;
  if (state_ == LadderState::opening) return head_start_;
  return std::nullopt;
}

base::Result<engineio::TransportKind> TransportLadder::start(
    base::Millis now, std::optional<engineio::TransportKind> remembered, bool reconnecting) {
  if (configured_.empty()) {
    return base::local_error(base::ErrorCode::invalid_argument, "the transport list is empty");
  }
  if (auto moved = transition(LadderState::opening); !moved) return moved.error();
  order_ = configured_;
  // A transport that worked recently goes first, so a blocked websocket is not paid for again.
  if (remembered) {
    const auto it = std::find(order_.begin(), order_.end(), *remembered);
    if (it != order_.end()) std::rotate(order_.begin(), it, it + 1);
  }
  rung_ = 0;
  reconnecting_ = reconnecting;
  round_deadline_ = now + timing_.handshake_timeout;
  begin_attempt(now);
  return order_[rung_];
}

void TransportLadder::begin_attempt(base::Millis now) {
  const engineio::TransportKind kind = order_[rung_];
  // Past the last rung only an HTTP transport goes again, and only on a reconnect: a websocket
  // always has a connection of its own.
  const bool next_exists =
      rung_ + 1 < order_.size() || (kind != engineio::TransportKind::websocket && reconnecting_);
  head_start_.reset();
  if (!next_exists) return;
  const engineio::TransportKind next = rung_ + 1 < order_.size() ? order_[rung_ + 1] : kind;
  const base::Millis head_start = head_start_before(kind, next);
  // New attempts start for one handshake timeout from the first; then the last ones run out.
  if (now + head_start < round_deadline_) head_start_ = now + head_start;
}

base::Millis TransportLadder::head_start_before(engineio::TransportKind current,
                                                engineio::TransportKind next) const {
  if (next != current || !last_handshake_) return timing_.race_head_start;
  return std::clamp(*last_handshake_ * kRepeatHeadStartHandshakes, timing_.repeat_head_start_min,
                    std::max(timing_.race_head_start, timing_.repeat_head_start_min));
}

std::optional<engineio::TransportKind> TransportLadder::handle_timeout(base::Millis now) {
  if (state_ == LadderState::opening && head_start_ && *head_start_ <= now) {
    // Overtaken after its head start, not failed: the newest attempt keeps running alongside.
    if (rung_ + 1 < order_.size()) ++rung_;
    begin_attempt(now);
    return order_[rung_];
  }
  if (state_ == LadderState::stepping && next_rung_at_ <= now) {
    if (!transition(LadderState::opening)) return std::nullopt;
    begin_attempt(now);
    return order_[rung_];
  }
  return std::nullopt;
}

base::Result<LadderStep> TransportLadder::attempt_failed(bool earlier_still_opening,
                                                         base::Millis now,
                                                         base::RandomSource& random) {
  if (state_ != LadderState::opening) {
    return base::local_error(
        base::ErrorCode::invalid_state,
        "transport ladder heard of a failed attempt while " + std::string(to_string(state_)));
  }
  if (rung_ + 1 >= order_.size()) {
    head_start_.reset();
    // An earlier attempt still opening is the one to wait for now.
    if (earlier_still_opening) return LadderStep{ladder_step::WaitForEarlier{}};
    if (auto moved = transition(LadderState::idle); !moved) return moved.error();
    return LadderStep{ladder_step::Exhausted{}};
  }
  if (auto moved = transition(LadderState::stepping); !moved) return moved.error();
  ++rung_;
  // Never a zero-delay loop down the ladder.
  const auto delay = random.uniform(timing_.step_delay_min.count(), timing_.step_delay_max.count());
  next_rung_at_ = now + base::Millis(std::max<int64_t>(delay, 1));
  return LadderStep{ladder_step::StepDown{}};
}

base::Status TransportLadder::opened(base::Millis handshake) {
  if (auto moved = transition(LadderState::opened); !moved) return moved;
  last_handshake_ = handshake;
  return base::ok();
}

void TransportLadder::stop() {
  if (state_ != LadderState::idle) (void)transition(LadderState::idle);
}

}  // namespace rtcwire::client
