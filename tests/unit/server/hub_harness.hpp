// A SignallingHub driven by a fake clock and predictable ids, with helpers that speak envelopes
// instead of JSON, for the hub's tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "signalling_hub.hpp"

namespace rtcwire::server::testing {

using envelope::ServerEnvelope;

// Predictable ids: peer1, peer2, ...; session1, ...; token1, ...
class CountingIds final : public IdSource {
 public:
  std::string peer_id() override { return "peer" + std::to_string(++peers_); }
  std::string session_id() override { return "session" + std::to_string(++sessions_); }
  std::string token() override { return "token" + std::to_string(++tokens_); }

 private:
  int peers_ = 0;
  int sessions_ = 0;
  int tokens_ = 0;
};

inline constexpr std::size_t kLimit = 256;
inline constexpr Millis kWindow{5000};
inline constexpr std::size_t kBuffer = 2048;

// The envelope and its seq; the ack piggybacked on it is left out (see piggybacked_ack()).
inline envelope::Sequenced<ServerEnvelope> decoded(const Delivery& delivery) {
  auto result = envelope::decode_server(delivery.text);
  EXPECT_TRUE(result.ok()) << delivery.text;
  if (!result.ok()) return envelope::Sequenced<ServerEnvelope>{envelope::ErrorReply{}, 0};
  result.value().ack = 0;
  return result.value();
}

inline envelope::Seq piggybacked_ack(const Delivery& delivery) {
  auto result = envelope::decode_server(delivery.text);
  EXPECT_TRUE(result.ok()) << delivery.text;
  return result.ok() ? result.value().ack : 0;
}

// What one connection received in one output, in order.
inline std::vector<envelope::Sequenced<ServerEnvelope>> received_by(const HubOutput& out,
                                                                    ConnectionId to) {
  std::vector<envelope::Sequenced<ServerEnvelope>> received;
  for (const Delivery& delivery : out.deliveries) {
    if (delivery.to == to) received.push_back(decoded(delivery));
  }
  return received;
}

class HubTest : public ::testing::Test {
 protected:
  // `resend_after` 0: no resends, since most tests' clients never acknowledge anything.
  explicit HubTest(Millis resend_after = Millis(0))
      : HubTest(HubSettings{.max_message_bytes = kLimit,
                            .resume_window = kWindow,
                            .resume_buffer_bytes = kBuffer,
                            .resend_after = resend_after}) {}
  explicit HubTest(HubSettings settings) : hub(ids, std::move(settings)) {}

  // Connects and says hello (resuming when asked); returns the connection.
  ConnectionId welcomed(std::optional<envelope::ResumeRequest> resume = std::nullopt) {
    const ConnectionId connection = hub.connect();
    const HubOutput out = send(connection, envelope::Hello{"test", std::move(resume)});
    EXPECT_FALSE(out.deliveries.empty());
    if (!out.deliveries.empty()) {
      welcomes[connection] = std::get<envelope::Welcome>(decoded(out.deliveries[0]).envelope);
    }
    return connection;
  }

  // What resuming the session welcomed on `connection` presents, having received up to `ack`.
  envelope::ResumeRequest resume_of(ConnectionId connection, envelope::Seq ack) {
    const envelope::Welcome& welcome = welcomes.at(connection);
    return envelope::ResumeRequest{welcome.session, welcome.token, ack};
  }

  HubOutput send(ConnectionId from, const envelope::ClientEnvelope& message,
                 envelope::Seq seq = 0) {
    return hub.receive_text(from, envelope::encode(message, seq), now);
  }

  std::string peer(ConnectionId connection) { return std::string(hub.peer_id(connection)); }

  // The single delivery of `out`, which must go to `to`.
  envelope::Sequenced<ServerEnvelope> only_sequenced(const HubOutput& out, ConnectionId to) {
    EXPECT_EQ(out.deliveries.size(), 1u);
    if (out.deliveries.empty()) return {envelope::ErrorReply{}, 0};
    EXPECT_EQ(out.deliveries[0].to, to);
    return decoded(out.deliveries[0]);
  }
  ServerEnvelope only_delivery(const HubOutput& out, ConnectionId to) {
    return only_sequenced(out, to).envelope;
  }

  void expect_error(const HubOutput& out, ConnectionId to, ErrorCode code) {
    const ServerEnvelope reply = only_delivery(out, to);
    ASSERT_TRUE(std::holds_alternative<envelope::ErrorReply>(reply));
    EXPECT_EQ(std::get<envelope::ErrorReply>(reply).code, code);
    ASSERT_TRUE(out.rejection.has_value());
    EXPECT_EQ(out.rejection->code, code);
  }

  Millis now{1000};
  CountingIds ids;
  SignallingHub hub;
  std::map<ConnectionId, envelope::Welcome> welcomes;
};

}  // namespace rtcwire::server::testing
