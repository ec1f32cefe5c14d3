#include "signalling_hub.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace rtcwire::server {
namespace {

constexpr std::string_view kTakenOver = "taken over";
constexpr std::string_view kBufferOverflow = "buffer overflow";
constexpr std::string_view kShuttingDown = "server shutting down";
constexpr std::string_view kTooManySessions = "too many sessions";
constexpr std::string_view kRateLimited = "rate limited";
// What "{"seq":N," adds to an encoded envelope, at most.
constexpr std::size_t kSeqBytes = 28;
constexpr std::string_view kUnauthorized = "unauthorized";
constexpr std::string_view kTokenExpired = "token expired";
// The resend wait doubles up to this many times HubSettings::resend_after.
constexpr int kMaxResendBackoff = 8;
// A client asks for a replay once per gap; more often than this is not worth answering.
constexpr Millis kMinReplayInterval{200};
// Fresh TURN credentials are asked for at 80% of their lifetime (at least 10 s): once a second
// is plenty, and bounds the HMACs a client can make the server compute.
constexpr Millis kMinIceServersInterval{1000};

}  // namespace

// Collects what one input produced.
class SignallingHub::Output {
 public:
  void deliver(ConnectionId to, std::string text) {
    deliveries_.push_back(Delivery{to, std::move(text)});
  }
  void refuse(Error error) { rejection_ = std::move(error); }
  void close(ConnectionId connection, std::string_view reason) {
    closes_.push_back(ConnectionClose{connection, std::string(reason)});
  }
  void ended(std::string peer, std::optional<ErrorCode> why) {
    ended_.push_back(SessionEnd{std::move(peer), why});
  }
  void greet(Greeting greeting) { greeting_ = greeting; }
  HubOutput take() {
    return HubOutput{std::move(deliveries_), std::move(rejection_), std::move(closes_),
                     std::move(ended_), greeting_};
  }

 private:
  std::vector<Delivery> deliveries_;
  std::optional<Error> rejection_;
  std::vector<ConnectionClose> closes_;
  std::vector<SessionEnd> ended_;
  std::optional<Greeting> greeting_;
};

SignallingHub::SignallingHub(IdSource& ids, HubSettings settings)
    : ids_(ids),
      settings_(settings),
      budget_(settings.max_buffered_bytes),
      resend_budget_(static_cast<double>(settings.resend_bytes_per_second),
                     static_cast<double>(settings.resend_bytes_per_second), Millis{0}) {}

ConnectionId SignallingHub::connect(std::string owner) {
  const ConnectionId id = next_connection_++;
  connections_.emplace(id, Link{{}, std::move(owner), std::nullopt});
  return id;
}

std::size_t SignallingHub::sessions_of(const std::string& owner) const {
  const auto found = sessions_by_owner_.find(owner);
  return found == sessions_by_owner_.end() ? 0 : found->second;
}

std::size_t SignallingHub::buffered_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [peer, session] : sessions_) bytes += session.outbox.bytes();
  return bytes;
}

HubOutput SignallingHub::receive_text(ConnectionId from, std::string_view text, Millis now) {
  now_ = now;
  Output out;
  now_ = now;
  if (connections_.contains(from)) handle_text(from, text, now, out);
  end_abusers(out);
  end_overflowed(out);
  return out.take();
}

void SignallingHub::handle_text(ConnectionId from, std::string_view text, Millis now, Output& out) {
  PeerSession* session = session_of(from);
  if (!admit(from, session, text, out)) return;
  // A refused envelope still uses up its seq, if it has a readable one: otherwise every later
  // envelope of the client would be a gap.
  const auto refuse = [&](ErrorCode code, std::string message) {
    if (session && !accept_seq(from, *session, envelope::peek_seq(text), text.size(), now, out))
      return;
    fail(from, session, code, std::move(message), out, envelope::peek_request_id(text));
    if (session) reschedule(*session);
  };

  if (text.size() > settings_.max_message_bytes) {
    refuse(ErrorCode::message_too_large, "envelope of " + std::to_string(text.size()) +
                                             " bytes exceeds the limit of " +
                                             std::to_string(settings_.max_message_bytes));
    return;
  }
  auto decoded = envelope::decode_client(text);
  if (!decoded) {
    refuse(decoded.error().code, decoded.error().message);
    return;
  }
  const auto& message = decoded.value().envelope;
  const envelope::Seq seq = decoded.value().seq;
  const bool is_hello = std::holds_alternative<envelope::Hello>(message);
  if ((session != nullptr) == is_hello) {
    fail(from, session, ErrorCode::invalid_state,
         session ? "hello was already answered" : "the first envelope must be hello", out);
    return;
  }
  if (!session) {
    on_hello(from, std::get<envelope::Hello>(message), now, out);
    return;
  }

  if (!accept_seq(from, *session, seq, text.size(), now, out)) return;

  std::visit(
      [&](const auto& envelope) {
        using T = std::decay_t<decltype(envelope)>;
        if constexpr (std::is_same_v<T, envelope::Hello>) {
          // Answered above: a welcomed connection's hello is invalid_state.
        } else if constexpr (std::is_same_v<T, envelope::Join>) {
          on_join(*session, envelope, out);
        } else if constexpr (std::is_same_v<T, envelope::Leave>) {
          on_leave(*session, out);
        } else if constexpr (std::is_same_v<T, envelope::Publish>) {
          on_publish(*session, envelope, out);
        } else if constexpr (std::is_same_v<T, envelope::Ack>) {
          on_ack(*session, envelope, now, out);
        } else if constexpr (std::is_same_v<T, envelope::Refresh>) {
          on_refresh(*session, envelope, now, out);
        } else if constexpr (std::is_same_v<T, envelope::IceServersRequest>) {
          on_ice_servers(*session, now, out);
        } else {
          static_assert(std::is_same_v<T, envelope::SignalTo> ||
                        std::is_same_v<T, envelope::DirectTo>);
          PeerSession* target = room_peer(*session, envelope.to);
          if (std::is_same_v<T, envelope::DirectTo> && session->grant && !session->grant->publish) {
            fail(from, session, ErrorCode::forbidden_publish,
                 "your token allows listening only (publish: false)", out);
          } else if (!target) {
            fail(from, session, ErrorCode::peer_not_found,
                 "peer '" + envelope.to + "' is not in your room", out);
          } else if constexpr (std::is_same_v<T, envelope::SignalTo>) {
            relay_to_peer(*session, *target, envelope::SignalFrom{session->peer, envelope.data},
                          out);
          } else {
            relay_to_peer(*session, *target, envelope::DirectFrom{session->peer, envelope.data},
                          out);
          }
        }
      },
      message);
  if (session->inbox.ack_due()) send_ack(*session, out);
  reschedule(*session);
}

bool SignallingHub::accept_seq(ConnectionId from, PeerSession& session, envelope::Seq seq,
                               std::size_t bytes, Millis now, Output& out) {
  // An envelope without seq is processed once, unacknowledged (at-most-once, §2.1).
  if (seq == 0) return true;
  switch (session.inbox.receive(seq, now, bytes)) {
    case ReliableInbox::Verdict::deliver:
      return true;
    case ReliableInbox::Verdict::duplicate:
      // The client resends what it thinks was lost: tell it at once what arrived.
      send_ack(session, out);
      reschedule(session);
      return false;
    case ReliableInbox::Verdict::gap:
      fail(from, &session, ErrorCode::invalid_sequence,
           "seq " + std::to_string(seq) + " skips ahead: expected " +
               std::to_string(session.inbox.last_received() + 1),
           out);
      reschedule(session);
      return false;
  }
  return false;
}

HubOutput SignallingHub::receive_binary(ConnectionId from) {
  Output out;
  if (connections_.contains(from)) {
    PeerSession* session = session_of(from);
    if (admit(from, session, {}, out)) {
      fail(from, session, ErrorCode::invalid_envelope,
           "envelopes are JSON text, not binary messages", out);
    }
    end_abusers(out);
    end_overflowed(out);
  }
  return out.take();
}

void SignallingHub::disconnect(ConnectionId connection, Millis now) {
  const auto found = connections_.find(connection);
  if (found == connections_.end()) return;
  now_ = now;
  if (PeerSession* session = session_of(connection)) {
    session->limiter = std::move(found->second.limiter);
    session->connection.reset();
    session->expires_at = now + settings_.resume_window;
    // The resume replays everything unacknowledged anyway.
    session->resend_at.reset();
    session->resend_after = Millis(0);
    // Nobody to send it to; the welcome of a resume carries the ack instead.
    (void)session->inbox.take_ack();
    reschedule(*session);
  }
  drop_connection(connection);
}

HubOutput SignallingHub::depart(ConnectionId connection) {
  Output out;
  const auto found = connections_.find(connection);
  if (found == connections_.end()) return out.take();
  if (PeerSession* session = session_of(connection)) {
    session->connection.reset();
    end_session(*session, std::nullopt, out);
  }
  drop_connection(connection);
  end_overflowed(out);  // the room's peer-left may have overflowed someone's buffer
  return out.take();
}

HubOutput SignallingHub::go_away(std::uint64_t reconnect_in_ms) {
  Output out;
  for (const auto& [connection, link] : connections_) {
    if (link.peer.empty()) {
      out.close(connection, kShuttingDown);
      continue;
    }
    PeerSession& session = sessions_.at(link.peer);
    // The goaway carries the ack, so none is pending afterwards.
    out.deliver(connection,
                envelope::encode(envelope::GoAway{reconnect_in_ms, session.inbox.take_ack()}));
    reschedule(session);
  }
  return out.take();
}

std::optional<Millis> SignallingHub::poll_timeout() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

HubOutput SignallingHub::handle_timeout(Millis now) {
  now_ = now;
  Output out;
  now_ = now;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    PeerSession& session = sessions_.at(deadlines_.begin()->second);
    deadlines_.erase(deadlines_.begin());
    session.scheduled.reset();
    if (session.expires_at && *session.expires_at <= now) {
      end_session(session, ErrorCode::session_expired, out);
      continue;
    }
    if (session.connection && session.token_expires_at && *session.token_expires_at <= now) {
      expire_token(session, out);
      continue;
    }
    if (session.connection && session.resend_at && *session.resend_at <= now) {
      // No ack moved since these went out: the client missed some of them. A resend the budget
      // cannot afford waits for the next turn without using up a try.
      if (afford_resend(session)) {
        ++session.resends_without_ack;
        resend_unacked(session, out);
      }
      session.resend_after =
          std::min(2 * session.resend_after, kMaxResendBackoff * settings_.resend_after);
      session.resend_at.reset();
      if (session.resends_without_ack < settings_.resend_tries) {
        session.resend_at = now + session.resend_after;
      }
    }
    if (const auto ack_due = session.inbox.ack_deadline();
        session.connection && ack_due && *ack_due <= now) {
      send_ack(session, out);
    }
    reschedule(session);
  }
  end_overflowed(out);
  return out.take();
}

std::string_view SignallingHub::peer_id(ConnectionId connection) const {
  const auto found = connections_.find(connection);
  return found == connections_.end() ? std::string_view{} : found->second.peer;
}

std::string_view SignallingHub::room_of(ConnectionId connection) const {
  const PeerSession* session = session_of(connection);
  return session ? std::string_view(session->room) : std::string_view{};
}

PeerSession* SignallingHub::session_of(ConnectionId connection) {
  return const_cast<PeerSession*>(std::as_const(*this).session_of(connection));
}

const PeerSession* SignallingHub::session_of(ConnectionId connection) const {
  const auto found = connections_.find(connection);
  if (found == connections_.end() || found->second.peer.empty()) return nullptr;
  return &sessions_.at(found->second.peer);
}

Result<std::optional<Authorization>> SignallingHub::admit(
    const std::optional<std::string>& token) const {
  if (settings_.auth == AuthMode::off || !settings_.tokens) return std::optional<Authorization>{};
  if (!token) {
    if (settings_.auth == AuthMode::optional) return std::optional<Authorization>{};
    return remote_error(ErrorCode::unauthorized, "this server needs a connection token in hello");
  }
  auto authorized = settings_.tokens->authorize(*token);
  if (!authorized) return authorized.error();
  return std::optional<Authorization>{std::move(authorized.value())};
}

void SignallingHub::on_hello(ConnectionId from, const envelope::Hello& hello, Millis now,
                             Output& out) {
  // A resume needs a valid token too: the session's grant may not outlive its token.
  auto admitted = admit(hello.auth);
  if (!admitted) {
    fail(from, nullptr, admitted.error().code, admitted.error().message, out);
    out.close(from, kUnauthorized);
    drop_connection(from);
    return;
  }
  const std::optional<Authorization>& authorization = admitted.value();
  if (!hello.resume) {
    start_session(from, std::nullopt, authorization, now, out);
    return;
  }
  const envelope::ResumeRequest& resume = *hello.resume;
  const auto peer = peer_by_session_.find(resume.session);
  PeerSession* old = peer == peer_by_session_.end() ? nullptr : &sessions_.at(peer->second);
  // A wrong token is indistinguishable from an unknown session, and leaves the session alone;
  // so is another user's connection token.
  const std::string user = authorization ? authorization->grant.user : std::string();
  const std::string old_user = old && old->grant ? old->grant->user : std::string();
  if (!old || !old->token_matches(resume.token) || user != old_user) {
    start_session(from, ErrorCode::session_expired, authorization, now, out);
    return;
  }
  if (resume.ack > old->outbox.last_seq()) {
    // The token is right but the client's state is not: it starts over, so the old session would
    // only haunt its room until it expired. It ends now.
    if (old->connection) {
      out.close(*old->connection, kTakenOver);
      drop_connection(*old->connection);
    }
    end_session(*old, ErrorCode::invalid_sequence, out);
    start_session(from, ErrorCode::invalid_sequence, authorization, now, out);
    return;
  }
  resume_session(from, *old, resume.ack, authorization, now, out);
}

namespace {

void apply_authorization(PeerSession& session, const std::optional<Authorization>& admitted,
                         Millis now) {
  session.grant.reset();
  session.token_expires_at.reset();
  if (!admitted) return;
  session.grant = admitted->grant;
  if (admitted->expires_in) session.token_expires_at = now + *admitted->expires_in;
}

std::optional<std::uint64_t> token_lifetime(const std::optional<Authorization>& admitted) {
  if (!admitted || !admitted->expires_in) return std::nullopt;
  return static_cast<std::uint64_t>(std::max<Millis::rep>(admitted->expires_in->count(), 0));
}

}  // namespace

void SignallingHub::start_session(ConnectionId from, std::optional<ErrorCode> resume_error,
                                  const std::optional<Authorization>& admitted, Millis now,
                                  Output& out) {
  // A client that connects and drops over and over would otherwise pile up sessions, each
  // holding a buffer for the resume window.
  const std::size_t limit = settings_.max_sessions_per_owner;
  const std::string& owner = connections_.at(from).owner;
  // Kept sessions yield to newcomers, so ordinary drops never lock an address out; only sessions
  // with a live connection hold their place.
  if (limit != 0 && sessions_of(owner) >= limit && !end_oldest_kept_session(owner, out)) {
    fail(from, nullptr, ErrorCode::too_many_sessions,
         "this address holds " + std::to_string(limit) + " sessions already", out);
    out.close(from, kTooManySessions);
    drop_connection(from);
    return;
  }
  std::string peer = ids_.peer_id();
  // Peer ids address relayed messages, so two live sessions must never share one.
  while (sessions_.contains(peer)) peer = ids_.peer_id();
  std::string id = ids_.session_id();
  while (peer_by_session_.contains(id)) id = ids_.session_id();
  PeerSession& session =
      sessions_.try_emplace(peer, peer, id, ids_.token(), settings_.resume_buffer_bytes)
          .first->second;
  session.connection = from;
  apply_authorization(session, admitted, now);
  Link& link = connections_.at(from);
  session.owner = link.owner;
  ++sessions_by_owner_[session.owner];
  peer_by_session_.emplace(std::move(id), peer);
  link.peer = std::move(peer);
  out.deliver(from, envelope::encode(envelope::Welcome{
                        session.peer, session.id, session.token, settings_.max_message_bytes, false,
                        0, resume_error, token_lifetime(admitted), ice_servers_for(session)}));
  out.greet(Greeting{false, resume_error});
  reschedule(session);
}

void SignallingHub::resume_session(ConnectionId from, PeerSession& session,
                                   envelope::Seq client_ack,
                                   const std::optional<Authorization>& admitted, Millis now,
                                   Output& out) {
  if (session.connection) {
    // The old connection is dead or dying (the client would not resume otherwise): it goes
    // quietly, and the room notices nothing.
    out.close(*session.connection, kTakenOver);
    const auto old = connections_.find(*session.connection);
    session.limiter = std::move(old->second.limiter);
    connections_.erase(old);
  }
  // Reconnecting does not refill the buckets.
  if (session.limiter) connections_.at(from).limiter = std::move(session.limiter);
  session.limiter.reset();
  session.connection = from;
  session.expires_at.reset();
  session.resends_without_ack = 0;  // a new connection gets its tries
  apply_authorization(session, admitted, now);
  connections_.at(from).peer = session.peer;
  acknowledge(session, client_ack, out);  // checked against last_seq() by the caller
  out.deliver(from, envelope::encode(envelope::Welcome{
                        session.peer, session.id, session.token, settings_.max_message_bytes, true,
                        session.inbox.take_ack(), std::nullopt, token_lifetime(admitted),
                        ice_servers_for(session)}));
  // What the client missed, in order, with the seq it was first sent with; it may be lost in
  // flight like any other tail.
  resend_unacked(session, out);
  if (!session.outbox.unacked().empty()) arm_resend(session);
  out.greet(Greeting{true, std::nullopt});
  reschedule(session);
}

void SignallingHub::on_join(PeerSession& session, const envelope::Join& join, Output& out) {
  if (session.grant && !session.grant->allows_room(join.room)) {
    fail(*session.connection, &session, ErrorCode::forbidden_room,
         "your token does not allow room '" + join.room + "'", out, join.id);
    return;
  }
  const auto user_of = [](const PeerSession& member) -> std::optional<std::string> {
    if (!member.grant || member.grant->user.empty()) return std::nullopt;
    return member.grant->user;
  };
  // Joining the room one is already in changes nothing for the others: no presence churn.
  if (session.room != join.room) {
    leave_room(session, out);
    broadcast(join.room, session.peer, envelope::PeerJoined{session.peer, user_of(session)}, out);
    rooms_[join.room].push_back(session.peer);
    session.room = join.room;
  }
  envelope::Joined joined{join.room, {}, {}, join.id};
  for (const std::string& member : rooms_.at(join.room)) {
    if (member == session.peer) continue;
    joined.peers.push_back(member);
    if (auto user = user_of(sessions_.at(member))) joined.users[member] = std::move(*user);
  }
  send(session, joined, out);
}

void SignallingHub::on_refresh(PeerSession& session, const envelope::Refresh& refresh, Millis now,
                               Output& out) {
  if (settings_.auth == AuthMode::off || !settings_.tokens) {
    fail(*session.connection, &session, ErrorCode::invalid_state,
         "this server does not use connection tokens", out);
    return;
  }
  auto authorized = settings_.tokens->authorize(refresh.auth);
  if (!authorized) {
    // The session keeps its current token until that one runs out.
    fail(*session.connection, &session, authorized.error().code, authorized.error().message, out);
    return;
  }
  const std::string current_user = session.grant ? session.grant->user : std::string();
  if (authorized.value().grant.user != current_user) {
    fail(*session.connection, &session, ErrorCode::unauthorized,
         "a refreshed token must name the same user (sub)", out);
    return;
  }
  const std::optional<Authorization> admitted{std::move(authorized.value())};
  apply_authorization(session, admitted, now);
  out.deliver(*session.connection,
              envelope::encode(envelope::Refreshed{token_lifetime(admitted).value_or(0)}));
}

void SignallingHub::on_ice_servers(PeerSession& session, Millis now, Output& out) {
  if (session.last_ice_servers && now - *session.last_ice_servers < kMinIceServersInterval) {
    refuse_now(session, ErrorCode::rate_limited,
               "ice-servers is answered at most once a second: refused", out);
    return;
  }
  session.last_ice_servers = now;
  if (!settings_.turn) {
    refuse_now(session, ErrorCode::turn_not_configured,
               "this server mints no TURN credentials (no --turn-secret)", out);
    return;
  }
  out.deliver(*session.connection, envelope::encode(settings_.turn->mint(session.peer)));
}

std::optional<envelope::IceServersGrant> SignallingHub::ice_servers_for(
    const PeerSession& session) const {
  if (!settings_.turn) return std::nullopt;
  return settings_.turn->mint(session.peer);
}

void SignallingHub::refuse_now(PeerSession& session, ErrorCode code, std::string message,
                               Output& out) {
  out.deliver(*session.connection, envelope::encode(envelope::ErrorReply{code, message}));
  out.refuse(remote_error(code, std::move(message)));
}

void SignallingHub::expire_token(PeerSession& session, Output& out) {
  const ConnectionId connection = *session.connection;
  out.deliver(connection, envelope::encode(envelope::ErrorReply{
                              ErrorCode::token_expired,
                              "the connection token expired before it was refreshed"}));
  out.close(connection, kTokenExpired);
  drop_connection(connection);
  session.connection.reset();
  end_session(session, ErrorCode::token_expired, out);
}

void SignallingHub::on_leave(PeerSession& session, Output& out) {
  if (session.room.empty()) {
    fail(*session.connection, &session, ErrorCode::not_in_room, "leave while in no room", out);
    return;
  }
  std::string room = session.room;
  leave_room(session, out);
  send(session, envelope::Left{std::move(room)}, out);
}

void SignallingHub::on_publish(PeerSession& session, const envelope::Publish& publish,
                               Output& out) {
  if (session.grant && !session.grant->publish) {
    fail(*session.connection, &session, ErrorCode::forbidden_publish,
         "your token allows listening only (publish: false)", out);
    return;
  }
  if (session.room.empty()) {
    fail(*session.connection, &session, ErrorCode::not_in_room, "publish while in no room", out);
    return;
  }
  const std::string encoded =
      envelope::encode(envelope::ServerEnvelope{envelope::Published{session.peer, publish.data}});
  const std::vector<std::string>& members = rooms_.at(session.room);
  const std::size_t recipients = members.size() - 1;
  if (recipients == 0) return;
  if (!admit_relay(session, (encoded.size() + kSeqBytes) * recipients, out)) return;
  std::size_t busy = 0;
  std::size_t full = 0;
  // Nothing here changes the room: members that stalled end after the input (end_overflowed).
  for (const std::string& member : members) {
    if (member == session.peer) continue;
    PeerSession& to = sessions_.at(member);
    switch (check_relay(session, to, encoded.size() + kSeqBytes)) {
      case RelayCheck::buffer:
        send_encoded(to, encoded, out, session.peer);
        break;
      case RelayCheck::skip:
        break;
      case RelayCheck::receiver_busy:
        ++busy;
        break;
      case RelayCheck::server_busy:
        ++full;
        break;
    }
  }
  refuse_relay(session, busy, full, recipients, out);
}

void SignallingHub::on_ack(PeerSession& session, const envelope::Ack& ack, Millis now,
                           Output& out) {
  const std::size_t unacked_before = session.outbox.unacked().size();
  if (!acknowledge(session, ack.seq, out)) return;
  if (session.outbox.unacked().size() != unacked_before) {
    // Progress: the client is reading, so the resend clock and its tries start over.
    session.resend_after = settings_.resend_after;
    session.resends_without_ack = 0;
    session.resend_at.reset();
    if (!session.outbox.unacked().empty() && settings_.resend_after > Millis(0)) {
      session.resend_at = now + settings_.resend_after;
    }
  }
  if (ack.replay && (!session.last_replay || now - *session.last_replay >= kMinReplayInterval)) {
    session.last_replay = now;
    // The client asked: the replay is charged to its rate limits like a relay of its own.
    if (admit_relay(session, session.outbox.bytes(), out) && afford_resend(session)) {
      resend_unacked(session, out);
    }
  }
}

bool SignallingHub::acknowledge(PeerSession& session, envelope::Seq ack, Output& out) {
  const Result<std::size_t> released = session.acknowledge(ack, now_);
  if (!released) {
    fail(*session.connection, &session, released.error().code, released.error().message, out);
    return false;
  }
  budget_.release(released.value());
  return true;
}

void SignallingHub::relay_to_peer(PeerSession& sender, PeerSession& target,
                                  const envelope::ServerEnvelope& message, Output& out) {
  const std::string encoded = envelope::encode(message);
  const std::size_t bytes = encoded.size() + kSeqBytes;
  if (!admit_relay(sender, bytes, out)) return;
  switch (check_relay(sender, target, bytes)) {
    case RelayCheck::buffer:
      send_encoded(target, encoded, out, sender.peer);
      return;
    case RelayCheck::skip:
      return;
    case RelayCheck::receiver_busy:
      refuse_relay(sender, 1, 0, 1, out);
      return;
    case RelayCheck::server_busy:
      refuse_relay(sender, 0, 1, 1, out);
      return;
  }
}

SignallingHub::RelayCheck SignallingHub::check_relay(const PeerSession& sender, PeerSession& to,
                                                     std::size_t bytes) {
  if (to.overflowed) return RelayCheck::skip;  // ending already
  const std::size_t cap = to.outbox.byte_cap();
  const std::size_t held = to.relayed_from(sender.peer);
  if (!budget_.fits(bytes)) {
    // The budget went to receivers that fell behind. A sender that holds little of its receiver's
    // buffer (a sixteenth) is not the cause and is still served: a receiver flooded by someone
    // else's publishes lags, and its other correspondents must not pay for that.
    const bool sender_light = held + bytes <= cap / 16;
    if (!sender_light || !budget_.fits_ceiling(bytes)) return RelayCheck::server_busy;
  }
  // A detached receiver reads nothing: past its buffer it ends (send_encoded), as it always did.
  if (!to.connection) return RelayCheck::buffer;
  // Relays may fill all but an eighth of a receiver's buffer, so the server's own envelopes
  // (presence, errors) always fit; one sender may fill at most half of that, so it cannot crowd
  // out the others.
  const std::size_t for_relays = cap - cap / 8;
  // Whatever the sizes, an empty buffer takes one message, and a sender holding nothing may send.
  const bool fits = (to.outbox.bytes() == 0 || to.outbox.bytes() + bytes <= for_relays) &&
                    (held == 0 || held + bytes <= for_relays / 2);
  if (fits) return RelayCheck::buffer;
  if (to.stalled(now_, settings_.ack_timeout)) {
    // It holds a full buffer and has acknowledged nothing for the ack timeout: it stopped reading.
    to.overflowed = true;
    overflowed_.push_back(to.peer);
    return RelayCheck::skip;
  }
  return RelayCheck::receiver_busy;
}

void SignallingHub::refuse_relay(PeerSession& sender, std::size_t busy, std::size_t full,
                                 std::size_t of, Output& out) {
  const ConnectionId connection = *sender.connection;
  const std::string of_peers = std::to_string(of) + (of == 1 ? " peer" : " peers");
  if (full != 0) {
    fail(connection, &sender, ErrorCode::server_busy,
         "not delivered to " + std::to_string(full) + " of " + of_peers +
             ": the server's buffers are full; try again later",
         out);
  }
  if (busy == 0) return;
  fail(connection, &sender, ErrorCode::rate_limited,
       "not delivered to " + std::to_string(busy) + " of " + of_peers +
           ": they have not yet acknowledged enough of what you sent them; slow down",
       out);
  Link& link = connections_.at(connection);
  if (link.limiter->refused(now_) == SenderLimiter::Verdict::disconnect) {
    abusers_.push_back(connection);
  }
}

bool SignallingHub::admit(ConnectionId from, PeerSession* session, std::string_view text,
                          Output& out) {
  Link& link = connections_.at(from);
  if (!link.limiter) {
    // Reconnecting does not refill the buckets: a new connection takes over what a closed one
    // from the same address had left.
    link.limiter = rate_memory_.take(link.owner, now_);
    if (!link.limiter) link.limiter.emplace(settings_.rate_limits, now_);
  }
  const SenderLimiter::Admission admission = link.limiter->admit(text.size(), now_);
  if (admission.verdict == SenderLimiter::Verdict::admit) return true;
  // The refused envelope still takes its seq, so what the client sends next is no gap; a
  // duplicate or a gap is answered as such instead.
  if (!session || accept_seq(from, *session, envelope::peek_seq(text), text.size(), now_, out)) {
    const RateLimits& limits = settings_.rate_limits;
    fail(
        from, session, ErrorCode::rate_limited,
        admission.limit == "bytes"
            ? "over " + std::to_string(limits.bytes_per_second) + " bytes a second: refused"
            : "over " + std::to_string(limits.messages_per_second) + " envelopes a second: refused",
        out, envelope::peek_request_id(text));
  }
  if (admission.verdict == SenderLimiter::Verdict::disconnect) abusers_.push_back(from);
  if (session) {
    if (session->inbox.ack_due()) send_ack(*session, out);
    reschedule(*session);
  }
  return false;
}

bool SignallingHub::admit_relay(PeerSession& sender, std::size_t bytes, Output& out) {
  const ConnectionId connection = *sender.connection;
  Link& link = connections_.at(connection);
  const SenderLimiter::Admission admission = link.limiter->admit_relay(bytes, now_);
  if (admission.verdict == SenderLimiter::Verdict::admit) return true;
  fail(connection, &sender, ErrorCode::rate_limited,
       "relaying " + std::to_string(bytes) + " bytes would exceed " +
           std::to_string(settings_.rate_limits.bytes_per_second) + " bytes a second: refused",
       out);
  if (admission.verdict == SenderLimiter::Verdict::disconnect) abusers_.push_back(connection);
  return false;
}

void SignallingHub::end_abusers(Output& out) {
  for (const ConnectionId connection : abusers_) {
    if (!connections_.contains(connection)) continue;  // listed twice, or ended otherwise
    out.deliver(connection,
                envelope::encode(envelope::ErrorReply{
                    ErrorCode::rate_limited, "over the rate limits for too long: disconnected"}));
    out.close(connection, kRateLimited);
    PeerSession* session = session_of(connection);
    drop_connection(connection);
    if (session) {
      session->connection.reset();
      end_session(*session, ErrorCode::rate_limited, out);
    }
  }
  abusers_.clear();
}

PeerSession* SignallingHub::room_peer(const PeerSession& sender, std::string_view peer) {
  if (sender.room.empty() || peer == sender.peer) return nullptr;
  const auto found = sessions_.find(std::string(peer));
  if (found == sessions_.end() || found->second.room != sender.room) return nullptr;
  return &found->second;
}

void SignallingHub::send(PeerSession& to, const envelope::ServerEnvelope& message, Output& out) {
  send_encoded(to, envelope::encode(message), out);
}

void SignallingHub::send_encoded(PeerSession& to, std::string_view encoded, Output& out,
                                 const std::string& from) {
  if (to.overflowed) return;  // ending: nothing more is kept for it
  std::string text = envelope::with_seq(encoded, to.outbox.last_seq() + 1);
  const std::size_t bytes = text.size();
  if (!to.buffer(text, from, now_)) {
    to.overflowed = true;
    overflowed_.push_back(to.peer);
    return;
  }
  budget_.add(bytes);
  if (!to.connection) return;
  out.deliver(*to.connection, envelope::with_ack(text, to.inbox.take_ack()));
  arm_resend(to);
  reschedule(to);
}

bool SignallingHub::afford_resend(const PeerSession& session) {
  return resend_budget_.try_take(static_cast<double>(session.outbox.bytes()), now_);
}

void SignallingHub::arm_resend(PeerSession& session) {
  if (session.resend_at || settings_.resend_after == Millis(0) ||
      session.resends_without_ack >= settings_.resend_tries) {
    return;
  }
  if (session.resend_after == Millis(0)) session.resend_after = settings_.resend_after;
  session.resend_at = now_ + session.resend_after;
}

void SignallingHub::resend_unacked(PeerSession& session, Output& out) {
  if (!session.connection) return;
  // In order, with the seq each was first sent with, and the current ack.
  const envelope::Seq ack = session.inbox.take_ack();
  for (const auto& entry : session.outbox.unacked()) {
    out.deliver(*session.connection, envelope::with_ack(entry.item.text, ack));
  }
}

void SignallingHub::broadcast(const std::string& room, const std::string& except,
                              const envelope::ServerEnvelope& message, Output& out) {
  const auto members = rooms_.find(room);
  if (members == rooms_.end()) return;
  const std::string encoded = envelope::encode(message);
  for (const std::string& member : members->second) {
    if (member != except) send_encoded(sessions_.at(member), encoded, out);
  }
}

void SignallingHub::fail(ConnectionId to, PeerSession* session, ErrorCode code, std::string message,
                         Output& out, envelope::RequestId request) {
  const envelope::ErrorReply reply{code, message, request};
  if (session) {
    send(*session, reply, out);
  } else {
    out.deliver(to, envelope::encode(reply));
  }
  out.refuse(remote_error(code, std::move(message)));
}

void SignallingHub::send_ack(PeerSession& session, Output& out) {
  const envelope::ServerEnvelope ack = envelope::Ack{session.inbox.take_ack()};
  out.deliver(*session.connection, envelope::encode(ack));
}

void SignallingHub::leave_room(PeerSession& session, Output& out) {
  if (session.room.empty()) return;
  const auto room = rooms_.find(session.room);
  std::erase(room->second, session.peer);
  broadcast(session.room, session.peer, envelope::PeerLeft{session.peer}, out);
  if (room->second.empty()) rooms_.erase(room);
  session.room.clear();
}

void SignallingHub::end_session(PeerSession& session, std::optional<ErrorCode> why, Output& out) {
  leave_room(session, out);
  budget_.release(session.outbox.bytes());
  if (session.scheduled) deadlines_.erase({*session.scheduled, session.peer});
  out.ended(session.peer, why);
  peer_by_session_.erase(session.id);
  if (const auto owned = sessions_by_owner_.find(session.owner); --owned->second == 0) {
    sessions_by_owner_.erase(owned);
  }
  if (session.limiter) rate_memory_.keep(session.owner, std::move(*session.limiter), now_);
  const std::string peer = session.peer;  // the key must outlive the element it is erased from
  sessions_.erase(peer);
}

void SignallingHub::drop_connection(ConnectionId connection) {
  const auto found = connections_.find(connection);
  if (found == connections_.end()) return;
  if (found->second.limiter) {
    rate_memory_.keep(found->second.owner, std::move(*found->second.limiter), now_);
  }
  connections_.erase(found);
}

bool SignallingHub::end_oldest_kept_session(const std::string& owner, Output& out) {
  PeerSession* oldest = nullptr;
  for (auto& [peer, session] : sessions_) {
    if (session.owner != owner || session.connection || !session.expires_at) continue;
    if (!oldest || *session.expires_at < *oldest->expires_at) oldest = &session;
  }
  if (!oldest) return false;
  end_session(*oldest, ErrorCode::session_expired, out);
  return true;
}

void SignallingHub::end_overflowed(Output& out) {
  // Ending a session tells its room, which may overflow further sessions: they are appended.
  for (std::size_t i = 0; i < overflowed_.size(); ++i) {
    // It may have ended already in the same input, e.g. by expiring in the same handle_timeout.
    const auto found = sessions_.find(overflowed_[i]);
    if (found == sessions_.end()) continue;
    PeerSession& session = found->second;
    if (session.connection) {
      out.deliver(*session.connection, envelope::encode(envelope::ErrorReply{
                                           ErrorCode::buffer_overflow,
                                           "over " + std::to_string(session.outbox.byte_cap()) +
                                               " bytes unacknowledged: the session ended"}));
      out.close(*session.connection, kBufferOverflow);
      drop_connection(*session.connection);
    }
    end_session(session, ErrorCode::buffer_overflow, out);
  }
  overflowed_.clear();
}

void SignallingHub::reschedule(PeerSession& session) {
  const std::optional<Millis> next = session.next_deadline();
  if (next == session.scheduled) return;
  if (session.scheduled) deadlines_.erase({*session.scheduled, session.peer});
  if (next) deadlines_.emplace(*next, session.peer);
  session.scheduled = next;
}

}  // namespace rtcwire::server
