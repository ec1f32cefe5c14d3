// A scripted-server harness for the client core, with simulated time. The test plays the server
// (and the platform): it reads what the client asked the transport to do and feeds back transport
// events and server frames step by step. Model: quinn-proto's tests/util.rs Pair.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rtcwire/client/client.hpp"

namespace rtcwire::testing {

// A welcome for a new session; the token is derived from the session id.
inline envelope::Welcome new_session(std::string peer, std::string session,
                                     std::size_t max_message_bytes = 65536) {
  std::string token = "token-" + session;
  return envelope::Welcome{
      std::move(peer), std::move(session), std::move(token), max_message_bytes, false, 0,
      std::nullopt};
}

inline client::ClientConfig default_client_config() {
  client::ClientConfig config;
  config.url = "http://127.0.0.1:9";
  config.sdk = "test-sdk";
  config.handshake_timeout = base::Millis(5000);
  config.transports = {engineio::TransportKind::websocket};
  config.random_seed = 42;
  return config;
}

class ScriptedServer {
 public:
  explicit ScriptedServer(client::ClientConfig config = default_client_config())
      : client(std::move(config)) {}

  client::Client client;
  base::Millis now{1000};

  // Moves the clock; fires the client's timer as a platform would when its deadline passes.
  void advance(base::Millis step) {
    now += step;
    if (auto deadline = client.poll_timeout(); deadline && *deadline <= now) {
      client.handle_timeout(now);
    }
  }

  // Jumps the clock to the client's next deadline and fires it; returns the wait (zero and a test
  // failure when the client has no deadline).
  base::Millis advance_to_next_deadline() {
    const auto deadline = client.poll_timeout();
    EXPECT_TRUE(deadline.has_value()) << "the client waits for nothing";
    if (!deadline) return base::Millis(0);
    const base::Millis waited = std::max(*deadline - now, base::Millis(0));
    now += waited;
    client.handle_timeout(now);
    return waited;
  }

  std::vector<engineio::TransportAction> take_actions() {
    std::vector<engineio::TransportAction> actions;
    while (auto action = client.poll_action()) actions.push_back(std::move(*action));
    return actions;
  }

  std::vector<client::ClientEvent> take_events() {
    std::vector<client::ClientEvent> events;
    while (auto event = client.poll_event()) {
      // The peer layer's notices (joining a room with peers makes some) have tests of their own.
      if (!std::holds_alternative<peer::PeerNotice>(*event)) events.push_back(std::move(*event));
    }
    return events;
  }

  // Text frames the client sent (other actions are dropped).
  std::vector<std::string> take_frames() {
    std::vector<std::string> frames;
    for (auto& action : take_actions()) {
      if (auto* send = std::get_if<engineio::SendFrame>(&action)) frames.push_back(send->text);
    }
    return frames;
  }

  // connect() and the transport request; returns its generation.
  uint32_t start_connect() {
    EXPECT_TRUE(client.connect(now).ok());
    auto actions = take_actions();
    EXPECT_EQ(actions.size(), 1u) << "expected only OpenTransport";
    const auto* open =
        actions.empty() ? nullptr : std::get_if<engineio::OpenTransport>(&actions[0]);
    EXPECT_NE(open, nullptr);
    if (open) {
      EXPECT_EQ(open->url, "ws://127.0.0.1:9/engine.io/?EIO=4&transport=websocket");
    }
    generation = open ? open->generation : 0;
    return generation;
  }

  void send_open_packet(int64_t ping_interval = 300, int64_t ping_timeout = 200,
                        int64_t max_payload = 1000000) {
    client.handle_transport_open(generation, now);
    client.handle_transport_text(
        generation,
        "0" + engineio::encode_open_info({"sid1", {}, ping_interval, ping_timeout, max_payload}),
        now);
  }

  // Sends a server envelope numbered like a real server does: sequenced ones get the next seq of
  // the session, and a welcome for a new session restarts the numbering.
  void send_envelope(const envelope::ServerEnvelope& envelope) {
    if (const auto* welcome = std::get_if<envelope::Welcome>(&envelope); welcome) {
      if (!welcome->resumed) server_seq = 0;
    }
    send_envelope_with_seq(envelope, envelope::is_sequenced(envelope) ? ++server_seq : 0);
  }
  // With an explicit seq (0: none), e.g. a replay, a duplicate or a gap.
  void send_envelope_with_seq(const envelope::ServerEnvelope& envelope, envelope::Seq seq) {
    client.handle_transport_text(generation, "4" + envelope::encode(envelope, seq), now);
  }

  // Full handshake up to `connected` as peer "me"; discards the events and frames it produced.
  void connect_fully(std::size_t max_message_bytes = 65536) {
    start_connect();
    send_open_packet();
    const auto frames = take_frames();
    EXPECT_EQ(frames.size(), 1u);
    send_envelope(new_session("me", "session-1", max_message_bytes));
    EXPECT_EQ(client.state(), client::ClientState::connected);
    take_events();
    take_frames();
  }

  void join_room(const std::string& room, std::vector<std::string> peers) {
    EXPECT_TRUE(client.join(room, now).ok());
    take_frames();
    send_envelope(envelope::Joined{room, std::move(peers)});
    take_events();
  }

  // After the connection was lost: lets the reconnect delay pass and returns the generation of
  // the new transport (0 and a test failure when there is none).
  uint32_t wait_for_reconnect() {
    const auto deadline = client.poll_timeout();
    EXPECT_TRUE(deadline.has_value());
    if (!deadline) return 0;
    advance(*deadline - now);
    for (const auto& action : take_actions()) {
      if (const auto* open = std::get_if<engineio::OpenTransport>(&action)) {
        generation = open->generation;
        return generation;
      }
    }
    ADD_FAILURE() << "no new transport after the reconnect delay";
    return 0;
  }

  uint32_t generation = 0;
  envelope::Seq server_seq = 0;  // the last seq this scripted server sent in its session
};

// The envelope inside an Engine.IO message frame the client sent, with its seq.
inline envelope::Sequenced<envelope::ClientEnvelope> decode_sent_with_seq(
    const std::string& frame) {
  EXPECT_FALSE(frame.empty());
  EXPECT_EQ(frame.empty() ? '\0' : frame.front(), '4') << frame;
  auto decoded = envelope::decode_client(std::string_view(frame).substr(frame.empty() ? 0 : 1));
  EXPECT_TRUE(decoded.ok()) << frame;
  if (!decoded) return {envelope::Leave{}, 0};
  return decoded.value();
}

// The envelope inside an Engine.IO message frame the client sent.
inline envelope::ClientEnvelope decode_sent(const std::string& frame) {
  return decode_sent_with_seq(frame).envelope;
}

template <class T>
const T* find_event(const std::vector<client::ClientEvent>& events) {
  for (const auto& event : events) {
    if (const auto* match = std::get_if<T>(&event)) return match;
  }
  return nullptr;
}

}  // namespace rtcwire::testing
