#include "engineio_session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "http_session.hpp"
#include "polling_server_transport.hpp"
#include "server.hpp"

namespace rtcwire::server {
namespace {

namespace http = boost::beast::http;
using engineio::Packet;
using engineio::PacketType;

// Enough for bursts of room traffic to a slow reader; a reader this far behind is not coming back.
constexpr std::size_t kMinSendQueueBytes = 4 * 1024 * 1024;
// How long close_when_flushed() waits for the queue to be written.
constexpr std::chrono::seconds kFlushDeadline{2};
// The stock server's upgradeTimeout: how long a websocket may take from its handshake to `5`.
constexpr std::chrono::seconds kUpgradeTimeout{10};

// A resume replays up to a whole resume buffer at once, on top of the usual traffic, so the queue
// always holds one more than the buffer: the buffer overflows (ending the session cleanly, with
// buffer_overflow) before the queue does.
std::size_t send_queue_cap(const ServerOptions& options) {
  return std::max(kMinSendQueueBytes, 4 * options.max_message_bytes) + options.resume_buffer_bytes;
}

}  // namespace

EngineIoSession::EngineIoSession(Server& server, ConnectionId connection, std::string sid,
                                 std::string remote, std::shared_ptr<ServerTransport> transport)
    : server_(server),
      connection_(connection),
      sid_(std::move(sid)),
      remote_(std::move(remote)),
      transport_(std::move(transport)),
      send_queue_(send_queue_cap(server.options()), &server.buffer_budget()),
      upgrade_deadline_(server.executor()),
      flush_deadline_(server.executor()),
      heartbeat_timer_(server.executor()) {}

void EngineIoSession::start() {
  const ServerOptions& options = server_.options();
  engineio::OpenInfo open{sid_,
                          {},
                          options.ping_interval.count(),
                          options.ping_timeout.count(),
                          static_cast<int64_t>(options.max_payload)};
  if (transport_->kind() != TransportKind::websocket &&
      options.transports.contains(TransportKind::websocket)) {
    open.upgrades.emplace_back(to_string(TransportKind::websocket));
  }
  transport_->attach(weak_from_this());
  send(Packet{PacketType::open, engineio::encode_open_info(open), false});
  arm_heartbeat(Heartbeat::waiting_to_ping);
}

bool EngineIoSession::move_to(State next) {
  const bool legal =
      (state_ == State::open && (next == State::draining || next == State::closing)) ||
      (state_ == State::draining && next == State::closing) ||
      (state_ == State::closing && next == State::closed);
  if (legal) state_ = next;
  return legal;
}

void EngineIoSession::move_upgrade(Upgrade next) { upgrade_ = next; }

void EngineIoSession::send(Packet packet) {
  if (state_ != State::open) return;
  if (!send_queue_.push(std::move(packet))) {
    finish(
        "send queue over " + std::to_string(send_queue_.byte_cap()) + " bytes: client not reading",
        TransportClose::abort);
    return;
  }
  flush();
}

void EngineIoSession::flush() {
  if (!live() || send_queue_.empty() || !transport_->writable()) return;
  SendQueue::Batch batch = send_queue_.take_all();
  transport_->send(std::move(batch.packets), batch.bytes);
}

void EngineIoSession::close(std::string_view reason) { finish(reason, TransportClose::server); }

void EngineIoSession::close_when_flushed(std::string_view reason) {
  if (!move_to(State::draining)) return;
  closing_reason_ = std::string(reason);
  flush_deadline_.expires_after(kFlushDeadline);
  flush_deadline_.async_wait([self = shared_from_this()](boost::system::error_code error) {
    if (!error && self->state_ == State::draining) {
      self->finish(self->closing_reason_, TransportClose::abort);
    }
  });
  finish_closing_when_flushed();
}

void EngineIoSession::finish_closing_when_flushed() {
  if (state_ == State::draining && send_queue_.counted_bytes() == 0) {
    finish(closing_reason_, TransportClose::server);
  }
}

void EngineIoSession::on_poll(std::shared_ptr<HttpSession> request) {
  // Routing sends a GET here only while the session is on polling; should that ever break, the
  // request is refused rather than the transport trusted blindly.
  if (auto* polling = dynamic_cast<PollingServerTransport*>(transport_.get())) {
    polling->on_poll(std::move(request));
  } else {
    request->reply(http::status::bad_request, "", "");
  }
}

void EngineIoSession::on_post(std::shared_ptr<HttpSession> request, std::string_view body,
                              bool binary_body) {
  // The stock server's answers: a v4 payload is text, and a body it cannot decode ends the
  // session yet still gets its "ok".
  if (binary_body) {
    finish("invalid content", TransportClose::server);
    request->reply(http::status::bad_request, "", "");
    return;
  }
  auto packets = engineio::decode_payload(body);
  if (!packets) {
    finish("parse error", TransportClose::server);
  } else {
    for (Packet& packet : packets.value()) {
      if (state_ != State::open) break;
      on_session_packet(std::move(packet));
    }
  }
  // text/html, not text/plain, keeps some browsers from offering a download (stock server).
  request->reply(http::status::ok, "text/html", "ok");
}

void EngineIoSession::on_packet(ServerTransport& from, Packet packet) {
  if (state_ != State::open) return;
  if (&from == probe_.get()) {
    on_probe_packet(std::move(packet));
  } else if (&from == transport_.get()) {
    on_session_packet(std::move(packet));
  }
}

void EngineIoSession::on_session_packet(Packet packet) {
  // As the stock server: traffic from a busy client proves it alive, so a pong stuck behind its
  // messages gets one more pingTimeout.
  if (heartbeat_ == Heartbeat::awaiting_pong && packet.type != PacketType::pong &&
      !pong_deadline_refreshed_) {
    pong_deadline_refreshed_ = true;
    arm_heartbeat(Heartbeat::awaiting_pong);
  }
  switch (packet.type) {
    case PacketType::message:
      server_.on_message(connection_, std::move(packet));
      break;
    case PacketType::pong:
      arm_heartbeat(Heartbeat::waiting_to_ping);
      break;
    case PacketType::close:
      finish("client close", TransportClose::client);
      break;
    case PacketType::ping:  // v4 pings go from server to client only
      finish("invalid heartbeat direction", TransportClose::server);
      break;
    case PacketType::open:
      finish("parse error", TransportClose::server);
      break;
    case PacketType::upgrade:  // belong to a transport upgrade; the stock server ignores them too
    case PacketType::noop:
      break;
  }
}

void EngineIoSession::begin_upgrade(std::shared_ptr<ServerTransport> probe) {
  if (!live() || upgrade_ != Upgrade::none || transport_->kind() == TransportKind::websocket) {
    probe->close(TransportClose::server, nullptr);
    return;
  }
  probe_ = std::move(probe);
  move_upgrade(Upgrade::probing);
  probe_->attach(weak_from_this());
  upgrade_deadline_.expires_after(kUpgradeTimeout);
  upgrade_deadline_.async_wait(
      [self = shared_from_this(), generation = ++upgrade_generation_](boost::system::error_code) {
        if (generation == self->upgrade_generation_ && self->probe_) {
          self->abandon_upgrade("upgrade timeout");
        }
      });
}

void EngineIoSession::on_probe_packet(Packet packet) {
  if (packet.type == PacketType::ping && packet.data == "probe") {
    probe_->send({Packet{PacketType::pong, "probe", false}}, 0);
    if (upgrade_ == Upgrade::probing) {
      // The client now pauses its old transport; releasing its waiting GET (or telling the SSE
      // stream) lets it do so at once. Until `5`, packets wait in the send queue.
      move_upgrade(Upgrade::probed);
      transport_->pause();
    }
  } else if (packet.type == PacketType::upgrade) {
    complete_upgrade();
  } else {
    abandon_upgrade("unexpected packet during upgrade");
  }
}

void EngineIoSession::complete_upgrade() {
  ++upgrade_generation_;
  upgrade_deadline_.cancel();
  const std::shared_ptr<ServerTransport> old =
      std::exchange(transport_, std::exchange(probe_, nullptr));
  move_upgrade(Upgrade::none);
  old->close(TransportClose::discard, nullptr);
  server_.on_session_upgraded(connection_);
  flush();
}

void EngineIoSession::abandon_upgrade(std::string_view reason) {
  ++upgrade_generation_;
  upgrade_deadline_.cancel();
  std::exchange(probe_, nullptr)->close(TransportClose::server, nullptr);
  server_.on_upgrade_abandoned(connection_, reason);
  const bool paused = upgrade_ == Upgrade::probed;
  move_upgrade(Upgrade::none);
  if (paused) transport_->resume();
  flush();
}

void EngineIoSession::on_drain(ServerTransport& from, std::size_t bytes) {
  send_queue_.release(bytes);
  if (&from == transport_.get()) flush();
  finish_closing_when_flushed();
}

void EngineIoSession::on_transport_error(ServerTransport& from, std::string_view reason) {
  if (!live()) return;
  if (&from == probe_.get()) {
    abandon_upgrade(reason);
  } else if (&from == transport_.get()) {
    finish(reason, TransportClose::server);
  }
}

void EngineIoSession::on_transport_lost(ServerTransport& from, std::string_view reason) {
  if (!live()) return;
  if (&from == probe_.get()) {
    abandon_upgrade(reason);
  } else if (&from == transport_.get()) {
    finish(reason, TransportClose::abort);
  }
}

void EngineIoSession::arm_heartbeat(Heartbeat phase) {
  heartbeat_ = phase;
  heartbeat_timer_.expires_after(phase == Heartbeat::waiting_to_ping
                                     ? server_.options().ping_interval
                                     : server_.options().ping_timeout);
  heartbeat_timer_.async_wait(
      [self = shared_from_this(), generation = ++heartbeat_generation_](boost::system::error_code) {
        self->on_heartbeat_timer(generation);
      });
}

void EngineIoSession::on_heartbeat_timer(std::uint64_t generation) {
  if (generation != heartbeat_generation_ || !live()) return;
  if (heartbeat_ == Heartbeat::awaiting_pong) {
    finish("ping timeout", TransportClose::server);
    return;
  }
  pong_deadline_refreshed_ = false;
  arm_heartbeat(Heartbeat::awaiting_pong);
  // On polling the ping waits for the next GET: a client that stops polling misses the pong
  // deadline, which is how idle polling sessions end.
  send(Packet{PacketType::ping, {}, false});
}

void EngineIoSession::finish(std::string_view reason, TransportClose how) {
  if (!move_to(State::closing)) return;
  ++heartbeat_generation_;
  heartbeat_timer_.cancel();
  ++upgrade_generation_;
  upgrade_deadline_.cancel();
  flush_deadline_.cancel();
  server_.on_session_closed(connection_, reason, how == TransportClose::client);
  send_queue_.clear();
  if (probe_) std::exchange(probe_, nullptr)->close(TransportClose::server, nullptr);
  move_upgrade(Upgrade::none);
  transport_->close(how, [self = shared_from_this()] {
    self->move_to(State::closed);
    self->server_.on_session_ended();
  });
}

}  // namespace rtcwire::server
