#include "rtcwire/engineio_connection.hpp"

namespace rtcwire {
namespace {

bool is_legal(EngineIoState from, EngineIoState to) {
  using S = EngineIoState;
  switch (from) {
    case S::idle:
      return to == S::opening || to == S::closed;
    case S::opening:
      return to == S::handshaking || to == S::closed;
    case S::handshaking:
      return to == S::open || to == S::closed;
    case S::open:
      return to == S::closed;
    case S::closed:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::websocket:
      return "websocket";
  }
  return "websocket";
}

std::string_view to_string(EngineIoState state) {
  switch (state) {
    case EngineIoState::idle:
      return "idle";
    case EngineIoState::opening:
      return "opening";
    case EngineIoState::handshaking:
      return "handshaking";
    case EngineIoState::open:
      return "open";
    case EngineIoState::closed:
      return "closed";
  }
  return "closed";
}

EngineIoConnection::EngineIoConnection(uint32_t generation, TransportKind kind,
                                       std::string endpoint)
    : generation_(generation), kind_(kind), endpoint_(std::move(endpoint)) {}

Status EngineIoConnection::transition(EngineIoState next) {
  if (!is_legal(state_, next)) {
    return local_error(ErrorCode::invalid_state, "Engine.IO connection cannot go from " +
                                                     std::string(to_string(state_)) + " to " +
                                                     std::string(to_string(next)));
  }
  state_ = next;
  return ok();
}

Status EngineIoConnection::open(Millis /*now*/) {
  if (auto moved = transition(EngineIoState::opening); !moved) return moved;
  actions_.push_back(OpenTransport{generation_, kind_, endpoint_});
  return ok();
}

Status EngineIoConnection::send_message(std::string text) {
  if (state_ != EngineIoState::open) {
    return local_error(ErrorCode::not_connected, "Engine.IO connection is not open");
  }
  if (static_cast<int64_t>(text.size()) + 1 > open_info_.max_payload) {
    return local_error(ErrorCode::message_too_large,
                       "message of " + std::to_string(text.size()) +
                           " bytes exceeds the server's maxPayload of " +
                           std::to_string(open_info_.max_payload));
  }
  actions_.push_back(SendFrame{
      generation_, engineio::encode_text_frame({engineio::PacketType::message, std::move(text)})});
  return ok();
}

void EngineIoConnection::close() {
  const bool was_open = state_ == EngineIoState::open;
  const bool had_transport = state_ != EngineIoState::idle;
  if (!transition(EngineIoState::closed)) return;
  timers_.clear_all();
  if (was_open) {
    actions_.push_back(
        SendFrame{generation_, engineio::encode_text_frame({engineio::PacketType::close, {}})});
  }
  if (had_transport) actions_.push_back(CloseTransport{generation_});
  events_.push_back(engineio_event::Closed{std::nullopt});
}

void EngineIoConnection::fail(Error error) {
  const bool had_transport = state_ != EngineIoState::idle;
  if (!transition(EngineIoState::closed)) return;
  timers_.clear_all();
  if (had_transport) actions_.push_back(CloseTransport{generation_});
  events_.push_back(engineio_event::Closed{std::move(error)});
}

void EngineIoConnection::arm_liveness(Millis now) {
  // The server pings every pingInterval; without one for pingInterval + pingTimeout it is gone.
  timers_.set(Timer::liveness,
              now + Millis(open_info_.ping_interval_ms + open_info_.ping_timeout_ms));
}

void EngineIoConnection::handle_transport_open(Millis /*now*/) {
  if (state_ != EngineIoState::opening) return;  // late or duplicate: nothing to do
  (void)transition(EngineIoState::handshaking);
}

void EngineIoConnection::handle_transport_text(std::string_view frame, Millis now) {
  if (state_ != EngineIoState::handshaking && state_ != EngineIoState::open) return;
  auto packet = engineio::decode_text_frame(frame);
  if (!packet) {
    fail(packet.error());
    return;
  }
  handle_packet(std::move(packet.value()), now);
}

void EngineIoConnection::handle_transport_binary(std::string_view frame, Millis now) {
  if (state_ != EngineIoState::handshaking && state_ != EngineIoState::open) return;
  handle_packet(engineio::decode_binary_frame(frame), now);
}

void EngineIoConnection::handle_packet(engineio::Packet packet, Millis now) {
  using engineio::PacketType;
  if (state_ == EngineIoState::handshaking) {
    if (packet.type != PacketType::open) {
      fail(remote_error(ErrorCode::malformed_packet,
                        "expected the Engine.IO open packet, got " +
                            std::string(engineio::to_string(packet.type))));
      return;
    }
    auto info = engineio::decode_open_info(packet.data);
    if (!info) {
      fail(info.error());
      return;
    }
    open_info_ = std::move(info.value());
    (void)transition(EngineIoState::open);
    arm_liveness(now);
    events_.push_back(engineio_event::Opened{open_info_});
    return;
  }
  switch (packet.type) {
    case PacketType::ping:
      arm_liveness(now);
      actions_.push_back(
          SendFrame{generation_, engineio::encode_text_frame({PacketType::pong, packet.data})});
      return;
    case PacketType::message:
      events_.push_back(engineio_event::Message{std::move(packet.data), packet.binary});
      return;
    case PacketType::close:
      fail(remote_error(ErrorCode::server_closed, "the server closed the session"));
      return;
    case PacketType::noop:
      return;
    case PacketType::open:
    case PacketType::pong:
    case PacketType::upgrade:
      fail(remote_error(ErrorCode::malformed_packet,
                        "unexpected Engine.IO " + std::string(engineio::to_string(packet.type)) +
                            " packet on an open connection"));
      return;
  }
}

void EngineIoConnection::handle_transport_closed(Millis /*now*/) {
  if (state_ == EngineIoState::closed) return;
  const bool established = state_ == EngineIoState::open || state_ == EngineIoState::handshaking;
  fail(transport_error(ErrorCode::transport_closed, established
                                                        ? "the connection to the server was lost"
                                                        : "could not connect to the server"));
}

void EngineIoConnection::handle_transport_error(std::string_view reason, Millis /*now*/) {
  if (state_ == EngineIoState::closed) return;
  std::string message = "transport error";
  if (!reason.empty()) message += ": " + std::string(reason.substr(0, 200));
  fail(transport_error(ErrorCode::transport_error, std::move(message)));
}

void EngineIoConnection::handle_timeout(Millis now) {
  for (Timer timer : timers_.take_expired(now)) {
    if (timer == Timer::liveness) {
      fail(transport_error(ErrorCode::ping_timeout, "no ping from the server in time"));
    }
  }
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

}  // namespace rtcwire
