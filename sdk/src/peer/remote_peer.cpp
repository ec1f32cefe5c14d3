#include "rtcwire/peer/remote_peer.hpp"

#include <algorithm>
#include <utility>

#include "rtcwire/base/overloaded.hpp"

namespace rtcwire::peer {
namespace {

// Restarts after the first wait twice as long as the one before, up to this.
constexpr base::Millis kMaxRestartWait{60000};
constexpr uint16_t kDefaultChannelId = 0;
constexpr uint16_t kFilesChannelId = 1;

bool is_legal(PeerState from, PeerState to) {
  using S = PeerState;
  if (to == S::closed) return from != S::closed;
  switch (from) {
    case S::new_:
      return to == S::connecting;
    case S::connecting:
      return to == S::connected || to == S::reconnecting || to == S::failed;
    case S::connected:
      return to == S::reconnecting || to == S::connecting;
    case S::reconnecting:
      return to == S::connected || to == S::failed || to == S::connecting;
    case S::failed:
      return to == S::connecting || to == S::reconnecting;
    case S::closed:
      return to == S::connecting;  // the app connects again to a peer it hung up on
  }
  return false;
}

}  // namespace

RemotePeer::RemotePeer(std::string id, std::optional<std::string> user, bool polite,
                       const PeerConfig& config, PeerOutputs& outputs)
    : id_(std::move(id)),
      user_(std::move(user)),
      polite_(polite),
      config_(config),
      outputs_(outputs),
      files_([&outputs] { return outputs.handles.take(); }) {}

void RemotePeer::take_file_outputs() {
  while (auto work = files_.poll_action()) {
    outputs_.actions.push_back(action::FileWork{files_channel_, std::move(*work)});
  }
  while (auto event = files_.poll_event()) {
    outputs_.notices.push_back(notice::FileNotice{id_, std::move(*event)});
  }
}

const ChannelQueue* RemotePeer::channel(uint32_t channel) const {
  const auto found = channels_.find(channel);
  return found == channels_.end() ? nullptr : &found->second;
}

base::Status RemotePeer::transition(PeerState to) {
  if (to == state_) return base::ok();
  if (!is_legal(state_, to)) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "peer cannot go from " + std::string(to_string(state_)) + " to " +
                                 std::string(to_string(to)));
  }
  state_ = to;
  outputs_.notices.push_back(notice::PeerStateChanged{id_, to});
  return base::ok();
}

void RemotePeer::enter(PeerState to) {
  if (auto moved = transition(to); !moved) report(base::internal_error(moved.error()));
}

void RemotePeer::report(base::Error error) {
  outputs_.notices.push_back(notice::PeerError{id_, std::move(error)});
}

void RemotePeer::send(PeerSignal::Body body) {
  if (!connection_) return;
  outputs_.signals.push_back(OutgoingSignal{
      id_, encode_peer_signal(PeerSignal{connection_->local_conn, std::move(body)})});
}

void RemotePeer::connect(const LocalTracks& tracks) {
  if (!connection_) start_connection(tracks);
}

void RemotePeer::start_connection(const LocalTracks& tracks) {
  const uint32_t pc = outputs_.handles.take();
  connection_.emplace(Connection{Negotiation(pc, polite_, outputs_), next_conn_++});
  outputs_.actions.push_back(action::PcCreate{id_, pc, pc_config()});
  create_channel(kDefaultChannelLabel, ChannelOptions{true, {}, {}, kDefaultChannelId, {}});
  files_channel_ =
      create_channel(kFilesChannelLabel, ChannelOptions{true, {}, {}, kFilesChannelId, {}});
  for (const LocalTrack& track : tracks.tracks()) {
    outputs_.actions.push_back(action::TrackAdd{pc, track.track, track.stream});
    // A muted track gets its sender, so unmuting needs no renegotiation, but sends nothing.
    if (tracks.muted(track.track))
      outputs_.actions.push_back(action::TrackReplace{pc, track.track, 0});
  }
  enter(PeerState::connecting);
}

uint32_t RemotePeer::create_channel(std::string label, ChannelOptions options) {
  const uint32_t channel = outputs_.handles.take();
  outputs_.actions.push_back(action::ChannelCreate{pc(), channel, label, options});
  channels_.emplace(channel, ChannelQueue(channel, std::move(label), std::move(options), false));
  return channel;
}

void RemotePeer::drop_connection(bool hang_up) {
  if (!connection_) return;
  if (hang_up) send(signal::Bye{});
  for (auto& [handle, channel] : channels_) {
    if (channel.state() != ChannelState::closed) {
      channel.closed();
      outputs_.notices.push_back(notice::ChannelStateChanged{handle, ChannelState::closed});
    }
  }
  channels_.clear();
  // Transfers wait for the next connection's files channel.
  files_.channel_closed();
  files_channel_ = 0;
  outputs_.actions.push_back(action::PcClose{pc()});
  connection_->negotiation.close();
  connection_.reset();
  timers_.clear_all();
}

void RemotePeer::close(bool hang_up) {
  drop_connection(hang_up);
  files_.close();
  take_file_outputs();
  restarts_ = 0;
  enter(PeerState::closed);
}

nlohmann::json RemotePeer::pc_config() const {
  return {{"iceServers", config_.ice_servers},
          {"iceTransportPolicy", config_.relay_only ? "relay" : "all"}};
}

void RemotePeer::restart_gathering() {
  outputs_.actions.push_back(action::RestartIce{pc()});
  connection_->diagnosis.restart();
}

base::Status RemotePeer::restart_ice() {
  if (auto usable = require_connection(); !usable) return usable.error();
  restart_gathering();
  return base::ok();
}

void RemotePeer::reconfigure() {
  if (!connection_) return;
  outputs_.actions.push_back(action::SetConfiguration{pc(), pc_config()});
  restart_gathering();
}

void RemotePeer::report_turn_failure() {
  IceDiagnosis& diagnosis = connection_->diagnosis;
  if (has_turn_server(config_.ice_servers) && diagnosis.take_turn_failure()) {
    report(base::transport_error(base::ErrorCode::turn_failed,
                                 "ICE gathering ended without a relay candidate. " +
                                     diagnosis.describe(config_.ice_servers)));
  }
}

void RemotePeer::on_signal(const PeerSignal& signal, const LocalTracks& tracks) {
  if (signal.conn < highest_remote_conn_ || signal.conn <= ended_remote_conn_ ||
      state_ == PeerState::closed) {
    ++outputs_.stale;
    return;
  }
  highest_remote_conn_ = signal.conn;
  if (std::holds_alternative<signal::Bye>(signal.body)) {
    // The remote peer closed the connection it had with us; a new one starts with a new conn.
    ended_remote_conn_ = signal.conn;
    if (connection_ && connection_->remote_conn == signal.conn) {
      drop_connection(false);
      enter(PeerState::connecting);
    } else {
      ++outputs_.stale;
    }
    return;
  }
  if (connection_ && connection_->remote_conn != 0 && connection_->remote_conn < signal.conn) {
    // The remote peer started over: so does this side, answering its new connection.
    drop_connection(false);
    enter(PeerState::connecting);
  }
  if (!connection_) start_connection(tracks);
  connection_->remote_conn = signal.conn;
  std::visit(base::Overloaded{
                 [&](const Description& description) {
                   connection_->negotiation.remote_description(description);
                 },
                 [&](const signal::Candidate& candidate) {
                   connection_->negotiation.remote_candidate(candidate.candidate);
                 },
                 [](const signal::Bye&) {},
             },
             signal.body);
}

void RemotePeer::settle(Negotiation::Settled settled) {
  if (settled.to_signal) send(*settled.to_signal);
  if (connection_ && !connection_->negotiation.making_description()) {
    for (auto& candidate : std::exchange(connection_->held_candidates, {})) send(candidate);
  }
  if (settled.stats) {
    outputs_.notices.push_back(notice::StatsReady{id_, settled.stats_op, *settled.stats});
  }
  if (settled.error) report(*settled.error);
}

void RemotePeer::handle_event(const PeerEvent& event, base::Millis now) {
  const auto on_channel = [&](uint32_t handle) -> ChannelQueue* {
    const auto found = channels_.find(handle);
    if (found == channels_.end()) {
      ++outputs_.stale;
      return nullptr;
    }
    return &found->second;
  };
  std::visit(
      base::Overloaded{
          [&](const event::NegotiationNeeded&) { connection_->negotiation.negotiation_needed(); },
          [&](const event::OpDone& e) { settle(connection_->negotiation.op_done(e)); },
          [&](const event::OpFailed& e) { settle(connection_->negotiation.op_failed(e)); },
          [&](const event::SignalingChanged& e) {
            if (auto moved = connection_->negotiation.signaling_changed(e.state); !moved) {
              report(base::internal_error(moved.error()));
            }
          },
          [&](const event::IceCandidate& e) {
            if (e.candidate) {
              connection_->diagnosis.gathered(*e.candidate);
            } else {
              connection_->diagnosis.gathering_ended();
              report_turn_failure();
            }
            if (connection_->negotiation.making_description()) {
              connection_->held_candidates.push_back(signal::Candidate{e.candidate});
            } else {
              send(signal::Candidate{e.candidate});
            }
          },
          [&](const event::IceStateChanged& e) { connection_->ice_state = e.state; },
          [&](const event::CandidateError& e) {
            connection_->diagnosis.candidate_error(e);
            report_turn_failure();
          },
          [&](const event::ConnectionChanged& e) { connection_changed(e.state, now); },
          [&](const event::ChannelOpened& e) {
            ChannelQueue* channel = on_channel(e.channel);
            if (!channel || channel->state() != ChannelState::connecting) return;
            channel->opened(e.max_message_size, outputs_.actions);
            // The channels this side did not open itself are announced to the app.
            const bool built_in = channel->options().id.has_value();
            if (built_in || channel->remote()) {
              outputs_.notices.push_back(notice::ChannelReady{
                  id_, e.channel, channel->label(), channel->options().ordered,
                  channel->options().max_retransmits, channel->options().max_packet_life_time,
                  channel->options().protocol, channel->max_message_size()});
            }
            outputs_.notices.push_back(notice::ChannelStateChanged{e.channel, ChannelState::open});
            if (e.channel == files_channel_) {
              files_.channel_opened(static_cast<uint32_t>(
                  std::min<uint64_t>(channel->max_message_size(), UINT32_MAX)));
              take_file_outputs();
            }
          },
          [&](const event::ChannelClosed& e) {
            ChannelQueue* channel = on_channel(e.channel);
            if (!channel) return;
            channel->closed();
            outputs_.notices.push_back(
                notice::ChannelStateChanged{e.channel, ChannelState::closed});
            channels_.erase(e.channel);
            if (e.channel == files_channel_) files_.channel_closed();
          },
          [&](const event::ChannelLow& e) {
            if (ChannelQueue* channel = on_channel(e.channel)) {
              channel->drained(e.buffered_amount, outputs_.actions);
            }
          },
          [&](const event::ChannelRemote& e) {
            if (channels_.contains(e.channel)) {
              ++outputs_.stale;
              return;
            }
            channels_.emplace(
                e.channel,
                ChannelQueue(
                    e.channel, e.label,
                    ChannelOptions{
                        e.ordered, e.max_retransmits, e.max_packet_life_time, {}, e.protocol},
                    true));
          },
          [&](const event::TrackRemote& e) {
            outputs_.notices.push_back(notice::TrackReceived{id_, e.track, e.streams});
          },
      },
      event);
}

void RemotePeer::connection_changed(event::ConnectionState state, base::Millis now) {
  using C = event::ConnectionState;
  connection_->state = state;
  switch (state) {
    case C::connected:
      restarts_ = 0;
      timers_.clear(Timer::restart);
      enter(PeerState::connected);
      break;
    case C::disconnected:
      // Often transient: the browser may recover by itself within the grace.
      if (!timers_.is_set(Timer::restart)) timers_.set(Timer::restart, now + config_.restart_grace);
      break;
    case C::failed:
      // The last failure is reported by restart_after_failure, as final.
      if (restarts_ < config_.max_restarts) {
        report(base::transport_error(base::ErrorCode::ice_failed,
                                     "the connection failed, ICE restarts. " +
                                         connection_->diagnosis.describe(config_.ice_servers)));
      }
      restart_after_failure(now);
      break;
    case C::new_:
    case C::connecting:
    case C::closed:
      break;
  }
}

void RemotePeer::restart_after_failure(base::Millis now) {
  if (restarts_ >= config_.max_restarts) {
    timers_.clear(Timer::restart);
    enter(PeerState::failed);
    report(base::transport_error(base::ErrorCode::ice_failed,
                                 "the connection failed after " + std::to_string(restarts_) +
                                     " ICE restarts (iceConnectionState " + connection_->ice_state +
                                     "). " + connection_->diagnosis.describe(config_.ice_servers)));
    return;
  }
  ++restarts_;
  enter(PeerState::reconnecting);
  restart_gathering();
  // Not connected by then: the next restart.
  base::Millis wait = config_.restart_grace;
  for (uint32_t n = 1; n < restarts_ && wait < kMaxRestartWait; ++n) wait *= 2;
  timers_.set(Timer::restart, now + std::min(wait, kMaxRestartWait));
}

void RemotePeer::handle_timeout(base::Millis now) {
  for (Timer timer : timers_.take_expired(now)) {
    if (timer != Timer::restart || !connection_) continue;
    if (connection_->state != event::ConnectionState::connected) restart_after_failure(now);
  }
}

base::Status RemotePeer::require_connection() const {
  if (state_ == PeerState::closed)
    return base::local_error(base::ErrorCode::peer_closed, "the peer is closed");
  if (!connection_)
    return base::local_error(base::ErrorCode::invalid_state, "the peer has no connection yet");
  return base::ok();
}

base::Result<uint32_t> RemotePeer::open_channel(std::string label, ChannelOptions options) {
  if (auto usable = require_connection(); !usable) return usable.error();
  if (label == kDefaultChannelLabel || label == kFilesChannelLabel) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "the label '" + label + "' is rtcwire's own");
  }
  create_channel(std::move(label), std::move(options));
  return std::prev(channels_.end())->first;
}

base::Status RemotePeer::close_channel(uint32_t handle) {
  const auto found = channels_.find(handle);
  if (found == channels_.end())
    return base::local_error(base::ErrorCode::channel_closed, "no such channel");
  found->second.closed();
  outputs_.actions.push_back(action::ChannelClose{handle});
  outputs_.notices.push_back(notice::ChannelStateChanged{handle, ChannelState::closed});
  channels_.erase(found);
  return base::ok();
}

base::Status RemotePeer::enqueue(uint32_t handle, uint64_t bytes) {
  const auto found = channels_.find(handle);
  if (found == channels_.end())
    return base::local_error(base::ErrorCode::channel_closed, "no such channel");
  return found->second.enqueue(bytes, outputs_.actions);
}

base::Result<uint32_t> RemotePeer::request_stats() {
  if (auto usable = require_connection(); !usable) return usable.error();
  return connection_->negotiation.request_stats();
}

void RemotePeer::apply_tracks(const std::vector<TrackChange>& changes) {
  if (!connection_) return;
  for (const TrackChange& change : changes) {
    std::visit(base::Overloaded{
                   [&](const track_change::Add& c) {
                     outputs_.actions.push_back(action::TrackAdd{pc(), c.track, c.stream});
                   },
                   [&](const track_change::Remove& c) {
                     outputs_.actions.push_back(action::TrackRemove{pc(), c.track});
                   },
                   [&](const track_change::Replace& c) {
                     outputs_.actions.push_back(action::TrackReplace{pc(), c.old, c.replacement});
                   },
               },
               change);
  }
}

}  // namespace rtcwire::peer
