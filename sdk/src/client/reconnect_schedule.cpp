#include "rtcwire/client/reconnect_schedule.hpp"

#include <string>

namespace rtcwire::client {
namespace {

bool is_legal(ReconnectState from, ReconnectState to) {
  using S = ReconnectState;
  if (to == S::idle) return from != S::idle;  // gave up, or closed
  switch (from) {
    case S::idle:
      return to == S::first_connect;
    case S::first_connect:
      return to == S::established;
    case S::established:
      return to == S::waiting || to == S::held_offline;
    case S::waiting:
      return to == S::retrying || to == S::held_offline;
    case S::held_offline:
      return to == S::retrying;
    case S::retrying:
      return to == S::established || to == S::waiting || to == S::held_offline;
  }
  return false;
}

}  // namespace

std::string_view to_string(ReconnectState state) {
  switch (state) {
    case ReconnectState::idle:
      return "idle";
    case ReconnectState::first_connect:
      return "first_connect";
    case ReconnectState::established:
      return "established";
    case ReconnectState::waiting:
      return "waiting";
    case ReconnectState::held_offline:
      return "held_offline";
    case ReconnectState::retrying:
      return "retrying";
  }
  return "idle";
}

base::Status ReconnectSchedule::transition(ReconnectState next) {
  if (!is_legal(state_, next)) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "reconnect schedule cannot go from " + std::string(to_string(state_)) +
                                 " to " + std::string(to_string(next)));
  }
  if (next == ReconnectState::established || next == ReconnectState::first_connect) attempt_ = 0;
  state_ = next;
  return base::ok();
}

std::optional<base::Millis> ReconnectSchedule::deadline() const {
  if (state_ != ReconnectState::waiting) return std::nullopt;
  return retry_at_;
}

base::Status ReconnectSchedule::connect() { return transition(ReconnectState::first_connect); }

base::Status ReconnectSchedule::established() { return transition(ReconnectState::established); }

base::Result<ReconnectStep> ReconnectSchedule::lost(ReconnectReason reason,
                                                    base::Millis going_away_within,
                                                    base::Millis now, base::RandomSource& random) {
  if (state_ == ReconnectState::first_connect) {
    // The first connect failed: the app hears it (connect() rejects) instead of silent retries.
    if (auto moved = transition(ReconnectState::idle); !moved) return moved.error();
    return ReconnectStep{reconnect_step::GiveUp{}};
  }
  if (state_ != ReconnectState::established && state_ != ReconnectState::retrying) {
    return base::local_error(
        base::ErrorCode::invalid_state,
        "reconnect schedule lost a connection while " + std::string(to_string(state_)));
  }
  const base::Millis since_loss =
      state_ == ReconnectState::established ? base::Millis(0) : now - lost_at_;
  const ReconnectContext context{attempt_ + 1, since_loss, reason, going_away_within};
  const auto delay = policy_.next_delay(context, random);
  if (!delay) {
    if (auto moved = transition(ReconnectState::idle); !moved) return moved.error();
    return ReconnectStep{reconnect_step::GiveUp{}};
  }
  // Offline: hold until the network is back instead of burning attempts.
  const ReconnectState next = online_ ? ReconnectState::waiting : ReconnectState::held_offline;
  const bool first_retry = state_ == ReconnectState::established;
  if (auto moved = transition(next); !moved) return moved.error();
  if (first_retry) lost_at_ = now;
  attempt_ = context.attempt;
  retry_at_ = now + *delay;
  if (!online_) return ReconnectStep{reconnect_step::Wait{attempt_, std::nullopt}};
  return ReconnectStep{reconnect_step::Wait{attempt_, *delay}};
}

base::Result<ReconnectStep> ReconnectSchedule::network_changed(bool online) {
  if (online == online_) return ReconnectStep{reconnect_step::Stay{}};
  online_ = online;
  if (!online && state_ == ReconnectState::waiting) {
    if (auto moved = transition(ReconnectState::held_offline); !moved) return moved.error();
    return ReconnectStep{reconnect_step::Wait{attempt_, std::nullopt}};
  }
  // Back online while the network held the retry: try at once.
  if (online && state_ == ReconnectState::held_offline) {
    if (auto moved = transition(ReconnectState::retrying); !moved) return moved.error();
    return ReconnectStep{reconnect_step::Retry{}};
  }
  return ReconnectStep{reconnect_step::Stay{}};
}

base::Result<ReconnectStep> ReconnectSchedule::handle_timeout(base::Millis now) {
  if (state_ != ReconnectState::waiting || now < retry_at_) {
    return ReconnectStep{reconnect_step::Stay{}};
  }
  if (auto moved = transition(ReconnectState::retrying); !moved) return moved.error();
  return ReconnectStep{reconnect_step::Retry{}};
}

void ReconnectSchedule::stop() {
  if (state_ != ReconnectState::idle) (void)transition(ReconnectState::idle);
}

}  // namespace rtcwire::client
