#include "rtcwire/session/client_session.hpp"

#include <utility>

namespace rtcwire::session {

std::string_view to_string(SessionState state) {
  switch (state) {
    case SessionState::none:
      return "none";
    case SessionState::active:
      return "active";
    case SessionState::ended:
      return "ended";
  }
  return "none";
}

bool ClientSession::ends_session(base::ErrorCode code) {
  return code == base::ErrorCode::buffer_overflow || code == base::ErrorCode::token_expired;
}

base::Status ClientSession::transition(SessionState next) {
  using S = SessionState;
  // active -> active is a resumed session or a new one replacing it; none is always reachable;
  // an ended session stays ended with its first cause.
  const bool legal =
      next == S::none || next == S::active || (next == S::ended && state_ != S::ended);
  if (!legal) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "session cannot go from " + std::string(to_string(state_)) + " to " +
                                 std::string(to_string(next)));
  }
  state_ = next;
  return base::ok();
}

const std::string& ClientSession::peer_id() const {
  static const std::string kNone;
  return state_ == SessionState::active ? identity_.peer : kNone;
}

std::optional<envelope::ResumeRequest> ClientSession::take_resume_request() {
  if (state_ != SessionState::active) return std::nullopt;
  return envelope::ResumeRequest{identity_.session, identity_.token, inbox_.take_ack()};
}

base::Result<envelope::Seq> ClientSession::queue(envelope::ClientEnvelope request,
                                                 std::size_t encoded_bytes) {
  const auto seq = outbox_.push(std::move(request), encoded_bytes);
  if (!seq) {
    return base::local_error(base::ErrorCode::buffer_full,
                             std::to_string(outbox_.bytes()) + " bytes await the server's ack; " +
                                 std::to_string(encoded_bytes) + " more would pass the cap of " +
                                 std::to_string(outbox_.byte_cap()));
  }
  return *seq;
}

base::Result<std::optional<SessionLoss>> ClientSession::welcome(const envelope::Welcome& welcome) {
  if (!welcome.resumed) return start(welcome);
  if (auto resumed = resume(welcome); !resumed) return resumed.error();
  return std::optional<SessionLoss>{};
}

base::Status ClientSession::resume(const envelope::Welcome& welcome) {
  if (state_ != SessionState::active || identity_.session != welcome.session ||
      identity_.peer != welcome.peer) {
    return base::remote_error(base::ErrorCode::invalid_state,
                              "the server resumed a session this client did not ask for");
  }
  if (auto acked = outbox_.acknowledge(welcome.ack); !acked) return acked;
  identity_.token = welcome.token;  // the server may issue a new one on every welcome
  return transition(SessionState::active);
}

std::optional<SessionLoss> ClientSession::start(const envelope::Welcome& welcome) {
  std::optional<base::Error> reason;
  if (state_ == SessionState::ended) reason = ended_because_;
  if (state_ == SessionState::active) {
    // We asked to resume and the server started over.
    reason = base::remote_error(welcome.resume_error.value_or(base::ErrorCode::session_expired),
                                "the server could not resume the session");
  }
  (void)transition(SessionState::active);  // legal from every state
  identity_ = Identity{welcome.peer, welcome.session, welcome.token};
  inbox_.reset();
  membership_.reset();
  auto taken = outbox_.take_all();
  if (!reason) return std::nullopt;  // the first session: nothing was lost
  SessionLoss loss{std::move(*reason), {}};
  loss.undelivered.reserve(taken.size());
  for (auto& entry : taken) loss.undelivered.push_back(std::move(entry.item));
  return loss;
}

void ClientSession::end(base::Error reason) {
  // Ending an ended (or absent) session keeps the first cause.
  if (transition(SessionState::ended)) ended_because_ = std::move(reason);
}

void ClientSession::clear() {
  (void)transition(SessionState::none);  // legal from every state
  inbox_.reset();
  membership_.reset();
  (void)outbox_.take_all();
}

}  // namespace rtcwire::session
