#include "rtcwire/client/client.hpp"

#include <algorithm>

#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/base/overloaded.hpp"
#include "rtcwire/session/token_refresh.hpp"

namespace rtcwire::client {

using base::ErrorCode;
using base::Millis;
using base::Status;

namespace {

// A goaway's reconnectInMs comes from the network: a larger one would park the client for good.
constexpr Millis kMaxGoAwaySpread{5 * 60 * 1000};
// Rounds of timers one handle_timeout() fires; later ones wait for the next call.
constexpr int kMaxTimerRounds = 16;
// How long a replay request may go unanswered before the next gap asks again.
constexpr Millis kReplayRetry{1000};

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

template <class Command>
auto Client::with_peers(Command command) {
  auto result = command(peers_);
  collect_peer_outputs();
  return result;
}

Client::Client(ClientConfig config)
    : config_(std::move(config)),
      random_(config_.random_seed),
      ladder_(config_.transports, LadderTiming{config_.handshake_timeout, config_.race_head_start,
                                               config_.repeat_head_start_min,
                                               config_.ladder_delay_min, config_.ladder_delay_max}),
      max_message_bytes_(config_.max_message_bytes),
      session_(config_.resume_buffer_bytes),
      reconnect_(config_.reconnect),
      ice_servers_(config_.peers.ice_servers, config_.peers.relay_only,
                   config_.peers.ice_servers_provider),
      peers_(config_.peers) {
  auto url = engineio::parse_server_url(config_.url);
  if (url) {
    server_url_ = std::move(url.value());
  } else {
    config_error_ = url.error();
  }
  if (config_.transports.empty()) {
    config_error_ = base::local_error(ErrorCode::invalid_argument, "the transport list is empty");
  }
}

std::optional<engineio::TransportKind> Client::transport() const {
  if (!connection_ || connection_->state() == engineio::EngineIoState::closed) return std::nullopt;
  return connection_->transport_kind();
}

Status Client::transition(client_event::StateChanged change) {
  if (!is_legal(state_, change.state)) {
    return base::local_error(ErrorCode::invalid_state, "client cannot go from " +
                                                           std::string(to_string(state_)) + " to " +
                                                           std::string(to_string(change.state)));
  }
  state_ = change.state;
  events_.push_back(std::move(change));
  return base::ok();
}

void Client::enter(client_event::StateChanged change) {
  if (auto moved = transition(std::move(change)); !moved) report_internal(moved.error());
}

void Client::report_internal(const base::Error& refusal) {
  events_.push_back(client_event::ErrorRaised{base::internal_error(refusal)});
}

Status Client::require_session() const {
  const bool resuming = session_.exists() &&
                        (state_ == ClientState::reconnecting || state_ == ClientState::connecting);
  if (state_ != ClientState::connected && !resuming) {
    return base::local_error(ErrorCode::not_connected,
                             "client is " + std::string(to_string(state_)) + ", not connected");
  }
  return base::ok();
}

Status Client::require_room() const {
  if (auto session = require_session(); !session) return session;
  if (!membership().in_room())
    return base::local_error(ErrorCode::not_in_room, "join a room first");
  return base::ok();
}

Status Client::require_peer(const std::string& peer) const {
  if (auto in_room = require_room(); !in_room) return in_room;
  if (!membership().has_peer(peer)) {
    return base::local_error(ErrorCode::peer_not_found,
                             "no peer '" + peer.substr(0, 64) + "' in the room");
  }
  return base::ok();
}

Status Client::connect(Millis now) {
  if (config_error_) return *config_error_;
  if (state_ != ClientState::idle && state_ != ClientState::disconnected) {
    return base::local_error(ErrorCode::invalid_state,
                             "connect() while " + std::string(to_string(state_)));
  }
  if (auto started = reconnect_.connect(); !started) {
    report_internal(started.error());
    return started;
  }
  start_connecting(now);
  if (ice_servers_.has_provider() && !ice_servers_.provider_answer_awaited()) {
    ice_servers_.provider_asked();
    events_.push_back(client_event::IceServersNeeded{});
  }
  return base::ok();
}

void Client::start_connecting(Millis now) {
  std::optional<engineio::TransportKind> remembered;
  if (config_.remembered && now < config_.remembered->until) remembered = config_.remembered->kind;
  auto first = ladder_.start(now, remembered, reconnect_.state() == ReconnectState::retrying);
  if (!first) {
    report_internal(first.error());
    return;
  }
  enter({ClientState::connecting, std::nullopt, 0, std::nullopt, false});
  start_attempt(first.value(), now);
}

void Client::start_attempt(engineio::TransportKind kind, Millis now) {
  if (connection_ && connection_->state() == engineio::EngineIoState::opening) {
    // Overtaken after its head start, not failed: it keeps running alongside.
    if (racing_.size() + 1 >= kMaxParallelAttempts) {
      // The oldest gives way: an attempt stuck on a dead pooled connection only frees it when it
      // is aborted, and the browser may hold several such connections.
      racing_.front().connection->close();
      while (auto action = racing_.front().connection->poll_action()) {
        actions_.push_back(std::move(*action));
      }
      racing_.erase(racing_.begin());
    }
    racing_.push_back(RacingAttempt{std::move(connection_),
                                    timers_.deadline(Timer::handshake).value_or(now),
                                    attempt_started_});
  }
  const uint32_t generation = next_generation_++;
  engineio::ProbeFactory probe_factory;
  const bool may_upgrade =
      std::find(config_.transports.begin(), config_.transports.end(),
                engineio::TransportKind::websocket) != config_.transports.end();
  if (kind != engineio::TransportKind::websocket && may_upgrade) {
    // Every probe gets a generation of its own, so a late event of a failed one is dropped.
    probe_factory = [this] {
      return engineio::make_transport(engineio::TransportKind::websocket, next_generation_++,
                                      server_url_, random_.next());
    };
  }
  connection_ = std::make_unique<engineio::EngineIoConnection>(
      engineio::make_transport(kind, generation, server_url_, random_.next()),
      std::move(probe_factory), config_.upgrade_timeout, config_.reprobe_after, random_.next());
  attempt_started_ = now;
  timers_.set(Timer::handshake, now + config_.handshake_timeout);
  (void)connection_->open(now);
  drain_connection(now);
}

Client::RacingAttempt* Client::racing(uint32_t generation) {
  for (auto& attempt : racing_) {
    if (attempt.connection->owns(generation)) return &attempt;
  }
  return nullptr;
}

void Client::drain_racing(Millis now) {
  for (std::size_t i = 0; i < racing_.size();) {
    engineio::EngineIoConnection& attempt = *racing_[i].connection;
    while (auto action = attempt.poll_action()) actions_.push_back(std::move(*action));
    std::optional<engineio::EngineIoEvent> event = attempt.poll_event();
    if (!event) {
      ++i;
      continue;
    }
    if (std::holds_alternative<engineio::engineio_event::Opened>(*event) &&
        state_ == ClientState::connecting) {
      // The first attempt to open wins; the newest one and the rest are closed.
      auto winner = std::move(racing_[i].connection);
      attempt_started_ = racing_[i].started;
      racing_.erase(racing_.begin() + static_cast<std::ptrdiff_t>(i));
      if (connection_) {  // empty while the next rung waits for its start
        connection_->close();
        while (auto action = connection_->poll_action()) actions_.push_back(std::move(*action));
      }
      connection_ = std::move(winner);
      on_opened(now);
      drain_connection(now);
      return;
    }
    // Anything else before the open packet means this attempt is out.
    attempt.close();
    while (auto action = attempt.poll_action()) actions_.push_back(std::move(*action));
    racing_.erase(racing_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void Client::close_racing() {
  for (auto& attempt : racing_) {
    attempt.connection->close();
    while (auto action = attempt.connection->poll_action()) {
      actions_.push_back(std::move(*action));
    }
  }
  racing_.clear();
}

void Client::attempt_failed(base::Error error, Millis now) {
  auto step = ladder_.attempt_failed(!racing_.empty(), now, random_);
  if (!step) {
    report_internal(step.error());
    lose_connection(std::move(error), now);
    return;
  }
  std::visit(base::Overloaded{
                 [&](ladder_step::StepDown&) { timers_.clear(Timer::handshake); },
                 [&](ladder_step::WaitForEarlier&) {
                   connection_ = std::move(racing_.back().connection);
                   attempt_started_ = racing_.back().started;
                   timers_.set(Timer::handshake, racing_.back().deadline);
                   racing_.pop_back();
                 },
                 [&](ladder_step::Exhausted&) { lose_connection(std::move(error), now); },
             },
             step.value());
}

Status Client::submit(envelope::ClientEnvelope request) {
  std::string text = envelope::encode(request, session_.next_seq());
  const std::size_t bytes = text.size();
  std::size_t limit = max_message_bytes_;
  if (state_ == ClientState::connected) {
    // Refused now rather than failing in the connection once numbered: a seq that never goes out
    // would leave a gap the server refuses everything after.
    const auto max_payload = connection_->open_info().max_payload;
    if (max_payload > 0) limit = std::min(limit, static_cast<std::size_t>(max_payload - 1));
  }
  if (bytes > limit) {
    return base::local_error(ErrorCode::message_too_large,
                             "message of " + std::to_string(bytes) +
                                 " bytes exceeds the server's limit of " + std::to_string(limit));
  }
  if (base::json_nesting_depth(text, envelope::kMaxJsonDepth) < 0) {
    return base::local_error(ErrorCode::invalid_argument,
                             "data is nested deeper than the protocol allows");
  }
  auto queued = session_.queue(std::move(request), bytes);
  if (!queued) return queued.error();
  // Otherwise it goes out when the session is resumed.
  if (state_ == ClientState::connected) (void)write(std::move(text));
  return base::ok();
}

Status Client::write(std::string text) {
  auto sent = connection_->send_message(std::move(text));
  while (auto action = connection_->poll_action()) actions_.push_back(std::move(*action));
  return sent;
}

void Client::send_ack() {
  timers_.clear(Timer::ack);
  (void)write(envelope::encode(envelope::ClientEnvelope{envelope::Ack{session_.take_ack()}}));
}

base::Result<envelope::RequestId> Client::join(std::string room, Millis /*now*/) {
  if (auto session = require_session(); !session) return session.error();
  if (!envelope::is_valid_room(room)) {
    return base::local_error(ErrorCode::invalid_room, std::string(envelope::kRoomNameRule));
  }
  const envelope::RequestId id = last_request_id_ + 1;
  if (auto submitted = submit(envelope::Join{std::move(room), id}); !submitted) {
    return submitted.error();
  }
  last_request_id_ = id;
  pending_joins_.push_back(id);
  return id;
}

Status Client::leave(Millis /*now*/) {
  if (auto in_room = require_room(); !in_room) return in_room;
  auto left = submit(envelope::Leave{});
  if (left)
    with_peers([](peer::PeerRegistry& peers) {
      peers.close_all();
      return 0;
    });
  return left;
}

Status Client::publish(envelope::Json data, Millis /*now*/) {
  if (auto in_room = require_room(); !in_room) return in_room;
  return submit(envelope::Publish{std::move(data)});
}

Status Client::send(std::string peer, envelope::Json data, Millis /*now*/) {
  if (auto present = require_peer(peer); !present) return present;
  return submit(envelope::DirectTo{std::move(peer), std::move(data)});
}

Status Client::signal(std::string peer, envelope::Json data, Millis /*now*/) {
  if (auto present = require_peer(peer); !present) return present;
  return submit(envelope::SignalTo{std::move(peer), std::move(data)});
}

void Client::close(Millis now) {
  if (!transition({ClientState::closed, std::nullopt, 0, std::nullopt, false})) return;
  reconnect_.stop();
  ladder_.stop();
  close_racing();
  timers_.clear_all();
  ice_servers_.stop();
  session_.clear();
  pending_joins_.clear();
  with_peers([](peer::PeerRegistry& peers) {
    peers.close_all();
    return 0;
  });
  if (connection_) {
    connection_->close();
    drain_connection(now);
  }
}

Status Client::set_token(std::string token, Millis now) {
  static_assert(envelope::kMaxAuthBytes == 8192, "the message below names the limit");
  if (token.empty() || token.size() > envelope::kMaxAuthBytes) {
    return base::local_error(ErrorCode::invalid_argument, "a token must be 1 to 8192 bytes");
  }
  if (state_ == ClientState::closed) {
    return base::local_error(ErrorCode::invalid_state, "the client is closed");
  }
  token_ = std::move(token);
  if (state_ != ClientState::connected) return base::ok();  // the next hello carries it
  auto sent = write(envelope::encode(envelope::Refresh{*token_}));
  if (!sent) lose_connection(sent.error(), now);
  return base::ok();
}

Status Client::set_ice_servers(nlohmann::json servers, std::string_view policy, Millis /*now*/) {
  if (!policy.empty() && policy != "all" && policy != "relay") {
    return base::local_error(ErrorCode::invalid_argument,
                             "'iceTransportPolicy' must be 'all' or 'relay'");
  }
  const auto relay_only = policy.empty() ? std::nullopt : std::optional<bool>(policy == "relay");
  if (auto set = ice_servers_.set_app(std::move(servers), relay_only); !set) return set;
  apply_ice_servers();
  return base::ok();
}

void Client::ice_servers_provided(std::string_view json, Millis now) {
  if (auto taken = ice_servers_.provider_answer(json, now); !taken) {
    events_.push_back(client_event::ErrorRaised{taken.error()});
    return;
  }
  apply_ice_servers();
}

void Client::ice_servers_failed(std::string_view reason, Millis now) {
  events_.push_back(client_event::ErrorRaised{ice_servers_.provider_failed(reason, now)});
}

void Client::apply_ice_servers() {
  with_peers([&](peer::PeerRegistry& peers) {
    return peers.set_ice_configuration(ice_servers_.effective(), ice_servers_.relay_only());
  });
}

void Client::take_server_ice_servers(const envelope::IceServersGrant& grant, Millis now) {
  if (auto taken = ice_servers_.server_list(grant.ice_servers, grant.expires_in_ms, now); !taken) {
    events_.push_back(client_event::ErrorRaised{taken.error()});
    return;
  }
  apply_ice_servers();
}

void Client::refresh_ice_servers(Millis now) {
  for (const auto due : ice_servers_.take_due(now)) {
    if (due == IceServerSources::Due::server_request) {
      // Not connected: the next welcome brings fresh credentials.
      if (state_ != ClientState::connected) continue;
      ice_servers_.server_asked();
      if (auto sent = write(envelope::encode(envelope::IceServersRequest{})); !sent) {
        lose_connection(sent.error(), now);
      }
    } else {
      if (state_ == ClientState::closed || ice_servers_.provider_answer_awaited()) continue;
      ice_servers_.provider_asked();
      events_.push_back(client_event::IceServersNeeded{});
    }
  }
}

void Client::schedule_token_refresh(std::uint64_t lifetime_ms, Millis now) {
  const Millis lifetime{
      static_cast<Millis::rep>(std::min<std::uint64_t>(lifetime_ms, std::uint64_t{1} << 40))};
  timers_.set(Timer::token_refresh, now + session::token_refresh_delay(lifetime));
}

bool Client::owns(uint32_t generation) const {
  return connection_ && connection_->owns(generation);
}

engineio::EngineIoConnection* Client::route(uint32_t generation) {
  if (owns(generation)) return connection_.get();
  RacingAttempt* attempt = racing(generation);
  return attempt ? attempt->connection.get() : nullptr;
}

void Client::drain(const engineio::EngineIoConnection& target, Millis now) {
  if (&target == connection_.get()) {
    drain_connection(now);
  } else {
    drain_racing(now);
  }
}

void Client::handle_transport_open(uint32_t generation, Millis now) {
  if (auto* target = route(generation)) {
    target->handle_transport_open(generation, now);
    drain(*target, now);
  }
}

void Client::handle_transport_text(uint32_t generation, std::string_view frame, Millis now) {
  if (auto* target = route(generation)) {
    target->handle_transport_text(generation, frame, now);
    drain(*target, now);
  }
}

void Client::handle_transport_binary(uint32_t generation, std::string_view frame, Millis now) {
  if (auto* target = route(generation)) {
    target->handle_transport_binary(generation, frame, now);
    drain(*target, now);
  }
}

void Client::handle_transport_closed(uint32_t generation, Millis now) {
  if (auto* target = route(generation)) {
    target->handle_transport_closed(generation, now);
    drain(*target, now);
  }
}

void Client::handle_transport_error(uint32_t generation, std::string_view reason, Millis now) {
  if (auto* target = route(generation)) {
    target->handle_transport_error(generation, reason, now);
    drain(*target, now);
  }
}

void Client::handle_http_response(uint32_t generation, uint32_t id, int status,
                                  std::string_view body, Millis now) {
  if (auto* target = route(generation)) {
    target->handle_http_response(generation, id, status, body, now);
    drain(*target, now);
  }
}

void Client::handle_timeout(Millis now) {
  // What fires may arm another timer that is due as well (a zero reconnect delay, say): all of
  // them fire in this call. Bounded, so a config of zero delays cannot spin here.
  for (int round = 0; round < kMaxTimerRounds; ++round) {
    const auto due = poll_timeout();
    if (!due || *due > now) return;
    fire_due_timers(now);
  }
}

void Client::fire_due_timers(Millis now) {
  std::erase_if(racing_, [&](RacingAttempt& attempt) {
    if (attempt.deadline > now) return false;
    attempt.connection->close();  // it never opened: no close packet, only the transport
    while (auto action = attempt.connection->poll_action()) actions_.push_back(std::move(*action));
    return true;
  });
  follow(reconnect_.handle_timeout(now), std::nullopt, now);
  with_peers([&](peer::PeerRegistry& peers) {
    peers.handle_timeout(now);
    return 0;
  });
  refresh_ice_servers(now);
  if (state_ == ClientState::connecting) {
    if (const auto kind = ladder_.handle_timeout(now)) start_attempt(*kind, now);
  }
  for (Timer timer : timers_.take_expired(now)) {
    if (timer == Timer::ack) {
      if (state_ == ClientState::connected) send_ack();
      continue;
    }
    if (timer == Timer::token_refresh) {
      if (state_ == ClientState::connected) events_.push_back(client_event::TokenNeeded{});
      continue;
    }
    if (timer == Timer::replay) {
      replay_requested_ = false;
      continue;
    }
    if (state_ != ClientState::connecting) continue;
    if (connection_->state() != engineio::EngineIoState::open) {
      // The transport never delivered the Engine.IO open packet: try the next one.
      auto silent = std::move(connection_);
      silent->close();
      while (auto action = silent->poll_action()) actions_.push_back(std::move(*action));
      attempt_failed(base::transport_error(ErrorCode::handshake_timeout,
                                           std::string(to_string(silent->transport_kind())) +
                                               " did not complete the Engine.IO handshake in time"),
                     now);
    } else {
      // No close packet: the server may hold the session this hello asked to resume, and a close
      // packet would end it.
      connection_->abandon(base::transport_error(ErrorCode::handshake_timeout,
                                                 "the server did not send its welcome in time"));
    }
  }
  if (connection_) {
    connection_->handle_timeout(now);
    drain_connection(now);
  }
}

void Client::lose_connection(base::Error error, Millis now) {
  const ReconnectReason reason = reconnect_reason(error.code);
  schedule_reconnect(std::move(error), reason, Millis(0), now);
}

void Client::schedule_reconnect(base::Error error, ReconnectReason reason, Millis going_away_within,
                                Millis now) {
  // The session (room, unacknowledged requests) stays: the next connection resumes it, and the
  // resume request acknowledges what was received, so no ack timer is needed meanwhile.
  close_racing();
  ladder_.stop();
  timers_.clear_all();
  follow(reconnect_.lost(reason, going_away_within, now, random_), std::move(error), now);
}

void Client::follow(base::Result<ReconnectStep> step, std::optional<base::Error> error,
                    Millis now) {
  if (!step) {
    report_internal(step.error());
    return;
  }
  std::visit(base::Overloaded{
                 [](reconnect_step::Stay&) {},
                 [&](reconnect_step::GiveUp&) {
                   enter({ClientState::disconnected, std::move(error), 0, std::nullopt, false});
                 },
                 [&](reconnect_step::Wait& wait) {
                   enter({ClientState::reconnecting, std::move(error), wait.attempt, wait.retry_in,
                          false});
                 },
                 [&](reconnect_step::Retry&) { start_connecting(now); },
             },
             step.value());
}

void Client::handle_network_change(bool online, Millis now) {
  follow(reconnect_.network_changed(online), std::nullopt, now);
}

void Client::drain_connection(Millis now) {
  if (!connection_) return;
  while (true) {
    while (auto action = connection_->poll_action()) actions_.push_back(std::move(*action));
    auto event = connection_->poll_event();
    if (!event) return;
    std::visit(
        base::Overloaded{
            [&](engineio::engineio_event::Opened&) { on_opened(now); },
            [&](engineio::engineio_event::Message& message) {
              handle_message(message.data, message.binary, now);
            },
            [&](engineio::engineio_event::Upgraded& upgraded) {
              events_.push_back(client_event::TransportChanged{upgraded.kind});
              events_.push_back(client_event::RememberTransport{
                  server_url_.origin_key(), {upgraded.kind, now + config_.remember_for}});
            },
            [&](engineio::engineio_event::Closed& closed) {
              if (state_ != ClientState::connecting && state_ != ClientState::connected) {
                return;  // we closed it ourselves
              }
              // A hello the server refused explains the close better than the close.
              base::Error error = std::exchange(hello_refusal_, std::nullopt)
                                      .value_or(closed.error.value_or(base::transport_error(
                                          ErrorCode::transport_closed, "the connection closed")));
              // Before the Engine.IO handshake, a failure means "try the next transport".
              if (state_ == ClientState::connecting && ladder_.state() != LadderState::opened) {
                attempt_failed(std::move(error), now);
              } else {
                lose_connection(std::move(error), now);
              }
            },
        },
        *event);
  }
}

void Client::on_opened(Millis now) {
  if (state_ != ClientState::connecting) return;
  if (auto won = ladder_.opened(now - attempt_started_); !won) report_internal(won.error());
  close_racing();
  const engineio::TransportKind kind = connection_->transport_kind();
  events_.push_back(client_event::TransportChanged{kind});
  events_.push_back(client_event::RememberTransport{server_url_.origin_key(),
                                                    {kind, now + config_.remember_for}});
  hello_refusal_.reset();
  auto sent =
      write(envelope::encode(envelope::Hello{config_.sdk, session_.take_resume_request(), token_}));
  if (!sent) {
    connection_->close();
    lose_connection(sent.error(), now);
  }
}

void Client::handle_message(const std::string& text, bool binary, Millis now) {
  namespace ev = client_event;
  if (state_ != ClientState::connecting && state_ != ClientState::connected) return;
  if (binary) {
    events_.push_back(ev::ErrorRaised{base::remote_error(
        ErrorCode::invalid_envelope, "binary messages are not rtcwire envelopes")});
    return;
  }
  auto decoded = envelope::decode_server(text);
  if (!decoded) {
    events_.push_back(ev::ErrorRaised{decoded.error()});
    return;
  }
  auto& [message, seq, ack] = decoded.value();
  if (state_ == ClientState::connecting) {
    if (auto* welcome = std::get_if<envelope::Welcome>(&message)) {
      handle_welcome(std::move(*welcome), now);
    } else if (auto* refusal = std::get_if<envelope::ErrorReply>(&message)) {
      base::Error error = base::remote_error(refusal->code, refusal->message);
      hello_refusal_ = error;
      events_.push_back(ev::ErrorRaised{std::move(error)});
      const bool token_refused =
          refusal->code == ErrorCode::unauthorized || refusal->code == ErrorCode::token_expired;
      if (token_refused && token_) events_.push_back(ev::TokenNeeded{});
    } else {
      events_.push_back(ev::ErrorRaised{base::remote_error(
          ErrorCode::invalid_state, "server sent a message before its welcome")});
    }
    return;
  }
  // The server's ack rides on its sequenced envelopes, even on ones dropped below.
  if (ack != 0) {
    if (auto acked = session_.acknowledge(ack); !acked) {
      events_.push_back(ev::ErrorRaised{acked.error()});
    }
  }
  if (seq != 0) {
    switch (session_.receive(seq, now, text.size())) {
      case session::ReliableInbox::Verdict::deliver:
        replay_requested_ = false;
        timers_.clear(Timer::replay);
        break;
      case session::ReliableInbox::Verdict::duplicate:
        // A replay overlapping what arrived: the ack that follows stops the server resending.
        schedule_ack();
        return;
      case session::ReliableInbox::Verdict::gap:
        // Something in flight was lost (e.g. a long-poll response): ask once for everything after
        // the last envelope in order; what arrives meanwhile is dropped and comes again.
        request_replay(now);
        return;
    }
  }
  handle_envelope(std::move(message), now);
  if (seq != 0) schedule_ack();
}

void Client::schedule_ack() {
  if (state_ != ClientState::connected) return;
  if (session_.ack_due()) {
    send_ack();
  } else if (const auto deadline = session_.ack_deadline()) {
    timers_.set(Timer::ack, *deadline);
  }
}

void Client::request_replay(Millis now) {
  if (replay_requested_ || state_ != ClientState::connected) return;
  replay_requested_ = true;
  // Should the request or its answer be lost too, the next gap after this asks again.
  timers_.set(Timer::replay, now + kReplayRetry);
  timers_.clear(Timer::ack);
  (void)write(envelope::encode(envelope::ClientEnvelope{envelope::Ack{session_.take_ack(), true}}));
}

void Client::handle_welcome(envelope::Welcome welcome, Millis now) {
  timers_.clear(Timer::handshake);
  replay_requested_ = false;
  auto welcomed = session_.welcome(welcome);
  if (!welcomed) {
    abandon_session(welcomed.error(), now);
    return;
  }
  std::optional<session::SessionLoss>& loss = welcomed.value();
  max_message_bytes_ = welcome.max_message_bytes;
  if (welcome.auth_expires_in_ms) schedule_token_refresh(*welcome.auth_expires_in_ms, now);
  if (auto established = reconnect_.established(); !established) {
    report_internal(established.error());
  }
  // The transport that carried the welcome, even if a close in the same payload ended it since.
  const std::optional<engineio::TransportKind> welcomed_over =
      connection_ ? std::optional(connection_->transport_kind()) : std::nullopt;
  // Before `connected`, so an app that rebuilds on `connected` finds the old room gone, and
  // joins it makes then are not taken for the old session's.
  if (loss) {
    // The joins went with the old session: Resync lists them as undelivered.
    pending_joins_.clear();
    events_.push_back(client_event::Resync{std::move(loss->reason), std::move(loss->undelivered)});
    // The peers of the old session are gone with it (they come back with new ids).
    with_peers([](peer::PeerRegistry& peers) {
      peers.close_all();
      return 0;
    });
  }
  enter({ClientState::connected, std::nullopt, 0, std::nullopt, welcome.resumed, session_.peer_id(),
         max_message_bytes_, welcomed_over});
  if (welcome.ice_servers) {
    take_server_ice_servers(*welcome.ice_servers, now);
  } else {
    ice_servers_.server_refused(ErrorCode::turn_not_configured, now);
  }
  // What the server did not acknowledge goes again, in order and with its original seq; the
  // server drops what it already has.
  for (const auto& entry : session_.unacked()) {
    (void)write(envelope::encode(entry.item, entry.seq));
  }
}

envelope::RequestId Client::answer_join(envelope::RequestId echoed) {
  if (pending_joins_.empty()) return 0;
  if (echoed == 0) echoed = pending_joins_.front();
  const auto pending = std::find(pending_joins_.begin(), pending_joins_.end(), echoed);
  if (pending == pending_joins_.end()) return 0;
  pending_joins_.erase(pending);
  return echoed;
}

void Client::abandon_session(base::Error error, Millis now) {
  session_.end(error);
  connection_->close();
  lose_connection(std::move(error), now);
}

void Client::handle_envelope(envelope::ServerEnvelope message, Millis now) {
  namespace ev = client_event;
  session::RoomMembership& membership = session_.membership();
  std::visit(
      base::Overloaded{
          [&](envelope::Welcome&) {
            events_.push_back(ev::ErrorRaised{
                base::remote_error(ErrorCode::invalid_state, "server sent a second welcome")});
          },
          [&](envelope::Joined& joined) {
            membership.on_joined(joined.room, joined.peers);
            peers_.joined(session_.peer_id(), joined.peers, joined.users);
            events_.push_back(ev::RoomJoined{std::move(joined.room), std::move(joined.peers),
                                             std::move(joined.users), answer_join(joined.id)});
          },
          [&](envelope::Left& left) {
            if (membership.on_left(left.room)) {
              peers_.close_all();
              events_.push_back(ev::RoomLeft{left.room});
            }
          },
          [&](envelope::PeerJoined& joined) {
            if (membership.on_peer_joined(joined.peer)) {
              peers_.peer_joined(session_.peer_id(), joined.peer, joined.user);
              events_.push_back(ev::PeerJoined{std::move(joined.peer), std::move(joined.user)});
            }
          },
          [&](envelope::PeerLeft& left) {
            if (membership.on_peer_left(left.peer)) {
              peers_.peer_left(left.peer);
              events_.push_back(ev::PeerLeft{std::move(left.peer)});
            }
          },
          [&](envelope::SignalFrom& signal) {
            // Negotiation messages are the peer layer's; the app sees only its own signals.
            if (peer::is_peer_signal(signal.data)) {
              peers_.signal(signal.from, signal.data);
            } else {
              events_.push_back(ev::SignalReceived{std::move(signal.from), std::move(signal.data)});
            }
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
            // The refusals of an ice-servers request are unsequenced and name no request.
            const bool ice_servers_refused = ice_servers_.server_answer_awaited() &&
                                             refusal.id == 0 &&
                                             (refusal.code == ErrorCode::turn_not_configured ||
                                              refusal.code == ErrorCode::rate_limited);
            if (ice_servers_refused) {
              ice_servers_.server_refused(refusal.code, now);
              if (refusal.code == ErrorCode::turn_not_configured) return;
            }
            base::Error error = base::remote_error(refusal.code, std::move(refusal.message));
            if (session::ClientSession::ends_session(error.code)) {
              if (error.code == ErrorCode::token_expired && token_) {
                events_.push_back(ev::TokenNeeded{});
              }
              abandon_session(std::move(error), now);
            } else {
              // Only an id names the refused request: errors also answer publish and the like.
              const envelope::RequestId request = refusal.id != 0 ? answer_join(refusal.id) : 0;
              events_.push_back(ev::ErrorRaised{std::move(error), request});
            }
          },
          [&](envelope::Ack& ack) {
            if (auto acked = session_.acknowledge(ack.seq); !acked) {
              events_.push_back(ev::ErrorRaised{acked.error()});
            }
          },
          [&](envelope::Refreshed& refreshed) {
            schedule_token_refresh(refreshed.auth_expires_in_ms, now);
          },
          [&](envelope::IceServersGrant& grant) { take_server_ice_servers(grant, now); },
          [&](envelope::GoAway& goaway) {
            if (auto acked = session_.acknowledge(goaway.ack); !acked) {
              events_.push_back(ev::ErrorRaised{acked.error()});
            }
            send_ack();
            connection_->close();
            timers_.clear_all();
            const auto within =
                std::min<uint64_t>(goaway.reconnect_in_ms, kMaxGoAwaySpread.count());
            schedule_reconnect(
                base::remote_error(ErrorCode::going_away, "the server is shutting down"),
                ReconnectReason::going_away, Millis(static_cast<int64_t>(within)), now);
          },
      },
      message);
  collect_peer_outputs();
}

void Client::collect_peer_outputs() {
  peer::PeerOutputs& out = peers_.outputs();
  while (!out.signals.empty()) {
    peer::OutgoingSignal outgoing = std::move(out.signals.front());
    out.signals.pop_front();
    auto sent = signal(outgoing.peer, std::move(outgoing.data), Millis(0));
    // A peer or room that is gone, or a client without a session: the peer layer hears of it.
    const auto code = sent ? ErrorCode::internal : sent.error().code;
    if (!sent && code != ErrorCode::peer_not_found && code != ErrorCode::not_in_room &&
        code != ErrorCode::not_connected) {
      events_.push_back(peer::notice::PeerError{std::move(outgoing.peer), sent.error()});
    }
  }
  while (!out.notices.empty()) {
    events_.push_back(std::move(out.notices.front()));
    out.notices.pop_front();
  }
}

Status Client::peer_connect(const std::string& peer, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.connect(peer); });
}

Status Client::peer_close(const std::string& peer, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.close(peer); });
}

Status Client::peer_restart_ice(const std::string& peer, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.restart_ice(peer); });
}

base::Result<uint32_t> Client::channel_open(const std::string& peer, std::string label,
                                            peer::ChannelOptions options, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) {
    return peers.open_channel(peer, std::move(label), std::move(options));
  });
}

Status Client::channel_close(uint32_t channel, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.close_channel(channel); });
}

Status Client::channel_enqueue(uint32_t channel, uint64_t bytes, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.enqueue(channel, bytes); });
}

Status Client::set_local_tracks(std::vector<peer::LocalTrack> tracks, Millis /*now*/) {
  return with_peers(
      [&](peer::PeerRegistry& peers) { return peers.set_local_tracks(std::move(tracks)); });
}

Status Client::replace_track(uint32_t old, uint32_t replacement, Millis /*now*/) {
  return with_peers(
      [&](peer::PeerRegistry& peers) { return peers.replace_track(old, replacement); });
}

base::Result<uint32_t> Client::peer_stats(const std::string& peer, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.request_stats(peer); });
}

base::Result<uint32_t> Client::file_send(const std::string& peer, std::string name, uint64_t size,
                                         std::string type, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) {
    return peers.send_file(peer, std::move(name), size, std::move(type));
  });
}

Status Client::file_accept(uint32_t transfer, Millis now) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.accept_file(transfer, now); });
}

Status Client::file_reject(uint32_t transfer, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.reject_file(transfer); });
}

Status Client::file_cancel(uint32_t transfer, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.cancel_file(transfer); });
}

Status Client::file_control(uint32_t channel, std::string_view text, Millis now) {
  return with_peers(
      [&](peer::PeerRegistry& peers) { return peers.file_control(channel, text, now); });
}

base::Result<peer::ChunkAnswer> Client::file_chunk(uint32_t channel, uint32_t sender_id,
                                                   uint64_t offset, uint32_t length, Millis now) {
  return with_peers([&](peer::PeerRegistry& peers) {
    return peers.file_chunk(channel, sender_id, offset, length, now);
  });
}

Status Client::file_sent(uint32_t transfer, uint64_t offset, uint32_t length, Millis /*now*/) {
  return with_peers(
      [&](peer::PeerRegistry& peers) { return peers.file_sent(transfer, offset, length); });
}

Status Client::file_digest(uint32_t transfer, std::string_view sha256, Millis /*now*/) {
  return with_peers([&](peer::PeerRegistry& peers) { return peers.file_digest(transfer, sha256); });
}

void Client::handle_peer_event(const peer::PeerEvent& event, Millis now) {
  with_peers([&](peer::PeerRegistry& peers) {
    peers.handle_event(event, now);
    return 0;
  });
}

std::optional<peer::PeerAction> Client::poll_peer_action() {
  peer::PeerOutputs& out = peers_.outputs();
  if (out.actions.empty()) return std::nullopt;
  peer::PeerAction action = std::move(out.actions.front());
  out.actions.pop_front();
  return action;
}

std::optional<engineio::TransportAction> Client::poll_action() {
  if (actions_.empty()) return std::nullopt;
  engineio::TransportAction action = std::move(actions_.front());
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
  for (const auto deadline : {reconnect_.deadline(), ladder_.deadline(), peers_.poll_timeout(),
                              ice_servers_.deadline()}) {
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  }
  for (const auto& attempt : racing_) {
    if (!earliest || attempt.deadline < *earliest) earliest = attempt.deadline;
  }
  if (connection_) {
    const auto connection_deadline = connection_->poll_timeout();
    if (connection_deadline && (!earliest || *connection_deadline < *earliest)) {
      earliest = connection_deadline;
    }
  }
  return earliest;
}

}  // namespace rtcwire::client
