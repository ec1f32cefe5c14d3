// The client's half of an rtcwire session, kept across connections so a reconnect can resume it:
// who the server says we are (peer id, session id, resume token), the two reliable streams (what
// we sent and the server has not acknowledged; what we received), and the room we are in.
// docs/protocol.md §2.1 describes the protocol; the Client decides when each step happens.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/session/reliable_inbox.hpp"
#include "rtcwire/session/reliable_outbox.hpp"
#include "rtcwire/session/room_membership.hpp"

namespace rtcwire::session {

enum class SessionState {
  none,    // no session: never welcomed, or cleared by the app
  active,  // welcomed: the next connection asks to resume it
  ended,   // the server ended it (or broke it): the next welcome reports its loss
};

std::string_view to_string(SessionState state);

// A session that ended without being resumed: why, and the app's requests the server never
// acknowledged (they may or may not have been processed), oldest first.
struct SessionLoss {
  base::Error reason;
  std::vector<envelope::ClientEnvelope> undelivered;
};

class ClientSession {
 public:
  explicit ClientSession(std::size_t buffer_bytes) : outbox_(buffer_bytes) {}

  SessionState state() const { return state_; }
  // There is a session (or an ended one whose loss the app has not heard of yet): requests made
  // while the connection is down are queued for it.
  bool exists() const { return state_ != SessionState::none; }
  // An error reply with this code means the server dropped the session: resuming it is pointless.
  static bool ends_session(base::ErrorCode code);
  // This client's peer id in the session; empty when there is none.
  const std::string& peer_id() const;
  const RoomMembership& membership() const { return membership_; }
  RoomMembership& membership() { return membership_; }
  // Bytes of requests sent (or queued) and not acknowledged yet.
  std::size_t unacked_bytes() const { return outbox_.bytes(); }

  // What hello asks for on a new connection: to resume, when there is a session that can be.
  // The request acknowledges everything received, so no separate ack is pending afterwards.
  std::optional<envelope::ResumeRequest> take_resume_request();

  // Numbers and keeps a request until the server acknowledges it: its seq, or buffer_full.
  base::Result<envelope::Seq> queue(envelope::ClientEnvelope request, std::size_t encoded_bytes);
  envelope::Seq next_seq() const { return outbox_.last_seq() + 1; }
  // The requests to (re)send after a resume, oldest first.
  const auto& unacked() const { return outbox_.unacked(); }
  // A cumulative ack from the server; invalid_sequence when it acks what was never sent.
  base::Status acknowledge(envelope::Seq ack) { return outbox_.acknowledge(ack); }

  // The server's sequenced envelopes go through here first.
  ReliableInbox::Verdict receive(envelope::Seq seq, base::Millis now, std::size_t bytes = 0) {
    return inbox_.receive(seq, now, bytes);
  }
  bool ack_due() const { return inbox_.ack_due(); }
  std::optional<base::Millis> ack_deadline() const { return inbox_.ack_deadline(); }
  envelope::Seq take_ack() { return inbox_.take_ack(); }

  // The server's welcome. resumed: true: it must be resuming the session we asked for, and its
  // ack must not go past what we sent; otherwise nothing changes and the error says why.
  // resumed: false: a new session replaces the old one (room, streams and all); what the old one
  // could not deliver, if there was one.
  base::Result<std::optional<SessionLoss>> welcome(const envelope::Welcome& welcome);
  // The server ended the session (or broke it): the next connection starts a new one, whose
  // welcome reports `reason` and what is undelivered.
  void end(base::Error reason);
  // The app closed the client: nothing is kept or reported.
  void clear();

 private:
  struct Identity {
    std::string peer;
    std::string session;
    std::string token;
  };

  // The one place the state changes; an illegal move is an error and changes nothing.
  base::Status transition(SessionState next);
  base::Status resume(const envelope::Welcome& welcome);
  std::optional<SessionLoss> start(const envelope::Welcome& welcome);

  SessionState state_ = SessionState::none;
  Identity identity_;            // valid while active
  base::Error ended_because_{};  // valid while ended: the first cause is the one worth reporting
  ReliableOutbox<envelope::ClientEnvelope> outbox_;
  ReliableInbox inbox_;
  RoomMembership membership_;
};

}  // namespace rtcwire::session
