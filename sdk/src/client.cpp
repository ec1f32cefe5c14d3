#include "rtcwire/client.hpp"

#include <algorithm>

#include "rtcwire/json_limits.hpp"

namespace rtcwire {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool is_legal(ClientState from, ClientState to) {
  using S = ClientState;
  switch (from) {
    case S::idle:
    case S::disconnected:
      return to == S::connecting || to == S::closed;
    case S::connecting:
      return to == S::connected || to == S::reconnecting || to == S::disconnected ||
             to == S::closed;
    case S::connected:
      return to == S::reconnecting || to == S::disconnected || to == S::closed;
    case S::reconnecting:
      return to == S::reconnecting || to == S::connecting || to == S::disconnected ||
             to == S::closed;
    case S::closed:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(ClientState state) {
  switch (state) {
    case ClientState::idle:
      return "idle";
    case ClientState::connecting:
      return "connecting";
    case ClientState::connected:
      return "connected";
    case ClientState::reconnecting:
      return "reconnecting";
    case ClientState::disconnected:
      return "disconnected";
    case ClientState::closed:
      return "closed";
  }
  return "closed";
}

Client::Client(ClientConfig config)
    : config_(std::move(config)),
      random_(config_.random_seed),
      max_message_bytes_(config_.max_message_bytes) {
  auto url = parse_server_url(config_.url);
  if (url) {
    server_url_ = std::move(url.value());
  } else {
    config_error_ = url.error();
  }
  if (config_.transports.empty()) {
    config_error_ = local_error(ErrorCode::invalid_argument, "the transport list is empty");
  }
}

std::optional<TransportKind> Client::transport() const {
  if (!connection_ || connection_->state() == EngineIoState::closed) return std::nullopt;
  return connection_->transport_kind();
}

Status Client::transition(client_event::StateChanged change) {
  if (!is_legal(state_, change.state)) {
    return local_error(ErrorCode::invalid_state, "client cannot go from " +
                                                     std::string(to_string(state_)) + " to " +
                                                     std::string(to_string(change.state)));
  }
  state_ = change.state;
  events_.push_back(std::move(change));
  return ok();
}

Status Client::require_connected() const {
  if (state_ != ClientState::connected) {
    return local_error(ErrorCode::not_connected,
                       "client is " + std::string(to_string(state_)) + ", not connected");
  }
  return ok();
}

Status Client::require_room() const {
  if (auto connected = require_connected(); !connected) return connected;
  if (!membership_.in_room()) return local_error(ErrorCode::not_in_room, "join a room first");
  return ok();
}

Status Client::require_peer(const std::string& peer) const {
  if (auto in_room = require_room(); !in_room) return in_room;
  if (!membership_.has_peer(peer)) {
    return local_error(ErrorCode::peer_not_found,
                       "no peer '" + peer.substr(0, 64) + "' in the room");
  }
  return ok();
}

Status Client::connect(Millis now) {
  if (config_error_) return *config_error_;
  if (state_ != ClientState::idle && state_ != ClientState::disconnected) {
    return local_error(ErrorCode::invalid_state,
                       "connect() while " + std::string(to_string(state_)));
  }
  ever_connected_ = false;
  reconnect_attempt_ = 0;
  start_connecting(now);
  return ok();
}

void Client::start_connecting(Millis now) {
  ladder_ = config_.transports;
  // A transport that worked recently goes first, so a blocked websocket is not paid for again.
  if (const auto& remembered = config_.remembered; remembered && now < remembered->until) {
    const auto it = std::find(ladder_.begin(), ladder_.end(), remembered->kind);
    if (it != ladder_.end()) std::rotate(ladder_.begin(), it, it + 1);
  }
  rung_ = 0;
  (void)transition({ClientState::connecting, std::nullopt, 0, std::nullopt, false});
  start_attempt(now);
}

void Client::start_attempt(Millis now) {
  const TransportKind kind = ladder_[rung_];
  // Each attempt takes two generations: its transport and a websocket upgrade probe.
  const uint32_t generation = next_generation_;
  next_generation_ += 2;
  ProbeFactory probe_factory;
  const bool may_upgrade = std::find(config_.transports.begin(), config_.transports.end(),
                                     TransportKind::websocket) != config_.transports.end();
  if (kind != TransportKind::websocket && may_upgrade) {
    probe_factory = [url = server_url_, generation, seed = random_.next()] {
      return make_transport(TransportKind::websocket, generation + 1, url, seed);
    };
  }
  connection_ = std::make_unique<EngineIoConnection>(
      make_transport(kind, generation, server_url_, random_.next()), std::move(probe_factory),
      config_.upgrade_timeout);
  attempt_opened_ = false;
  timers_.set(Timer::handshake, now + config_.handshake_timeout);
  (void)connection_->open(now);
  drain_connection(now);
}

void Client::attempt_failed(Error error, Millis now) {
  if (rung_ + 1 >= ladder_.size()) {
    lose_connection(std::move(error), now);
    return;
  }
  ++rung_;
  timers_.clear(Timer::handshake);
  const auto delay =
      random_.uniform(config_.ladder_delay_min.count(), config_.ladder_delay_max.count());
  timers_.set(Timer::next_transport, now + Millis(std::max<int64_t>(delay, 1)));
}

Status Client::send_envelope(const envelope::ClientEnvelope& envelope) {
  std::string text = envelope::encode(envelope);
  if (text.size() > max_message_bytes_) {
    return local_error(ErrorCode::message_too_large, "message of " + std::to_string(text.size()) +
                                                         " bytes exceeds the server's limit of " +
                                                         std::to_string(max_message_bytes_));
  }
  if (json_nesting_depth(text, envelope::kMaxJsonDepth) < 0) {
    return local_error(ErrorCode::invalid_argument,
                       "data is nested deeper than the protocol allows");
  }
  auto sent = connection_->send_message(std::move(text));
  while (auto action = connection_->poll_action()) actions_.push_back(std::move(*action));
  return sent;
}

Status Client::join(std::string room, Millis /*now*/) {
  if (auto connected = require_connected(); !connected) return connected;
  if (!envelope::is_valid_room(room)) {
    return local_error(ErrorCode::invalid_room, "room names are 1 to " +
                                                    std::to_string(envelope::kMaxRoomBytes) +
                                                    " bytes without control characters");
  }
  return send_envelope(envelope::Join{std::move(room)});
}

Status Client::leave(Millis /*now*/) {
  if (auto in_room = require_room(); !in_room) return in_room;
  return send_envelope(envelope::Leave{});
}

Status Client::publish(envelope::Json data, Millis /*now*/) {
  if (auto in_room = require_room(); !in_room) return in_room;
  return send_envelope(envelope::Publish{std::move(data)});
}

Status Client::send(std::string peer, envelope::Json data, Millis /*now*/) {
  if (auto present = require_peer(peer); !present) return present;
  return send_envelope(envelope::DirectTo{std::move(peer), std::move(data)});
}

Status Client::signal(std::string peer, envelope::Json data, Millis /*now*/) {
  if (auto present = require_peer(peer); !present) return present;
  return send_envelope(envelope::SignalTo{std::move(peer), std::move(data)});
}

void Client::close(Millis now) {
  if (!transition({ClientState::closed, std::nullopt, 0, std::nullopt, false})) return;
  timers_.clear_all();
  membership_.reset();
  if (connection_) {
    connection_->close();
    drain_connection(now);
  }
}

bool Client::owns(uint32_t generation) const {
  return connection_ && connection_->owns(generation);
}

void Client::handle_transport_open(uint32_t generation, Millis now) {
  if (!owns(generation)) return;
  connection_->handle_transport_open(generation, now);
  drain_connection(now);
}

void Client::handle_transport_text(uint32_t generation, std::string_view frame, Millis now) {
  if (!owns(generation)) return;
  connection_->handle_transport_text(generation, frame, now);
  drain_connection(now);
}

void Client::handle_transport_binary(uint32_t generation, std::string_view frame, Millis now) {
  if (!owns(generation)) return;
  connection_->handle_transport_binary(generation, frame, now);
  drain_connection(now);
}

void Client::handle_transport_closed(uint32_t generation, Millis now) {
  if (!owns(generation)) return;
  connection_->handle_transport_closed(generation, now);
  drain_connection(now);
}

void Client::handle_transport_error(uint32_t generation, std::string_view reason, Millis now) {
  if (!owns(generation)) return;
  connection_->handle_transport_error(generation, reason, now);
  drain_connection(now);
}

void Client::handle_http_response(uint32_t generation, uint32_t id, int status,
                                  std::string_view body, Millis now) {
  if (!owns(generation)) return;
  connection_->handle_http_response(generation, id, status, body, now);
  drain_connection(now);
}

void Client::handle_timeout(Millis now) {
  for (Timer timer : timers_.take_expired(now)) {
    if (timer == Timer::reconnect) {
      if (state_ == ClientState::reconnecting) start_connecting(now);
      continue;
    }
    if (state_ != ClientState::connecting) continue;
    if (timer == Timer::next_transport) {
      start_attempt(now);
    } else if (connection_->state() != EngineIoState::open) {
      // The transport never delivered the Engine.IO open packet: try the next one.
      auto silent = std::move(connection_);
      silent->close();
      while (auto action = silent->poll_action()) actions_.push_back(std::move(*action));
      attempt_failed(transport_error(ErrorCode::handshake_timeout,
                                     std::string(to_string(silent->transport_kind())) +
                                         " did not complete the Engine.IO handshake in time"),
                     now);
    } else {
      connection_->close();
      lose_connection(transport_error(ErrorCode::handshake_timeout,
                                      "the server did not send its welcome in time"),
                      now);
    }
  }
  if (connection_) {
    connection_->handle_timeout(now);
    drain_connection(now);
  }
}

void Client::lose_connection(Error error, Millis now) {
  timers_.clear_all();
  membership_.reset();
  peer_id_.clear();
  if (!ever_connected_) {
    // The first connect failed: the app hears it (connect() rejects) instead of silent retries.
    (void)transition({ClientState::disconnected, std::move(error), 0, std::nullopt, false});
    return;
  }
  schedule_reconnect(std::move(error), now);
}

void Client::schedule_reconnect(std::optional<Error> error, Millis now) {
  const uint32_t attempt = reconnect_attempt_ + 1;
  const auto delay = config_.reconnect.next_delay(attempt, random_);
  if (!delay) {
    (void)transition({ClientState::disconnected, std::move(error), 0, std::nullopt, false});
    return;
  }
  reconnect_attempt_ = attempt;
  if (!online_) {
    // Offline: hold until the network is back instead of burning attempts.
    (void)transition({ClientState::reconnecting, std::move(error), attempt, std::nullopt, false});
    return;
  }
  timers_.set(Timer::reconnect, now + *delay);
  (void)transition({ClientState::reconnecting, std::move(error), attempt, *delay, false});
}

void Client::handle_network_change(bool online, Millis now) {
  if (online == online_) return;
  online_ = online;
  if (state_ != ClientState::reconnecting) return;
  if (online) {
    timers_.clear(Timer::reconnect);
    start_connecting(now);
  } else {
    timers_.clear(Timer::reconnect);
    (void)transition(
        {ClientState::reconnecting, std::nullopt, reconnect_attempt_, std::nullopt, false});
  }
}

void Client::drain_connection(Millis now) {
  if (!connection_) return;
  while (true) {
    while (auto action = connection_->poll_action()) actions_.push_back(std::move(*action));
    auto event = connection_->poll_event();
    if (!event) return;
    std::visit(
        Overloaded{
            [&](engineio_event::Opened&) {
              if (state_ != ClientState::connecting) return;
              attempt_opened_ = true;
              const TransportKind kind = connection_->transport_kind();
              events_.push_back(client_event::TransportChanged{kind});
              events_.push_back(client_event::RememberTransport{
                  server_url_.origin_key(), {kind, now + config_.remember_for}});
              auto sent = send_envelope(envelope::Hello{config_.sdk, std::nullopt});
              if (!sent) {
                connection_->close();
                lose_connection(sent.error(), now);
              }
            },
            [&](engineio_event::Message& message) { handle_message(message.data, message.binary); },
            [&](engineio_event::Upgraded& upgraded) {
              events_.push_back(client_event::TransportChanged{upgraded.kind});
              events_.push_back(client_event::RememberTransport{
                  server_url_.origin_key(), {upgraded.kind, now + config_.remember_for}});
            },
            [&](engineio_event::Closed& closed) {
              if (state_ != ClientState::connecting && state_ != ClientState::connected) {
                return;  // we closed it ourselves
              }
              Error error = closed.error.value_or(
                  transport_error(ErrorCode::transport_closed, "the connection closed"));
              // Before the Engine.IO handshake, a failure means "try the next transport".
              if (state_ == ClientState::connecting && !attempt_opened_) {
                attempt_failed(std::move(error), now);
              } else {
                lose_connection(std::move(error), now);
              }
            },
        },
        *event);
  }
}

void Client::handle_message(const std::string& text, bool binary) {
  if (state_ != ClientState::connecting && state_ != ClientState::connected) return;
  if (binary) {
    events_.push_back(client_event::ErrorRaised{
        remote_error(ErrorCode::invalid_envelope, "binary messages are not rtcwire envelopes")});
    return;
  }
  auto decoded = envelope::decode_server(text);
  if (!decoded) {
    events_.push_back(client_event::ErrorRaised{decoded.error()});
    return;
  }
  handle_envelope(std::move(decoded.value().envelope));
}

void Client::handle_envelope(envelope::ServerEnvelope message) {
  namespace ev = client_event;
  if (state_ == ClientState::connecting) {
    if (auto* welcome = std::get_if<envelope::Welcome>(&message)) {
      peer_id_ = std::move(welcome->peer);
      max_message_bytes_ = welcome->max_message_bytes;
      timers_.clear(Timer::handshake);
      const bool was_reconnecting = ever_connected_;
      ever_connected_ = true;
      reconnect_attempt_ = 0;
      // The server does not resume sessions yet, so a reconnect always starts a new one.
      (void)transition({ClientState::connected, std::nullopt, 0, std::nullopt, false});
      if (was_reconnecting) events_.push_back(client_event::Resync{});
      return;
    }
    if (auto* refusal = std::get_if<envelope::ErrorReply>(&message)) {
      events_.push_back(ev::ErrorRaised{remote_error(refusal->code, refusal->message)});
      return;
    }
    events_.push_back(ev::ErrorRaised{
        remote_error(ErrorCode::invalid_state, "server sent a message before its welcome")});
    return;
  }
  std::visit(
      Overloaded{
          [&](envelope::Welcome&) {
            events_.push_back(ev::ErrorRaised{
                remote_error(ErrorCode::invalid_state, "server sent a second welcome")});
          },
          [&](envelope::Joined& joined) {
            membership_.on_joined(joined.room, joined.peers);
            events_.push_back(ev::RoomJoined{std::move(joined.room), std::move(joined.peers)});
          },
          [&](envelope::Left& left) {
            if (membership_.on_left(left.room)) events_.push_back(ev::RoomLeft{left.room});
          },
          [&](envelope::PeerJoined& joined) {
            if (membership_.on_peer_joined(joined.peer)) {
              events_.push_back(ev::PeerJoined{std::move(joined.peer)});
            }
          },
          [&](envelope::PeerLeft& left) {
            if (membership_.on_peer_left(left.peer)) {
              events_.push_back(ev::PeerLeft{std::move(left.peer)});
            }
          },
          [&](envelope::SignalFrom& signal) {
            events_.push_back(ev::SignalReceived{std::move(signal.from), std::move(signal.data)});
          },
          [&](envelope::Published& published) {
            events_.push_back(ev::MessageReceived{std::move(published.from), ev::MessageKind::room,
                                                  std::move(published.data)});
          },
          [&](envelope::DirectFrom& direct) {
            events_.push_back(ev::MessageReceived{std::move(direct.from), ev::MessageKind::direct,
                                                  std::move(direct.data)});
          },
          [&](envelope::ErrorReply& refusal) {
            events_.push_back(ev::ErrorRaised{remote_error(refusal.code, refusal.message)});
          },
          [&](envelope::Ack&) {},
          [&](envelope::GoAway&) {},
      },
      message);
}

std::optional<TransportAction> Client::poll_action() {
  if (actions_.empty()) return std::nullopt;
  TransportAction action = std::move(actions_.front());
  actions_.pop_front();
  return action;
}

std::optional<ClientEvent> Client::poll_event() {
  if (events_.empty()) return std::nullopt;
  ClientEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::optional<Millis> Client::poll_timeout() const {
  std::optional<Millis> earliest = timers_.earliest();
  if (connection_) {
    const auto connection_deadline = connection_->poll_timeout();
    if (connection_deadline && (!earliest || *connection_deadline < *earliest)) {
      earliest = connection_deadline;
    }
  }
  return earliest;
}

}  // namespace rtcwire
