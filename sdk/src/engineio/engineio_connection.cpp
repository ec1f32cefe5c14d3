#include "rtcwire/engineio/engineio_connection.hpp"
#include "rtcwire/base/overloaded.hpp"

#include <algorithm>

namespace rtcwire::engineio {

using base::Millis;

namespace {

bool is_legal(EngineIoState from, EngineIoState to) {
  using S = EngineIoState;
  switch (from) {
    case S::idle:
      return to == S::opening || to == S::closed;
    case S::opening:
      return to == S::open || to == S::closed;
    case S::open:
      return to == S::closed;
    case S::closed:
      return false;
  }
  return false;
}

const char* upgrade_name(int state) {
  constexpr const char* kNames[] = {"none", "probing", "pausing", "done"};
  return kNames[state];
}

base::Error unexpected_packet(PacketType type, const char* when) {
  return base::remote_error(
      base::ErrorCode::malformed_packet,
      "unexpected Engine.IO " + std::string(to_string(type)) + " packet " + when);
}

}  // namespace

std::string_view to_string(EngineIoState state) {
  switch (state) {
    case EngineIoState::idle:
      return "idle";
    case EngineIoState::opening:
      return "opening";
    case EngineIoState::open:
      return "open";
    case EngineIoState::closed:
      return "closed";
  }
  return "closed";
}

EngineIoConnection::EngineIoConnection(std::unique_ptr<ClientTransport> transport,
                                       ProbeFactory probe_factory, Millis upgrade_timeout,
                                       std::vector<Millis> reprobe_after, uint64_t random_seed)
    : transport_(std::move(transport)),
      probe_factory_(std::move(probe_factory)),
      upgrade_timeout_(upgrade_timeout),
      reprobe_after_(std::move(reprobe_after)),
      random_(random_seed) {}

bool EngineIoConnection::owns(uint32_t generation) const {
  return transport_->generation() == generation || (probe_ && probe_->generation() == generation);
}

ClientTransport* EngineIoConnection::find(uint32_t generation) {
  if (state_ == EngineIoState::closed) return nullptr;
  if (transport_->generation() == generation) return transport_.get();
  if (probe_ && probe_->generation() == generation) return probe_.get();
  return nullptr;
}

base::Status EngineIoConnection::transition(EngineIoState next) {
  if (!is_legal(state_, next)) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "Engine.IO connection cannot go from " +
                                 std::string(to_string(state_)) + " to " +
                                 std::string(to_string(next)));
  }
  state_ = next;
  return base::ok();
}

base::Status EngineIoConnection::move_upgrade(Upgrade next) {
  const bool legal = [&] {
    switch (upgrade_) {
      case Upgrade::none:
        return next == Upgrade::probing || next == Upgrade::done;
      case Upgrade::probing:
        return next == Upgrade::pausing || next == Upgrade::none || next == Upgrade::done;
      case Upgrade::pausing:
        return next == Upgrade::none || next == Upgrade::done;
      case Upgrade::done:
        return false;
    }
    return false;
  }();
  if (!legal) {
    return base::local_error(base::ErrorCode::invalid_state,
                             std::string("Engine.IO upgrade cannot go from ") +
                                 upgrade_name(static_cast<int>(upgrade_)) + " to " +
                                 upgrade_name(static_cast<int>(next)));
  }
  upgrade_ = next;
  return base::ok();
}

base::Status EngineIoConnection::open(Millis now) {
  if (auto moved = transition(EngineIoState::opening); !moved) return moved;
  transport_->open({});
  drain(now);
  return base::ok();
}

base::Status EngineIoConnection::send_message(std::string text) {
  if (state_ != EngineIoState::open) {
    return base::local_error(base::ErrorCode::not_connected, "Engine.IO connection is not open");
  }
  if (static_cast<int64_t>(text.size()) + 1 > open_info_.max_payload) {
    return base::local_error(base::ErrorCode::message_too_large,
                             "message of " + std::to_string(text.size()) +
                                 " bytes exceeds the server's maxPayload of " +
                                 std::to_string(open_info_.max_payload));
  }
  send_packet({PacketType::message, std::move(text)});
  collect_actions();
  return base::ok();
}

void EngineIoConnection::send_packet(Packet packet) {
  if (upgrade_ == Upgrade::pausing) {
    held_.push_back(std::move(packet));
    return;
  }
  transport_->send({std::move(packet)});
}

void EngineIoConnection::close() {
  const bool was_open = state_ == EngineIoState::open;
  if (!transition(EngineIoState::closed)) return;
  timers_.clear_all();
  if (was_open) transport_->send({{PacketType::close, {}}});
  abandon_probe();
  transport_->close();
  collect_actions();  // signals from here on mean nothing
  events_.push_back(engineio_event::Closed{std::nullopt});
}

void EngineIoConnection::abandon(base::Error error) { fail(std::move(error)); }

void EngineIoConnection::fail(base::Error error) {
  if (!transition(EngineIoState::closed)) return;
  timers_.clear_all();
  abandon_probe();
  transport_->close();
  collect_actions();
  events_.push_back(engineio_event::Closed{std::move(error)});
}

void EngineIoConnection::arm_liveness(Millis now) {
  // The server pings every pingInterval; without one for pingInterval + pingTimeout it is gone.
  timers_.set(Timer::liveness,
              now + Millis(open_info_.ping_interval_ms + open_info_.ping_timeout_ms));
}

void EngineIoConnection::handle_transport_open(uint32_t generation, Millis now) {
  if (auto* transport = find(generation)) transport->handle_open();
  drain(now);
}

void EngineIoConnection::handle_transport_text(uint32_t generation, std::string_view text,
                                               Millis now) {
  if (auto* transport = find(generation)) transport->handle_text(text);
  drain(now);
}

void EngineIoConnection::handle_transport_binary(uint32_t generation, std::string_view bytes,
                                                 Millis now) {
  if (auto* transport = find(generation)) transport->handle_binary(bytes);
  drain(now);
}

void EngineIoConnection::handle_transport_closed(uint32_t generation, Millis now) {
  if (auto* transport = find(generation)) transport->handle_closed();
  drain(now);
}

void EngineIoConnection::handle_transport_error(uint32_t generation, std::string_view reason,
                                                Millis now) {
  if (auto* transport = find(generation)) transport->handle_error(reason);
  drain(now);
}

void EngineIoConnection::handle_http_response(uint32_t generation, uint32_t id, int status,
                                              std::string_view body, Millis now) {
  if (auto* transport = find(generation)) transport->handle_http_response(id, status, body);
  drain(now);
}

void EngineIoConnection::handle_timeout(Millis now) {
  for (Timer timer : timers_.take_expired(now)) {
    switch (timer) {
      case Timer::liveness:
        fail(base::transport_error(base::ErrorCode::ping_timeout,
                                   "no ping from the server in time"));
        break;
      case Timer::upgrade:
        probe_failed(now);
        break;
      case Timer::reprobe:
        if (state_ == EngineIoState::open && !probe_ && upgrade_ != Upgrade::done) {
          start_probe();
          timers_.set(Timer::upgrade, now + upgrade_timeout_);
        }
        break;
    }
  }
  drain(now);
}

void EngineIoConnection::collect_actions() {
  while (auto action = transport_->poll_action()) actions_.push_back(std::move(*action));
  if (probe_) {
    while (auto action = probe_->poll_action()) actions_.push_back(std::move(*action));
  }
}

void EngineIoConnection::drain(Millis now) {
  while (true) {
    collect_actions();
    if (state_ == EngineIoState::closed) return;
    if (auto signal = transport_->poll_signal()) {
      on_transport_signal(std::move(*signal), now);
      continue;
    }
    if (probe_) {
      if (auto signal = probe_->poll_signal()) {
        on_probe_signal(std::move(*signal), now);
        continue;
      }
    }
    return;
  }
}

void EngineIoConnection::on_transport_signal(TransportSignal signal, Millis now) {
  std::visit(base::Overloaded{
                 [](transport_signal::Opened&) {},
                 [&](transport_signal::Received& received) {
                   for (auto& packet : received.packets) {
                     if (state_ == EngineIoState::closed) return;
                     handle_packet(std::move(packet), now);
                   }
                 },
                 [&](transport_signal::Paused&) {
                   if (upgrade_ == Upgrade::pausing) complete_upgrade();
                 },
                 [&](transport_signal::Failed& failed) { fail(std::move(failed.error)); },
             },
             signal);
}

void EngineIoConnection::handle_packet(Packet packet, Millis now) {
  if (state_ == EngineIoState::opening) {
    if (packet.type != PacketType::open) {
      fail(unexpected_packet(packet.type, "before the open packet"));
      return;
    }
    auto info = decode_open_info(packet.data);
    if (!info) {
      fail(info.error());
      return;
    }
    open_info_ = std::move(info.value());
    (void)transition(EngineIoState::open);
    transport_->start_session(open_info_.sid, open_info_.max_payload);
    arm_liveness(now);
    events_.push_back(engineio_event::Opened{open_info_});
    const bool offers_websocket = std::find(open_info_.upgrades.begin(), open_info_.upgrades.end(),
                                            "websocket") != open_info_.upgrades.end();
    if (transport_->kind() != TransportKind::websocket && offers_websocket && probe_factory_) {
      start_probe();
      timers_.set(Timer::upgrade, now + upgrade_timeout_);
    }
    return;
  }
  switch (packet.type) {
    case PacketType::ping:
      arm_liveness(now);
      send_packet({PacketType::pong, std::move(packet.data)});
      return;
    case PacketType::message:
      events_.push_back(engineio_event::Message{std::move(packet.data), packet.binary});
      return;
    case PacketType::close:
      fail(base::remote_error(base::ErrorCode::server_closed, "the server closed the session"));
      return;
    case PacketType::noop:
      return;
    case PacketType::open:
    case PacketType::pong:
    case PacketType::upgrade:
      fail(unexpected_packet(packet.type, "on an open connection"));
      return;
  }
}

void EngineIoConnection::start_probe() {
  if (!move_upgrade(Upgrade::probing)) return;
  probe_ = probe_factory_();
  probe_->open(open_info_.sid);
}

void EngineIoConnection::on_probe_signal(TransportSignal signal, Millis now) {
  std::visit(base::Overloaded{
                 [&](transport_signal::Opened&) {
                   probe_->send({{PacketType::ping, "probe"}});
                 },
                 [&](transport_signal::Received& received) {
                   const bool answered = upgrade_ == Upgrade::probing &&
                                         received.packets.size() == 1 &&
                                         received.packets[0].type == PacketType::pong &&
                                         received.packets[0].data == "probe";
                   if (!answered) {
                     probe_failed(now);
                     return;
                   }
                   // Wait until nothing more can arrive on the old transport, then switch.
                   if (move_upgrade(Upgrade::pausing)) transport_->pause();
                 },
                 [](transport_signal::Paused&) {},
                 [&](transport_signal::Failed&) { probe_failed(now); },
             },
             signal);
}

void EngineIoConnection::abandon_probe(Upgrade after) {
  if (!probe_) return;
  probe_->close();
  while (auto action = probe_->poll_action()) actions_.push_back(std::move(*action));
  probe_.reset();
  timers_.clear(Timer::upgrade);
  const bool was_pausing = upgrade_ == Upgrade::pausing;
  (void)move_upgrade(after);  // legal from probing and pausing, the states that hold a probe
  if (was_pausing && state_ != EngineIoState::closed) {
    transport_->resume();
    std::vector<Packet> held = std::move(held_);
    held_.clear();
    if (!held.empty()) transport_->send(std::move(held));
  }
}

void EngineIoConnection::probe_failed(Millis now) {
  const bool reprobe = state_ == EngineIoState::open && !reprobe_after_.empty();
  abandon_probe(reprobe ? Upgrade::none : Upgrade::done);
  if (!reprobe) return;
  // Soon (websocket was maybe blocked only for a moment), then rarely: a network that blocks it
  // keeps blocking it. Jittered, so a fleet moved off websocket together does not probe together.
  const int64_t base =
      reprobe_after_[std::min(probes_failed_++, reprobe_after_.size() - 1)].count();
  timers_.set(Timer::reprobe, now + Millis(random_.uniform(base * 3 / 4, base * 5 / 4 + 1)));
}

void EngineIoConnection::complete_upgrade() {
  probe_->send({{PacketType::upgrade, {}}});
  if (!held_.empty()) {
    probe_->send(std::move(held_));
    held_.clear();
  }
  transport_->close();
  collect_actions();
  transport_ = std::move(probe_);
  transport_->start_session(open_info_.sid, open_info_.max_payload);
  timers_.clear(Timer::upgrade);
  (void)move_upgrade(Upgrade::done);  // from pausing, the only state that completes
  events_.push_back(engineio_event::Upgraded{transport_->kind()});
}

std::optional<TransportAction> EngineIoConnection::poll_action() {
  if (actions_.empty()) return std::nullopt;
  TransportAction action = std::move(actions_.front());
  actions_.pop_front();
  return action;
}

std::optional<EngineIoEvent> EngineIoConnection::poll_event() {
  if (events_.empty()) return std::nullopt;
  EngineIoEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

}  // namespace rtcwire::engineio
