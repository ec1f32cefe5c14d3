// Real client cores against the real SignallingHub through an in-memory Engine.IO link, on
// simulated time. The link plays the platform of every client (WebSockets, EventSources, HTTP
// requests) and the Engine.IO layer of the server (handshake routing by the server's own
// route_engineio_request, sessions, held long polls, the websocket upgrade, the heartbeat), and
// injects faults from a seeded generator: latency with jitter (order kept per direction), lost and
// duplicated message packets, connection resets, lost long-poll responses, websocket outages (so
// clients switch transports) and server restarts. Time jumps to the next deadline of a client, the
// hub, a server session or a packet in flight. Model: quinn-proto's tests/util.rs Pair.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pair_browser.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::testing {

// Faults drawn at random for every packet or response; all zero is a perfect network.
struct FaultPlan {
  base::Millis latency{5};  // each way
  base::Millis jitter{0};   // up to this much more, never reordering one direction of a client
  // Faults on sequenced envelopes only: those are what the reliable streams recover (an
  // unsequenced one, such as a welcome, is at most once by design).
  double drop = 0;       // a server -> client sequenced envelope is lost
  double duplicate = 0;  // a sequenced envelope arrives twice, either way
  // A long-poll response is lost and the browser sends the same GET again (issue 8).
  double lose_poll_response = 0;
};

class Pair {
 public:
  static constexpr int64_t kPingInterval = 25000;
  static constexpr int64_t kPingTimeout = 20000;

  explicit Pair(uint64_t seed, server::HubSettings settings = {});
  ~Pair();
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  // A config pointing at this link, with the given ladder and a seed derived from the pair's;
  // peers do not connect by themselves (peers.auto_connect off).
  client::ClientConfig client_config(std::vector<engineio::TransportKind> transports);
  // Adds a client (not connected yet); returns its index.
  std::size_t add_client(client::ClientConfig config);
  std::size_t client_count() const { return clients_.size(); }

  client::Client& client(std::size_t index) { return *clients_.at(index).client; }
  // Its browser: the RTCPeerConnections its peer actions run on.
  PairBrowser& browser(std::size_t index) { return *clients_.at(index).browser; }
  // What the client emitted, oldest first, with when.
  const std::vector<client::ClientEvent>& events(std::size_t index) const {
    return clients_.at(index).events;
  }
  const std::vector<base::Millis>& event_times(std::size_t index) const {
    return clients_.at(index).event_times;
  }
  void clear_events(std::size_t index);
  // The highest client seq the client was told its current session acknowledged.
  envelope::Seq acked_seen(std::size_t index) const { return clients_.at(index).acked; }

  base::Millis now() const { return now_; }
  server::SignallingHub& hub() { return *hub_; }
  std::mt19937_64& random() { return random_; }

  FaultPlan faults;

  // Runs an app command on a client now and carries out what it asked for.
  template <class Command>
  void act(std::size_t index, Command command) {
    command(client(index), now_);
    after_input(index);
  }

  // Handles every deadline and delivery up to `until`, then sets the clock to it.
  void run_until(base::Millis until);
  // Runs until `done()` holds (checked after every step) or `limit` passes; true when it held.
  bool run_until(const std::function<bool()>& done, base::Millis limit);

  // Faults on demand.
  // The client's network drops: its connections die at both ends, its requests fail, and
  // whatever was in flight to or from it is lost.
  void reset(std::size_t index);
  // The next long-poll response carrying a message to this client is lost (the GET is repeated).
  void lose_next_poll_response(std::size_t index);
  // The client's network goes silent for `duration`: nothing sent to or from it arrives, and no
  // side is told (heartbeats find out); at the end its connections are found dead, as reset().
  void blackhole(std::size_t index, base::Millis duration);
  // Soon after the client next sends something upstream containing `text`, its network resets,
  // always before an answer could be back: the message, or only its answer, is lost.
  void reset_after_sending(std::size_t index, std::string text);
  // While blocked, every WebSocket fails to open (a network that blocks them).
  void block_websockets(bool blocked) { websockets_blocked_ = blocked; }
  // The server process restarts: a fresh hub, every Engine.IO session and connection gone,
  // everything in flight to and from the server lost.
  void restart_server();

  int responses_lost() const { return responses_lost_; }
  int resets() const { return resets_; }
  // Sessions that moved from polling or SSE to a websocket.
  int upgrades() const { return upgrades_; }
  // The last lines of what crossed the link, for a failure message.
  std::string trace() const;

 private:
  struct ClientSlot {
    std::unique_ptr<client::Client> client;
    std::unique_ptr<PairBrowser> browser;
    std::vector<client::ClientEvent> events;
    std::vector<base::Millis> event_times;
    uint64_t epoch = 0;  // bumped by reset(): what was in flight is lost
    // Unanswered requests by (generation, id): whether each carries the close packet.
    std::map<std::pair<uint32_t, uint32_t>, bool> pending;
    std::map<uint32_t, engineio::TransportKind>
        sockets;  // open WebSockets / EventSources by generation
    envelope::Seq acked = 0;
    bool lose_next_poll_response = false;
    base::Millis silent_until{0};            // blackhole(): nothing arrives before then
    std::optional<std::string> reset_after;  // reset_after_sending()
    base::Millis
        last_arrival[2]{};  // per direction (to server, to client): keeps order under jitter
  };
  struct Session;
  struct Flight {
    std::size_t client = 0;
    uint64_t client_epoch = 0;
    uint64_t server_epoch = 0;
    std::function<void()> deliver;
    bool local = false;  // inside the client's machine: no network fault loses it
  };
  enum Direction { to_server = 0, to_client = 1 };

  void step();
  std::optional<base::Millis> next_deadline() const;
  void after_input(std::size_t index);
  // An upstream message left the client: a reset_after_sending() that matches goes off.
  void sent_upstream(std::size_t index, std::string_view text);
  void at(base::Millis when, std::size_t index, std::function<void()> run);
  // After the latency (and jitter). `ordered`: behind everything sent earlier the same way, as on
  // one connection; otherwise on a connection of its own, which may overtake the others.
  void send(std::size_t index, Direction direction, std::function<void()> deliver,
            bool ordered = true);
  // The browser's peer events for one connection, in order.
  void schedule_peer_events(std::size_t index, uint32_t pc, base::Millis delay,
                            std::function<std::vector<peer::PeerEvent>()> produce);
  bool chance(double probability);
  void note(std::string line);

  // Client side.
  // A text frame or SSE event to the client; `packets` are what it carries, for acked_seen().
  void deliver_text(std::size_t index, uint32_t generation, std::string text,
                    std::vector<engineio::Packet> packets = {});
  void fail_socket(std::size_t index, uint32_t generation);
  void respond(std::size_t index, const engineio::HttpRequest& request, int status,
               std::string body);
  void observe_downstream(std::size_t index, const std::vector<engineio::Packet>& packets);

  // Server side.
  void on_open(std::size_t index, const engineio::OpenTransport& open);
  void on_frame(std::size_t index, uint32_t generation, const std::string& frame);
  void on_socket_closed(std::size_t index, uint32_t generation);
  void on_request(std::size_t index, const engineio::HttpRequest& request);
  void on_packet(Session& session, const engineio::Packet& packet);
  void on_probe_packet(Session& session, const engineio::Packet& packet);
  Session& open_session(std::size_t index, engineio::TransportKind kind, uint32_t generation);
  void queue(Session& session, engineio::Packet packet);
  void flush(Session& session);
  void server_send(Session& session, std::vector<engineio::Packet> packets);
  // The server ends the session: `tell` sends a close packet first (its own decision).
  void close_session(const std::string& sid, bool tell, bool client_left);
  void dispatch(const server::HubOutput& output);
  Session* session_of(const std::string& sid);
  Session* session_on(std::size_t index, uint32_t generation);

  class Ids;

  uint64_t seed_;
  server::HubSettings settings_;
  std::unique_ptr<Ids> ids_;
  std::unique_ptr<server::SignallingHub> hub_;
  uint64_t server_epoch_ = 0;
  base::Millis now_{1000};
  std::mt19937_64 random_;
  std::vector<ClientSlot> clients_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
  // The WebSockets and EventSources the server holds, by (client, generation): the sid each one
  // carries or probes.
  std::map<std::pair<std::size_t, uint32_t>, std::string> server_sockets_;
  int next_sid_ = 0;
  std::map<std::pair<base::Millis, uint64_t>, Flight> in_flight_;
  uint64_t next_flight_ = 0;
  std::map<std::pair<std::size_t, uint32_t>, base::Millis> last_peer_event_;
  bool websockets_blocked_ = false;
  int responses_lost_ = 0;
  int resets_ = 0;
  int upgrades_ = 0;
  std::deque<std::string> trace_;
};

}  // namespace rtcwire::testing
