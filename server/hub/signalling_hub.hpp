// The rtcwire envelope v1 session logic of the server: sessions, rooms, presence, relay, and the
// reliable streams with resume (docs/protocol.md §2). Socket- and clock-free: the caller feeds it
// what each connection sent, the current time and its timer firing, and delivers what it returns,
// so the whole protocol is testable without a network or a real clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "buffer_budget.hpp"
#include "connection_auth.hpp"
#include "id_source.hpp"
#include "peer_session.hpp"
#include "rate_memory.hpp"
#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "sender_limits.hpp"
#include "token_bucket.hpp"
#include "turn_credentials.hpp"

namespace rtcwire::server {

using base::Error;
using base::ErrorCode;
using base::Millis;
using base::remote_error;
using base::Result;
using session::ReliableInbox;

struct HubSettings {
  std::size_t max_message_bytes = 65536;          // largest envelope accepted from a client
  Millis resume_window{120000};                   // how long a session outlives its connection
  std::size_t resume_buffer_bytes = 1024 * 1024;  // unacknowledged bytes kept per session
  // Live sessions (attached or kept for a resume) one owner may hold; 0: no limit. A resume is
  // always allowed, so clients behind one address can all resume after a network blip. A new
  // session over the limit ends the owner's oldest kept session instead, when it has one, so
  // ordinary drops never lock newcomers out.
  std::size_t max_sessions_per_owner = 0;
  RateLimits rate_limits;  // what each connection may send
  // Bytes buffered for clients across all sessions (resume buffers and the server's send queues,
  // which share the hub's budget) beyond which relayed messages are refused with server_busy.
  std::size_t max_buffered_bytes = 512 * 1024 * 1024;
  // A receiver whose buffer has no room for a relayed message is ended only once it has also
  // acknowledged nothing for this long: it stopped reading. Until then the sender is refused.
  Millis ack_timeout{10000};
  // Connection tokens (docs/server.md, "Tokens"); `tokens` is needed unless `auth` is off.
  AuthMode auth = AuthMode::off;
  std::shared_ptr<const TokenAuthority> tokens;
  // Unacknowledged envelopes go to an attached client again after this long without an ack
  // moving, then after twice as long each time up to 8 times this; 0 never resends (tests).
  Millis resend_after{1000};
  // Timer resends of an unacknowledged tail while no ack moves; after that the hub resends only
  // when an ack moves or the client asks for a replay, so a client that never acknowledges costs
  // a bounded amount (docs/server.md, "Resends").
  std::size_t resend_tries = 5;
  // Bytes a second that resends (timer resends and replay requests) may take over all sessions,
  // with as much again as a burst. A timer resend over it waits for its next turn; a replay
  // request over it is not answered (the client asks again).
  std::size_t resend_bytes_per_second = 32 * 1024 * 1024;
  // Mints the TURN credentials of welcome and of ice-servers answers; null: TURN is off.
  std::shared_ptr<const TurnCredentials> turn;
};

// One encoded server envelope for one connection.
struct Delivery {
  ConnectionId to = 0;
  std::string text;

  bool operator==(const Delivery&) const = default;
};

// A connection the server must close once what was delivered to it has been sent. The room hears
// nothing of it: the hub has already dealt with the session.
struct ConnectionClose {
  ConnectionId connection = 0;
  std::string reason;  // for the log: "taken over", "buffer overflow", "server shutting down"

  bool operator==(const ConnectionClose&) const = default;
};

// A session that ended and was forgotten (its room has been told), for the log.
struct SessionEnd {
  std::string peer;
  // session_expired, buffer_overflow, or invalid_sequence (a botched resume); empty when the
  // client closed it.
  std::optional<ErrorCode> why;

  bool operator==(const SessionEnd&) const = default;
};

// How a hello was answered, for the log.
struct Greeting {
  bool resumed = false;
  std::optional<ErrorCode> resume_error;

  bool operator==(const Greeting&) const = default;
};

// What one input produced. Deliveries are in sending order; closes apply after them.
struct HubOutput {
  std::vector<Delivery> deliveries;
  // Set when the input was refused; the matching error envelope is among the deliveries.
  std::optional<Error> rejection;
  std::vector<ConnectionClose> closes;
  std::vector<SessionEnd> ended;
  std::optional<Greeting> greeting;  // set when the input was a hello
};

class SignallingHub {
 public:
  SignallingHub(IdSource& ids, HubSettings settings);

  // A transport session opened from `owner` (the client's address_key(): an IPv6 client's /64);
  // it may now say hello.
  ConnectionId connect(std::string owner = {});
  // One Engine.IO text message from `from`. Unknown connections are ignored.
  HubOutput receive_text(ConnectionId from, std::string_view text, Millis now);
  // One Engine.IO binary message: never a valid envelope.
  HubOutput receive_binary(ConnectionId from);
  // The transport session closed: its session, if any, is kept for the resume window, still in
  // its room, buffering what is sent to it.
  void disconnect(ConnectionId connection, Millis now);
  // The client closed its Engine.IO session (a close packet): it is leaving, so its session ends
  // at once and the room hears peer-left now rather than after the resume window.
  HubOutput depart(ConnectionId connection);
  // The server is shutting down: every welcomed connection gets `goaway`, after everything already
  // delivered to it; connections that have not said hello are to be closed.
  HubOutput go_away(std::uint64_t reconnect_in_ms);

  // The earliest time handle_timeout() has work to do (an ack due, a session expiring).
  std::optional<Millis> poll_timeout() const;
  HubOutput handle_timeout(Millis now);

  std::size_t connection_count() const { return connections_.size(); }
  // Live sessions, attached or not.
  std::size_t session_count() const { return sessions_.size(); }
  // Live sessions, attached or not, started from connections of `owner`: a client that connects
  // and drops over and over leaves sessions behind for the resume window, so limits count them.
  std::size_t sessions_of(const std::string& owner) const;
  // Unacknowledged bytes kept for resumes, over all sessions (for the metrics).
  std::size_t buffered_bytes() const;
  // Empty until the connection's hello was welcomed.
  std::string_view peer_id(ConnectionId connection) const;
  std::string_view room_of(ConnectionId connection) const;
  // The budget of buffered bytes; the server charges its send queues to it too.
  BufferBudget& buffer_budget() { return budget_; }

 private:
  class Output;

  PeerSession* session_of(ConnectionId connection);
  const PeerSession* session_of(ConnectionId connection) const;

  // receive_text() for a known connection; the caller ends what overflowed.
  void handle_text(ConnectionId from, std::string_view text, Millis now, Output& out);
  void on_hello(ConnectionId from, const envelope::Hello& hello, Millis now, Output& out);
  // What hello's token admits under the --auth mode: a grant, none (no token needed), or why not.
  Result<std::optional<Authorization>> admit(const std::optional<std::string>& token) const;
  void start_session(ConnectionId from, std::optional<ErrorCode> resume_error,
                     const std::optional<Authorization>& admitted, Millis now, Output& out);
  void resume_session(ConnectionId from, PeerSession& session, envelope::Seq client_ack,
                      const std::optional<Authorization>& admitted, Millis now, Output& out);
  void on_refresh(PeerSession& session, const envelope::Refresh& refresh, Millis now, Output& out);
  // Fresh TURN credentials, at most once a second per session; answers and refusals unsequenced.
  void on_ice_servers(PeerSession& session, Millis now, Output& out);
  // Credentials for the session's welcome, when TURN is configured.
  std::optional<envelope::IceServersGrant> ice_servers_for(const PeerSession& session) const;
  // An error envelope without seq to an attached session: it only matters now, like its request.
  void refuse_now(PeerSession& session, ErrorCode code, std::string message, Output& out);
  // Ends an attached session whose token ran out: the client hears token_expired first.
  void expire_token(PeerSession& session, Output& out);
  void on_join(PeerSession& session, const envelope::Join& join, Output& out);
  void on_leave(PeerSession& session, Output& out);
  void on_publish(PeerSession& session, const envelope::Publish& publish, Output& out);
  void on_ack(PeerSession& session, const envelope::Ack& ack, Millis now, Output& out);
  // Takes `seq` (0: none) of an envelope of `bytes` into the session's inbox: true when the
  // envelope is to be processed; otherwise a duplicate was acknowledged or a gap refused.
  bool accept_seq(ConnectionId from, PeerSession& session, envelope::Seq seq, std::size_t bytes,
                  Millis now, Output& out);
  // Delivers every unacknowledged envelope again (after a replay request, a resume, or no ack).
  void resend_unacked(PeerSession& session, Output& out);
  // Takes the resend of the session's unacknowledged bytes from the global resend budget.
  bool afford_resend(const PeerSession& session);
  // A lost long-poll response leaves a tail that no later envelope reveals: without an ack in
  // time, everything unacknowledged goes again. Starts that clock unless it runs already or the
  // session used up its tries.
  void arm_resend(PeerSession& session);
  // Signal and direct: relayed only to a peer of the sender's own room.
  PeerSession* room_peer(const PeerSession& sender, std::string_view peer);
  void relay_to_peer(PeerSession& sender, PeerSession& target,
                     const envelope::ServerEnvelope& message, Output& out);

  // Numbers the envelope, keeps it for a resume and delivers it if the session is attached.
  void send(PeerSession& to, const envelope::ServerEnvelope& message, Output& out);
  // `from`: the sending peer of a relayed message, whose share of the receiver's buffer it uses.
  void send_encoded(PeerSession& to, std::string_view encoded, Output& out,
                    const std::string& from = {});
  // Encodes once for the whole room: a publish to a large room costs one JSON dump.
  void broadcast(const std::string& room, const std::string& except,
                 const envelope::ServerEnvelope& message, Output& out);

  // Whether a relayed envelope of `bytes` from `sender` may join `to`'s buffer (docs/server.md,
  // "Fairness").
  enum class RelayCheck { buffer, skip, receiver_busy, server_busy };
  RelayCheck check_relay(const PeerSession& sender, PeerSession& to, std::size_t bytes);
  // Tells the sender what was refused, and disconnects it if it keeps being refused.
  void refuse_relay(PeerSession& sender, std::size_t busy, std::size_t full, std::size_t of,
                    Output& out);
  // Charges the connection's rate limits; false when the envelope is refused (and answered).
  bool admit(ConnectionId from, PeerSession* session, std::string_view text, Output& out);
  // Charges the bytes of relaying to the sender's rate limit; false when refused (and answered).
  bool admit_relay(PeerSession& sender, std::size_t bytes, Output& out);
  // Ends the connections (and sessions) that kept exceeding their limits during the input.
  void end_abusers(Output& out);
  // Releases what `ack` covers from the buffer and the global budget; false (answered) if refused.
  bool acknowledge(PeerSession& session, envelope::Seq ack, Output& out);
  // An error envelope to the sender: sequenced in a session, unsequenced before hello; `request`
  // echoes the id of the request it refuses.
  void fail(ConnectionId to, PeerSession* session, ErrorCode code, std::string message, Output& out,
            envelope::RequestId request = 0);
  void send_ack(PeerSession& session, Output& out);

  // Removes the session from its room, telling the others; no reply to the session itself.
  void leave_room(PeerSession& session, Output& out);
  // Forgets the connection; what its rate limiter has left is kept for its address.
  void drop_connection(ConnectionId connection);
  // Leaves the room and forgets the session; its connection, if any, must be handled first.
  void end_session(PeerSession& session, std::optional<ErrorCode> why, Output& out);
  // Ends the session of `owner` kept for a resume the longest, if any (as session_expired).
  bool end_oldest_kept_session(const std::string& owner, Output& out);
  // Ends the sessions whose outbox overflowed during the input, and those their ending overflows.
  void end_overflowed(Output& out);
  // Files the session's next deadline in the timer index.
  void reschedule(PeerSession& session);

  IdSource& ids_;
  HubSettings settings_;
  ConnectionId next_connection_ = 1;
  struct Link {
    std::string peer;   // the peer id of the connection's session; empty until welcomed
    std::string owner;  // see connect()
    std::optional<SenderLimiter> limiter;  // from its first message, on the hub's clock
  };
  std::unordered_map<ConnectionId, Link> connections_;
  std::unordered_map<std::string, std::size_t> sessions_by_owner_;
  std::unordered_map<std::string, PeerSession> sessions_;         // by peer id
  std::unordered_map<std::string, std::string> peer_by_session_;  // session id -> peer id
  // Members (peer ids) in join order, so `joined.peers` lists the room oldest first.
  std::unordered_map<std::string, std::vector<std::string>> rooms_;
  // (deadline, peer id) of every session with one: the earliest is poll_timeout().
  std::set<std::pair<Millis, std::string>> deadlines_;
  std::vector<std::string> overflowed_;  // peer ids, ended at the end of the current input
  std::vector<ConnectionId> abusers_;    // ended at the end of the current input
  RateMemory rate_memory_;
  BufferBudget budget_;
  TokenBucket resend_budget_;  // bytes a second for resends, over all sessions
  // The time of the latest input that had one: inputs without (depart, go_away) use it.
  Millis now_{0};
};

}  // namespace rtcwire::server
