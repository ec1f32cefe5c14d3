#include "rtcwire/session/client_session.hpp"

#include <utility>

namespace rtcwire {

const std::string& ClientSession::peer_id() const {
  static const std::string kNone;
  return identity_ ? identity_->peer : kNone;
}

std::optional<envelope::ResumeRequest> ClientSession::take_resume_request() {
  if (!identity_) return std::nullopt;
  return envelope::ResumeRequest{identity_->session, identity_->token, inbox_.take_ack()};
}

Result<envelope::Seq> ClientSession::queue(envelope::ClientEnvelope request,
                                           std::size_t encoded_bytes) {
  const auto seq = outbox_.push(std::move(request), encoded_bytes);
  if (!seq) {
    return local_error(ErrorCode::buffer_full,
                       std::to_string(outbox_.bytes()) + " bytes await the server's ack; " +
                           std::to_string(encoded_bytes) + " more would pass the cap of " +
                           std::to_string(outbox_.byte_cap()));
  }
  return *seq;
}

Status ClientSession::resume(const envelope::Welcome& welcome) {
  if (!identity_ || identity_->session != welcome.session || identity_->peer != welcome.peer) {
    return remote_error(ErrorCode::invalid_state,
                        "the server resumed a session this client did not ask for");
  }
  if (auto acked = outbox_.acknowledge(welcome.ack); !acked) return acked;
  identity_->token = welcome.token;  // the server may issue a new one on every welcome
  return ok();
}

std::optional<SessionLoss> ClientSession::start(const envelope::Welcome& welcome) {
  std::optional<Error> reason = std::move(ended_);
  if (identity_) {
    // We asked to resume and the server started over.
    reason = remote_error(welcome.resume_error.value_or(ErrorCode::session_expired),
                          "the server could not resume the session");
  }
  identity_ = Identity{welcome.peer, welcome.session, welcome.token};
  ended_.reset();
  inbox_.reset();
  membership_.reset();
  auto taken = outbox_.take_all();
  if (!reason) return std::nullopt;  // the first session: nothing was lost
  SessionLoss loss{std::move(*reason), {}};
  loss.undelivered.reserve(taken.size());
  for (auto& entry : taken) loss.undelivered.push_back(std::move(entry.item));
  return loss;
}

void ClientSession::end(Error reason) {
  identity_.reset();
  if (!ended_) ended_ = std::move(reason);  // the first cause is the one worth reporting
}

void ClientSession::clear() {
  identity_.reset();
  ended_.reset();
  inbox_.reset();
  membership_.reset();
  (void)outbox_.take_all();
}

}  // namespace rtcwire
