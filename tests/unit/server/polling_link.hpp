// Real client cores against the real SignallingHub through an in-memory Engine.IO long-polling
// link, on simulated time: every HTTP request and response crosses the link with a latency, the
// link plays the Engine.IO server (handshake, held GETs, POSTed payloads) and the test injects
// faults a browser really produces, such as a long-poll response lost in flight whose GET the
// browser silently sends again. The clock jumps to the next deadline of the clients, the hub or
// the link, so seconds of protocol run in microseconds and latency bounds are exact.
// Model: quinn-proto's tests/util.rs Pair.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "hub_harness.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server::testing {

class PollingLink {
 public:
  static constexpr Millis kLatency{5};  // each way, for every request and response
  static constexpr int64_t kPingInterval = 25000;
  static constexpr int64_t kPingTimeout = 20000;

  struct Peer {
    std::unique_ptr<Client> client;
    std::vector<ClientEvent> events;
    std::vector<Millis> event_times;  // when each event came out of the client
  };

  explicit PollingLink(HubSettings settings = {}) : hub_(ids_, settings) {}

  // A client on polling only, connected to the hub through this link; returns its index.
  std::size_t add_client(uint64_t seed) {
    ClientConfig config;
    config.url = "http://127.0.0.1:9";
    config.sdk = "polling-link";
    config.transports = {TransportKind::polling};
    config.random_seed = seed;
    peers_.push_back(Peer{std::make_unique<Client>(std::move(config)), {}, {}});
    return peers_.size() - 1;
  }

  Client& client(std::size_t index) { return *peers_.at(index).client; }
  std::vector<ClientEvent>& events(std::size_t index) { return peers_.at(index).events; }
  const std::vector<Millis>& event_times(std::size_t index) { return peers_.at(index).event_times; }
  void clear_events(std::size_t index) {
    peers_.at(index).events.clear();
    peers_.at(index).event_times.clear();
  }
  Millis now() const { return now_; }
  SignallingHub& hub() { return hub_; }

  // The next polling response that carries an Engine.IO message is lost on its way back, and
  // the browser sends the same GET again (as Chromium does when a reused keep-alive connection
  // is reset): the server answers that one with whatever comes next.
  void lose_next_message_response() { lose_next_response_ = true; }
  // From now on each polling response is lost with probability `p` (the same retried GET).
  void lose_responses_randomly(double p, uint64_t seed) {
    loss_probability_ = p;
    random_.seed(seed);
  }
  int responses_lost() const { return responses_lost_; }

  // Runs the app command `command` on client `index` now and carries out what it asked for.
  template <class Command>
  void act(std::size_t index, Command command) {
    command(client(index), now_);
    after_input(index);
  }

  // Advances simulated time to `until`, handling every deadline and delivery on the way.
  void run_until(Millis until) {
    while (true) {
      std::optional<Millis> next;
      const auto consider = [&](std::optional<Millis> deadline) {
        if (deadline && (!next || *deadline < *next)) next = deadline;
      };
      for (const Peer& peer : peers_) consider(peer.client->poll_timeout());
      consider(hub_.poll_timeout());
      if (!in_flight_.empty()) consider(in_flight_.begin()->first.first);
      if (!next || *next > until) break;
      now_ = std::max(now_, *next);
      step();
    }
    now_ = until;
  }

  // Runs until `done()` holds or `limit` passes; true when it held.
  bool run_until(const std::function<bool()>& done, Millis limit) {
    while (!done() && now_ < limit) run_until(std::min(limit, now_ + Millis(1)));
    return done();
  }

 private:
  struct Session {
    std::size_t peer = 0;
    ConnectionId connection = 0;
    std::vector<engineio::Packet> queue;     // packets waiting for the next GET
    std::optional<HttpRequest> waiting_get;  // a held long poll
    uint32_t generation = 0;
    bool open = true;
  };

  void step() {
    for (std::size_t i = 0; i < peers_.size(); ++i) {
      const auto deadline = peers_[i].client->poll_timeout();
      if (deadline && *deadline <= now_) {
        peers_[i].client->handle_timeout(now_);
        after_input(i);
      }
    }
    if (const auto deadline = hub_.poll_timeout(); deadline && *deadline <= now_) {
      dispatch(hub_.handle_timeout(now_));
    }
    while (!in_flight_.empty() && in_flight_.begin()->first.first <= now_) {
      auto delivery = std::move(in_flight_.begin()->second);
      in_flight_.erase(in_flight_.begin());
      delivery();
    }
  }

  // Later, after the link's latency.
  void send_later(std::function<void()> delivery) {
    in_flight_.emplace(std::make_pair(now_ + kLatency, next_delivery_++), std::move(delivery));
  }

  void after_input(std::size_t index) {
    Peer& peer = peers_[index];
    while (auto action = peer.client->poll_action()) {
      if (auto* request = std::get_if<HttpRequest>(&*action)) {
        send_later([this, index, request = *request] { on_request(index, request); });
      } else if (auto* close = std::get_if<CloseTransport>(&*action)) {
        for (auto& [sid, session] : sessions_) {
          if (session.peer == index && session.generation == close->generation) {
            session.waiting_get.reset();
          }
        }
      } else {
        ADD_FAILURE() << "a polling-only client asked for a websocket or EventSource";
      }
    }
    while (auto event = peer.client->poll_event()) {
      peer.events.push_back(std::move(*event));
      peer.event_times.push_back(now_);
    }
  }

  void respond(std::size_t index, const HttpRequest& request, int status, std::string body) {
    send_later([this, index, request, status, body = std::move(body)] {
      peers_[index].client->handle_http_response(request.generation, request.id, status, body,
                                                 now_);
      after_input(index);
    });
  }

  static std::string sid_of(const std::string& url) {
    const auto start = url.find("sid=");
    if (start == std::string::npos) return {};
    const auto end = url.find('&', start);
    return url.substr(start + 4, end == std::string::npos ? std::string::npos : end - start - 4);
  }

  void on_request(std::size_t index, const HttpRequest& request) {
    const std::string sid = sid_of(request.url);
    if (sid.empty()) {
      const std::string new_sid = "sid" + std::to_string(++sids_);
      sessions_[new_sid] = Session{index, hub_.connect(), {}, {}, request.generation, true};
      respond(index, request, 200,
              engineio::encode_payload(
                  {{engineio::PacketType::open,
                    engineio::encode_open_info({new_sid, {}, kPingInterval, kPingTimeout, 1000000}),
                    false}}));
      return;
    }
    const auto found = sessions_.find(sid);
    if (found == sessions_.end() || !found->second.open) {
      respond(index, request, 400, "");
      return;
    }
    Session& session = found->second;
    if (request.method == HttpMethod::get) {
      session.waiting_get = request;
      flush(sid);
      return;
    }
    auto packets = engineio::decode_payload(request.body);
    ASSERT_TRUE(packets.ok()) << request.body;
    for (const auto& packet : packets.value()) {
      if (packet.type == engineio::PacketType::message) {
        dispatch(hub_.receive_text(session.connection, packet.data, now_));
      } else if (packet.type == engineio::PacketType::close) {
        session.open = false;
        dispatch(hub_.depart(session.connection));
      }
    }
    respond(index, request, 200, "ok");
  }

  void dispatch(const HubOutput& output) {
    for (const Delivery& delivery : output.deliveries) {
      for (auto& [sid, session] : sessions_) {
        if (session.connection == delivery.to && session.open) {
          session.queue.push_back({engineio::PacketType::message, delivery.text, false});
          flush(sid);
        }
      }
    }
    for (const ConnectionClose& close : output.closes) {
      for (auto& [sid, session] : sessions_) {
        if (session.connection == close.connection) {
          session.queue.push_back({engineio::PacketType::close, {}, false});
          flush(sid);
          session.open = false;
        }
      }
    }
  }

  // Answers the held GET of `sid` with everything queued.
  void flush(const std::string& sid) {
    Session& session = sessions_.at(sid);
    if (!session.waiting_get || session.queue.empty()) return;
    const HttpRequest get = *session.waiting_get;
    session.waiting_get.reset();
    std::vector<engineio::Packet> packets = std::move(session.queue);
    session.queue.clear();
    const bool unlucky = loss_probability_ > 0 &&
                         std::uniform_real_distribution<>(0, 1)(random_) < loss_probability_;
    if (lose_next_response_ || unlucky) {
      lose_next_response_ = false;
      ++responses_lost_;
      // The response dies on the way; the browser sends the same GET again on a new connection.
      send_later([this, sid, get] {
        if (auto found = sessions_.find(sid); found != sessions_.end() && found->second.open) {
          found->second.waiting_get = get;
          flush(sid);
        }
      });
      return;
    }
    respond(session.peer, get, 200, engineio::encode_payload(packets));
  }

  CountingIds ids_;
  SignallingHub hub_;
  Millis now_{1000};
  std::vector<Peer> peers_;
  std::map<std::string, Session> sessions_;
  int sids_ = 0;
  std::map<std::pair<Millis, uint64_t>, std::function<void()>> in_flight_;
  uint64_t next_delivery_ = 0;
  bool lose_next_response_ = false;
  double loss_probability_ = 0;
  std::mt19937_64 random_;
  int responses_lost_ = 0;
};

}  // namespace rtcwire::server::testing
