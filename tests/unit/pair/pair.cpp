#include "pair.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "engineio_handshake.hpp"

namespace rtcwire::testing {

using base::Millis;
using engineio::Packet;
using engineio::PacketType;
using engineio::TransportKind;

namespace {

// RTCWIRE_PAIR_TRACE_LINES keeps more, for replaying a seed.
std::size_t trace_lines() {
  const char* lines = std::getenv("RTCWIRE_PAIR_TRACE_LINES");
  return lines ? std::stoul(lines) : 80;
}
constexpr std::size_t kTraceWidth = 150;
// Steps at one instant beyond which something re-arms a deadline that is already due.
constexpr int kMaxStepsAtOneInstant = 10000;

std::string query_of(const std::string& url) {
  const auto question = url.find('?');
  return question == std::string::npos ? std::string() : url.substr(question + 1);
}

// Message packets that carry a sequenced envelope: the ones faults may drop or duplicate.
bool is_sequenced(const Packet& packet) {
  return packet.type == PacketType::message && envelope::peek_seq(packet.data) > 0;
}

// Pings and pongs, left out of the trace so that it shows what led to a failure.
bool is_heartbeat(std::string_view text) { return text == "2" || text == "3" || text == "\"2\""; }

std::string describe(const client::ClientEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        namespace ev = client::client_event;
        if constexpr (std::is_same_v<T, ev::StateChanged>) {
          return "state " + std::string(to_string(e.state)) + (e.resumed ? " resumed" : "") +
                 (e.error ? " (" + e.error->message + ")" : "");
        } else if constexpr (std::is_same_v<T, ev::MessageReceived>) {
          return "message from " + e.from + " " + e.data.dump();
        } else if constexpr (std::is_same_v<T, ev::SignalReceived>) {
          return "signal from " + e.from + " " + e.data.dump();
        } else if constexpr (std::is_same_v<T, ev::TransportChanged>) {
          return "transport " + std::string(to_string(e.kind));
        } else if constexpr (std::is_same_v<T, ev::Resync>) {
          return "resync " + std::to_string(e.undelivered.size()) + " undelivered";
        } else if constexpr (std::is_same_v<T, ev::ErrorRaised>) {
          return "error " + e.error.message;
        } else if constexpr (std::is_same_v<T, peer::PeerNotice>) {
          if (const auto* state = std::get_if<peer::notice::PeerStateChanged>(&e)) {
            return "peer " + state->peer + " " + std::string(to_string(state->state));
          }
          if (const auto* error = std::get_if<peer::notice::PeerError>(&e)) {
            return "peer " + error->peer + " error " + error->error.message;
          }
          return "peer notice";
        } else {
          return "event";
        }
      },
      event);
}

}  // namespace

// Ids that differ between lives of the server, so a restarted hub never honours an old token.
class Pair::Ids final : public server::IdSource {
 public:
  explicit Ids(int life) : prefix_("life" + std::to_string(life) + "-") {}
  std::string peer_id() override { return prefix_ + "peer" + std::to_string(++peers_); }
  std::string session_id() override { return prefix_ + "session" + std::to_string(++sessions_); }
  std::string token() override { return prefix_ + "token" + std::to_string(++tokens_); }

 private:
  std::string prefix_;
  int peers_ = 0;
  int sessions_ = 0;
  int tokens_ = 0;
};

// One Engine.IO session as the server holds it.
struct Pair::Session {
  std::string sid;
  std::size_t client = 0;
  server::ConnectionId connection = 0;
  TransportKind kind = TransportKind::polling;
  uint32_t generation = 0;  // of the client transport carrying it
  std::optional<engineio::HttpRequest> waiting_get;
  std::vector<Packet> queue;
  bool paused = false;             // an upgrade probe answered: nothing more on the old transport
  std::optional<uint32_t> probe;   // the websocket probing to take over
  std::optional<Millis> ping_at;   // the next heartbeat ping
  std::optional<Millis> pong_due;  // a ping is unanswered until then
};

Pair::Pair(uint64_t seed, server::HubSettings settings)
    : seed_(seed),
      settings_(settings),
      ids_(std::make_unique<Ids>(0)),
      hub_(std::make_unique<server::SignallingHub>(*ids_, settings_)),
      random_(seed) {}

Pair::~Pair() = default;

client::ClientConfig Pair::client_config(std::vector<TransportKind> transports) {
  client::ClientConfig config;
  config.url = "http://127.0.0.1:9";
  config.sdk = "pair";
  config.transports = std::move(transports);
  config.random_seed = seed_ * 1000 + clients_.size() + 1;
  // The signalling properties count every request a client makes; peer tests turn it on.
  config.peers.auto_connect = false;
  return config;
}

std::size_t Pair::add_client(client::ClientConfig config) {
  const std::size_t index = clients_.size();
  clients_.push_back(ClientSlot{});
  clients_.back().client = std::make_unique<client::Client>(std::move(config));
  clients_.back().browser = std::make_unique<PairBrowser>(
      "c" + std::to_string(index), random_,
      [this, index](uint32_t pc, Millis delay,
                    std::function<std::vector<peer::PeerEvent>()> produce) {
        schedule_peer_events(index, pc, delay, std::move(produce));
      });
  return index;
}

void Pair::schedule_peer_events(std::size_t index, uint32_t pc, Millis delay,
                                std::function<std::vector<peer::PeerEvent>()> produce) {
  Millis& last = last_peer_event_[{index, pc}];
  const Millis at = std::max(now_ + delay, last);
  last = at;
  in_flight_.emplace(std::make_pair(at, next_flight_++),
                     Flight{index, 0, 0,
                            [this, index, produce = std::move(produce)] {
                              for (const peer::PeerEvent& event : produce()) {
                                clients_[index].client->handle_peer_event(event, now_);
                                after_input(index);
                              }
                            },
                            true});
}

void Pair::clear_events(std::size_t index) {
  clients_.at(index).events.clear();
  clients_.at(index).event_times.clear();
}

void Pair::note(std::string line) {
  line = "t=" + std::to_string(now_.count()) + " " + line;
  if (line.size() > kTraceWidth) line = line.substr(0, kTraceWidth) + "...";
  trace_.push_back(std::move(line));
  if (trace_.size() > trace_lines()) trace_.pop_front();
}

std::string Pair::trace() const {
  std::string text;
  for (const auto& line : trace_) text += "  " + line + "\n";
  return text;
}

bool Pair::chance(double probability) {
  return probability > 0 && std::uniform_real_distribution<>(0, 1)(random_) < probability;
}

// ---- time ----

std::optional<Millis> Pair::next_deadline() const {
  std::optional<Millis> next;
  const auto consider = [&](std::optional<Millis> deadline) {
    if (deadline && (!next || *deadline < *next)) next = deadline;
  };
  for (const ClientSlot& slot : clients_) consider(slot.client->poll_timeout());
  consider(hub_->poll_timeout());
  for (const auto& [sid, session] : sessions_) {
    consider(session->ping_at);
    consider(session->pong_due);
  }
  if (!in_flight_.empty()) consider(in_flight_.begin()->first.first);
  return next;
}

void Pair::step() {
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const auto deadline = clients_[i].client->poll_timeout();
    if (deadline && *deadline <= now_) {
      clients_[i].client->handle_timeout(now_);
      after_input(i);
    }
  }
  if (const auto deadline = hub_->poll_timeout(); deadline && *deadline <= now_) {
    dispatch(hub_->handle_timeout(now_));
  }
  std::vector<std::string> sids;
  for (const auto& [sid, session] : sessions_) sids.push_back(sid);
  for (const std::string& sid : sids) {
    Session* session = session_of(sid);
    if (session && session->pong_due && *session->pong_due <= now_) {
      note(sid + " ping timeout");
      close_session(sid, false, false);
    } else if (session && session->ping_at && *session->ping_at <= now_) {
      session->ping_at.reset();
      session->pong_due = now_ + Millis(kPingTimeout);
      queue(*session, Packet{PacketType::ping, {}, false});
    }
  }
  while (!in_flight_.empty() && in_flight_.begin()->first.first <= now_) {
    Flight flight = std::move(in_flight_.begin()->second);
    in_flight_.erase(in_flight_.begin());
    const ClientSlot& slot = clients_[flight.client];
    if (flight.local || (flight.client_epoch == slot.epoch &&
                         flight.server_epoch == server_epoch_ && slot.silent_until <= now_)) {
      flight.deliver();
    }
  }
}

void Pair::run_until(Millis until) {
  (void)run_until([] { return false; }, until);
  now_ = std::max(now_, until);
}

bool Pair::run_until(const std::function<bool()>& done, Millis limit) {
  int steps_at_instant = 0;
  while (!done()) {
    const auto next = next_deadline();
    if (!next || *next > limit) {
      now_ = std::max(now_, limit);
      return done();
    }
    steps_at_instant = *next > now_ ? 0 : steps_at_instant + 1;
    if (steps_at_instant > kMaxStepsAtOneInstant) {
      ADD_FAILURE() << "a deadline stays due at t=" << now_.count() << "\n" << trace();
      return false;
    }
    now_ = std::max(now_, *next);
    step();
  }
  return true;
}

void Pair::send(std::size_t index, Direction direction, std::function<void()> deliver,
                bool ordered) {
  Millis at = now_ + faults.latency;
  if (faults.jitter > Millis(0)) {
    at += Millis(std::uniform_int_distribution<int64_t>(0, faults.jitter.count())(random_));
  }
  ClientSlot& slot = clients_[index];
  if (slot.silent_until > now_) return;
  if (ordered) {
    at = std::max(at, slot.last_arrival[direction]);
    slot.last_arrival[direction] = at;
  } else {
    at += Millis(std::uniform_int_distribution<int64_t>(0, faults.latency.count())(random_));
  }
  in_flight_.emplace(std::make_pair(at, next_flight_++),
                     Flight{index, slot.epoch, server_epoch_, std::move(deliver)});
}

// ---- the platform of each client ----

void Pair::after_input(std::size_t index) {
  ClientSlot& slot = clients_[index];
  const std::string who = "c" + std::to_string(index) + " ";
  while (auto action = slot.client->poll_action()) {
    if (auto* open = std::get_if<engineio::OpenTransport>(&*action)) {
      note(who + "open " + std::string(to_string(open->kind)) + " g" +
           std::to_string(open->generation));
      if (open->kind == TransportKind::websocket && websockets_blocked_) {
        send(index, to_client, [this, index, generation = open->generation] {
          clients_[index].client->handle_transport_error(generation, "blocked", now_);
          clients_[index].client->handle_transport_closed(generation, now_);
          after_input(index);
        });
        continue;
      }
      slot.sockets.emplace(open->generation, open->kind);
      send(index, to_server, [this, index, open = *open] { on_open(index, open); });
    } else if (auto* frame = std::get_if<engineio::SendFrame>(&*action)) {
      if (!slot.sockets.contains(frame->generation)) continue;
      if (!is_heartbeat(frame->text)) note(who + "ws> " + frame->text);
      sent_upstream(index, frame->text);
      const auto packet = engineio::decode_text_frame(frame->text);
      const int copies = packet && is_sequenced(packet.value()) && chance(faults.duplicate) ? 2 : 1;
      for (int copy = 0; copy < copies; ++copy) {
        send(index, to_server,
             [this, index, frame = *frame] { on_frame(index, frame.generation, frame.text); });
      }
    } else if (auto* request = std::get_if<engineio::HttpRequest>(&*action)) {
      if (!is_heartbeat(request->body) && request->method == engineio::HttpMethod::post) {
        note(who + "POST " + query_of(request->url) + " " + request->body);
      }
      slot.pending[{request->generation, request->id}] = request->parting;
      sent_upstream(index, request->body);
      send(index, to_server, [this, index, request = *request] { on_request(index, request); });
    } else if (auto* close = std::get_if<engineio::CloseTransport>(&*action)) {
      note(who + "close g" + std::to_string(close->generation));
      std::erase_if(slot.pending, [&](const auto& entry) {
        return entry.first.first == close->generation && !entry.second;
      });
      if (const auto socket = slot.sockets.find(close->generation); socket != slot.sockets.end()) {
        // An EventSource closes its own connection, which may overtake what goes upstream on
        // the others (say, the upgrade packet on the websocket that replaces it).
        const bool own_connection = socket->second == TransportKind::sse;
        slot.sockets.erase(socket);
        send(
            index, to_server,
            [this, index, generation = close->generation] { on_socket_closed(index, generation); },
            !own_connection);
      } else {
        // Aborted long polls: the server stops holding them.
        send(index, to_server, [this, index, generation = close->generation] {
          for (auto& [sid, session] : sessions_) {
            if (session->client == index && session->waiting_get &&
                session->waiting_get->generation == generation) {
              session->waiting_get.reset();
            }
          }
        });
      }
    }
  }
  while (auto action = slot.client->poll_peer_action()) slot.browser->run(*action);
  while (auto event = slot.client->poll_event()) {
    note(who + describe(*event));
    slot.events.push_back(std::move(*event));
    slot.event_times.push_back(now_);
  }
}

void Pair::observe_downstream(std::size_t index, const std::vector<Packet>& packets) {
  envelope::Seq& acked = clients_[index].acked;
  for (const Packet& packet : packets) {
    if (packet.type != PacketType::message) continue;
    auto decoded = envelope::decode_server(packet.data);
    if (!decoded) continue;
    if (const auto* welcome = std::get_if<envelope::Welcome>(&decoded.value().envelope)) {
      acked = welcome->resumed ? std::max(acked, welcome->ack) : 0;
    } else if (const auto* ack = std::get_if<envelope::Ack>(&decoded.value().envelope)) {
      acked = std::max(acked, ack->seq);
    }
    acked = std::max(acked, decoded.value().ack);
  }
}

void Pair::deliver_text(std::size_t index, uint32_t generation, std::string text,
                        std::vector<Packet> packets) {
  send(index, to_client,
       [this, index, generation, text = std::move(text), packets = std::move(packets)] {
         ClientSlot& slot = clients_[index];
         if (!slot.sockets.contains(generation)) return;
         if (!is_heartbeat(text)) note("c" + std::to_string(index) + " <ws " + text);
         observe_downstream(index, packets);
         slot.client->handle_transport_text(generation, text, now_);
         after_input(index);
       });
}

void Pair::fail_socket(std::size_t index, uint32_t generation) {
  ClientSlot& slot = clients_[index];
  if (!slot.sockets.erase(generation)) return;
  slot.client->handle_transport_error(generation, "connection lost", now_);
  slot.client->handle_transport_closed(generation, now_);
  after_input(index);
}

void Pair::respond(std::size_t index, const engineio::HttpRequest& request, int status,
                   std::string body) {
  send(index, to_client, [this, index, request, status, body = std::move(body)] {
    ClientSlot& slot = clients_[index];
    if (!slot.pending.erase({request.generation, request.id})) return;
    if (!is_heartbeat(body) && body != "ok") {
      note("c" + std::to_string(index) + " <" + std::to_string(status) + " " + body);
    }
    if (status == 200 && request.method == engineio::HttpMethod::get) {
      if (auto packets = engineio::decode_payload(body)) observe_downstream(index, packets.value());
    }
    slot.client->handle_http_response(request.generation, request.id, status, body, now_);
    after_input(index);
  });
}

void Pair::sent_upstream(std::size_t index, std::string_view text) {
  ClientSlot& slot = clients_[index];
  if (!slot.reset_after || text.find(*slot.reset_after) == std::string_view::npos) return;
  slot.reset_after.reset();
  // Before the quickest answer could be back: the request is lost, or only its answer.
  const int64_t round_trip = 2 * faults.latency.count();
  at(now_ + Millis(std::uniform_int_distribution<int64_t>(0, round_trip - 1)(random_)), index,
     [this, index] { reset(index); });
}

void Pair::at(Millis when, std::size_t index, std::function<void()> run) {
  in_flight_.emplace(std::make_pair(when, next_flight_++),
                     Flight{index, 0, 0, std::move(run), true});
}

// ---- faults on demand ----

void Pair::blackhole(std::size_t index, Millis duration) {
  note("c" + std::to_string(index) + " BLACKHOLE " + std::to_string(duration.count()) + " ms");
  clients_.at(index).silent_until = now_ + duration;
  at(now_ + duration, index, [this, index] { reset(index); });
}

void Pair::reset_after_sending(std::size_t index, std::string text) {
  clients_.at(index).reset_after = std::move(text);
}

void Pair::reset(std::size_t index) {
  ClientSlot& slot = clients_.at(index);
  note("c" + std::to_string(index) + " RESET");
  ++resets_;
  ++slot.epoch;
  // The server sees its connections to this client die; a held long poll dies with its request.
  std::vector<std::string> lost;
  for (const auto& [sid, session] : sessions_) {
    if (session->client != index) continue;
    const bool on_socket = session->kind != TransportKind::polling;
    if ((on_socket && slot.sockets.contains(session->generation)) || session->waiting_get) {
      lost.push_back(sid);
    } else if (session->probe) {
      server_sockets_.erase({index, *session->probe});
      session->probe.reset();
      session->paused = false;
    }
  }
  for (const std::string& sid : lost) close_session(sid, false, false);
  std::erase_if(server_sockets_, [&](const auto& entry) { return entry.first.first == index; });
  // The client sees its sockets close and its requests fail.
  const auto sockets = std::exchange(slot.sockets, {});
  const auto pending = std::exchange(slot.pending, {});
  for (const auto& [generation, kind] : sockets) {
    slot.client->handle_transport_error(generation, "connection reset", now_);
    slot.client->handle_transport_closed(generation, now_);
  }
  for (const auto& [request, parting] : pending) {
    slot.client->handle_http_response(request.first, request.second, 0, "", now_);
  }
  after_input(index);
}

void Pair::lose_next_poll_response(std::size_t index) {
  clients_.at(index).lose_next_poll_response = true;
}

void Pair::restart_server() {
  note("SERVER RESTART");
  ++server_epoch_;
  sessions_.clear();
  server_sockets_.clear();
  hub_.reset();
  ids_ = std::make_unique<Ids>(static_cast<int>(server_epoch_));
  hub_ = std::make_unique<server::SignallingHub>(*ids_, settings_);
  for (std::size_t index = 0; index < clients_.size(); ++index) {
    ClientSlot& slot = clients_[index];
    const auto sockets = std::exchange(slot.sockets, {});
    const auto pending = std::exchange(slot.pending, {});
    for (const auto& [generation, kind] : sockets) {
      slot.client->handle_transport_error(generation, "server gone", now_);
      slot.client->handle_transport_closed(generation, now_);
    }
    for (const auto& [request, parting] : pending) {
      slot.client->handle_http_response(request.first, request.second, 0, "", now_);
    }
    after_input(index);
  }
}

// ---- the server's Engine.IO layer ----

Pair::Session* Pair::session_of(const std::string& sid) {
  const auto found = sessions_.find(sid);
  return found == sessions_.end() ? nullptr : found->second.get();
}

Pair::Session* Pair::session_on(std::size_t index, uint32_t generation) {
  const auto socket = server_sockets_.find({index, generation});
  return socket == server_sockets_.end() ? nullptr : session_of(socket->second);
}

Pair::Session& Pair::open_session(std::size_t index, TransportKind kind, uint32_t generation) {
  auto session = std::make_unique<Session>();
  session->sid = "eio" + std::to_string(++next_sid_);
  session->client = index;
  session->connection = hub_->connect();
  session->kind = kind;
  session->generation = generation;
  session->ping_at = now_ + Millis(kPingInterval);
  Session& opened = *session;
  sessions_[opened.sid] = std::move(session);
  return opened;
}

void Pair::on_open(std::size_t index, const engineio::OpenTransport& open) {
  const auto route = server::route_engineio_request(
      {server::RequestMethod::get, open.kind == TransportKind::websocket, query_of(open.url)},
      server::TransportSet::all(), [this](std::string_view sid) {
        const Session* session = session_of(std::string(sid));
        return session ? std::optional<server::SessionView>(
                             server::SessionView{session->kind, session->probe.has_value()})
                       : std::nullopt;
      });
  const uint32_t generation = open.generation;
  const auto* accepted = std::get_if<server::EngineIoRoute>(&route);
  if (!accepted || accepted->action == server::EngineIoAction::poll ||
      accepted->action == server::EngineIoAction::post) {
    send(index, to_client, [this, index, generation] { fail_socket(index, generation); });
    return;
  }
  send(index, to_client, [this, index, generation] {
    if (!clients_[index].sockets.contains(generation)) return;
    clients_[index].client->handle_transport_open(generation, now_);
    after_input(index);
  });
  switch (accepted->action) {
    case server::EngineIoAction::open: {
      Session& session = open_session(index, open.kind, generation);
      server_sockets_[{index, generation}] = session.sid;
      std::vector<std::string> upgrades;
      if (open.kind != TransportKind::websocket) upgrades.emplace_back("websocket");
      queue(session, Packet{PacketType::open,
                            engineio::encode_open_info(
                                {session.sid, upgrades, kPingInterval, kPingTimeout, 1000000}),
                            false});
      return;
    }
    case server::EngineIoAction::upgrade:
      server_sockets_[{index, generation}] = accepted->sid;
      session_of(accepted->sid)->probe = generation;
      return;
    default:  // refuse_upgrade: accepted, then closed, as the stock server does
      send(index, to_client, [this, index, generation] { fail_socket(index, generation); });
      return;
  }
}

void Pair::on_frame(std::size_t index, uint32_t generation, const std::string& frame) {
  Session* session = session_on(index, generation);
  if (!session) return;
  auto packet = engineio::decode_text_frame(frame);
  if (!packet) {
    close_session(session->sid, true, false);
    return;
  }
  if (session->probe == generation) {
    on_probe_packet(*session, packet.value());
  } else if (session->generation == generation) {
    on_packet(*session, packet.value());
  }
}

void Pair::on_probe_packet(Session& session, const Packet& packet) {
  const uint32_t probe = *session.probe;
  if (packet.type == PacketType::ping && packet.data == "probe") {
    deliver_text(session.client, probe,
                 engineio::encode_text_frame({PacketType::pong, "probe", false}));
    if (session.paused) return;
    // The client pauses its old transport now: release its downstream with a noop.
    session.paused = true;
    if (session.kind == TransportKind::polling && session.waiting_get) {
      respond(session.client, *std::exchange(session.waiting_get, std::nullopt), 200,
              engineio::encode_payload({Packet{PacketType::noop, {}, false}}));
    } else if (session.kind == TransportKind::sse) {
      deliver_text(
          session.client, session.generation,
          nlohmann::json(engineio::encode_payload({Packet{PacketType::noop, {}, false}})).dump());
    }
  } else if (packet.type == PacketType::upgrade) {
    note(session.sid + " upgraded to websocket");
    ++upgrades_;
    if (session.waiting_get) {
      respond(session.client, *std::exchange(session.waiting_get, std::nullopt), 200,
              engineio::encode_payload({Packet{PacketType::noop, {}, false}}));
    }
    if (session.kind == TransportKind::sse)
      server_sockets_.erase({session.client, session.generation});
    session.kind = TransportKind::websocket;
    session.generation = probe;
    session.probe.reset();
    session.paused = false;
    flush(session);
  } else {
    server_sockets_.erase({session.client, probe});
    session.probe.reset();
    session.paused = false;
    send(session.client, to_client,
         [this, client = session.client, probe] { fail_socket(client, probe); });
    flush(session);
  }
}

void Pair::on_socket_closed(std::size_t index, uint32_t generation) {
  Session* session = session_on(index, generation);
  server_sockets_.erase({index, generation});
  if (!session) return;
  if (session->probe == generation) {
    session->probe.reset();
    session->paused = false;
    flush(*session);
  } else if (session->generation == generation) {
    close_session(session->sid, false, false);
  }
}

void Pair::on_request(std::size_t index, const engineio::HttpRequest& request) {
  const auto route = server::route_engineio_request(
      {request.method == engineio::HttpMethod::get ? server::RequestMethod::get
                                                   : server::RequestMethod::post,
       false, query_of(request.url)},
      server::TransportSet::all(), [this](std::string_view sid) {
        const Session* session = session_of(std::string(sid));
        return session ? std::optional<server::SessionView>(
                             server::SessionView{session->kind, session->probe.has_value()})
                       : std::nullopt;
      });
  if (const auto* error = std::get_if<server::HandshakeError>(&route)) {
    respond(index, request, static_cast<int>(server::http_status_of(*error)),
            server::json_body_of(*error));
    return;
  }
  const auto& accepted = std::get<server::EngineIoRoute>(route);
  switch (accepted.action) {
    case server::EngineIoAction::open: {
      Session& session = open_session(index, TransportKind::polling, request.generation);
      session.waiting_get = request;
      queue(session, Packet{PacketType::open,
                            engineio::encode_open_info(
                                {session.sid, {"websocket"}, kPingInterval, kPingTimeout, 1000000}),
                            false});
      return;
    }
    case server::EngineIoAction::poll: {
      Session& session = *session_of(accepted.sid);
      if (session.waiting_get) {
        // Two long polls at once: the stock server ends the session ("overlap from client").
        respond(index, request, 400, "");
        close_session(session.sid, true, false);
        return;
      }
      session.waiting_get = request;
      flush(session);
      return;
    }
    case server::EngineIoAction::post: {
      auto packets = engineio::decode_payload(request.body);
      if (!packets) {
        respond(index, request, 400, "");
        close_session(accepted.sid, true, false);
        return;
      }
      respond(index, request, 200, "ok");
      for (const Packet& packet : packets.value()) {
        const int copies = is_sequenced(packet) && chance(faults.duplicate) ? 2 : 1;
        for (int copy = 0; copy < copies; ++copy) {
          // Each packet may end the session (a close packet, a hub refusal).
          if (Session* session = session_of(accepted.sid)) on_packet(*session, packet);
        }
      }
      return;
    }
    default:
      respond(index, request, 500, "");
      return;
  }
}

void Pair::on_packet(Session& session, const Packet& packet) {
  switch (packet.type) {
    case PacketType::message:
      dispatch(packet.binary ? hub_->receive_binary(session.connection)
                             : hub_->receive_text(session.connection, packet.data, now_));
      return;
    case PacketType::pong:
      session.pong_due.reset();
      session.ping_at = now_ + Millis(kPingInterval);
      return;
    case PacketType::close:
      close_session(session.sid, false, true);
      return;
    default:
      return;
  }
}

void Pair::queue(Session& session, Packet packet) {
  session.queue.push_back(std::move(packet));
  flush(session);
}

void Pair::flush(Session& session) {
  if (session.paused || session.queue.empty()) return;
  if (session.kind == TransportKind::polling && !session.waiting_get) return;
  server_send(session, std::exchange(session.queue, {}));
}

void Pair::server_send(Session& session, std::vector<Packet> packets) {
  std::vector<Packet> sent;
  for (Packet& packet : packets) {
    if (is_sequenced(packet) && chance(faults.drop)) {
      note(session.sid + " dropped " + packet.data);
      continue;
    }
    if (is_sequenced(packet) && chance(faults.duplicate)) sent.push_back(packet);
    sent.push_back(std::move(packet));
  }
  if (sent.empty()) return;
  const std::size_t index = session.client;
  switch (session.kind) {
    case TransportKind::websocket:
      for (const Packet& packet : sent) {
        deliver_text(index, session.generation, engineio::encode_text_frame(packet), {packet});
      }
      return;
    case TransportKind::sse:
      deliver_text(index, session.generation, nlohmann::json(engineio::encode_payload(sent)).dump(),
                   sent);
      return;
    case TransportKind::polling: {
      const engineio::HttpRequest get = *std::exchange(session.waiting_get, std::nullopt);
      // A lost response carrying a welcome is left out: the hub never resends a welcome, so the
      // client recovers only at its handshake timeout, with an error for the app for each
      // envelope that came before it (a known gap of the protocol, not of this link).
      const bool carries_message = std::any_of(sent.begin(), sent.end(), [](const Packet& packet) {
        return packet.type == PacketType::message;
      });
      const bool carries_welcome = std::any_of(sent.begin(), sent.end(), [](const Packet& packet) {
        if (packet.type != PacketType::message) return false;
        const auto decoded = envelope::decode_server(packet.data);
        return decoded && std::holds_alternative<envelope::Welcome>(decoded.value().envelope);
      });
      ClientSlot& slot = clients_[index];
      if (carries_message && !carries_welcome &&
          (std::exchange(slot.lose_next_poll_response, false) ||
           chance(faults.lose_poll_response))) {
        ++responses_lost_;
        note(session.sid + " long-poll response lost");
        // The browser sends the same GET again on a new connection.
        send(index, to_server, [this, sid = session.sid, get] {
          if (Session* again = session_of(sid); again && !again->waiting_get) {
            again->waiting_get = get;
            flush(*again);
          }
        });
        return;
      }
      respond(index, get, 200, engineio::encode_payload(sent));
      return;
    }
  }
}

void Pair::close_session(const std::string& sid, bool tell, bool client_left) {
  const auto found = sessions_.find(sid);
  if (found == sessions_.end()) return;
  const std::unique_ptr<Session> session = std::move(found->second);
  sessions_.erase(found);
  note(sid + " closed");
  const std::size_t index = session->client;
  if (tell) {
    const Packet close{PacketType::close, {}, false};
    if (session->kind == TransportKind::polling && session->waiting_get) {
      respond(index, *session->waiting_get, 200, engineio::encode_payload({close}));
    } else if (session->kind == TransportKind::websocket) {
      deliver_text(index, session->generation, engineio::encode_text_frame(close));
    } else if (session->kind == TransportKind::sse) {
      deliver_text(index, session->generation,
                   nlohmann::json(engineio::encode_payload({close})).dump());
    }
  }
  for (const uint32_t generation : {session->generation, session->probe.value_or(0)}) {
    if (server_sockets_.erase({index, generation})) {
      send(index, to_client, [this, index, generation] { fail_socket(index, generation); });
    }
  }
  if (client_left) {
    dispatch(hub_->depart(session->connection));
  } else {
    hub_->disconnect(session->connection, now_);
  }
}

void Pair::dispatch(const server::HubOutput& output) {
  for (const server::Delivery& delivery : output.deliveries) {
    for (auto& [sid, session] : sessions_) {
      if (session->connection == delivery.to) {
        queue(*session, Packet{PacketType::message, delivery.text, false});
        break;
      }
    }
  }
  for (const server::ConnectionClose& close : output.closes) {
    for (auto& [sid, session] : sessions_) {
      if (session->connection == close.connection) {
        close_session(std::string(sid), true, false);
        break;
      }
    }
  }
}

}  // namespace rtcwire::testing
