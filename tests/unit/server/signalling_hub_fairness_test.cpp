// What a sender may do to others (docs/server.md, "Fairness"): rate limits, a receiver's buffer
// shared between its senders, the global budget of buffered bytes, on the hub's fake clock.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hub_harness.hpp"
#include "signalling_hub.hpp"

namespace rtcwire::server {
namespace {

using namespace testing;
using Received = envelope::Sequenced<ServerEnvelope>;

constexpr std::size_t kRoomBuffer = 16 * 1024;
constexpr std::size_t kLargeEnvelopes = 4096;

ErrorCode error_code(const Received& received) {
  const auto* error = std::get_if<envelope::ErrorReply>(&received.envelope);
  return error ? error->code : ErrorCode::internal;
}

std::size_t count_of(const std::vector<Received>& received, ErrorCode code) {
  std::size_t n = 0;
  for (const Received& r : received) n += error_code(r) == code ? 1 : 0;
  return n;
}

std::size_t publishes_in(const std::vector<Received>& received) {
  std::size_t n = 0;
  for (const Received& r : received) n += std::holds_alternative<envelope::Published>(r.envelope);
  return n;
}

// alice, bob and mallory in "lobby"; each has acknowledged everything so far.
class FairnessTest : public HubTest {
 protected:
  FairnessTest() {
    settings = HubSettings{kLargeEnvelopes, kWindow, kRoomBuffer};
    settings.rate_limits = RateLimits{1000, 1000, 1 << 30, 1 << 30, 1000};
  }

  void SetUp() override { start(); }

  void start() {
    sent.clear();
    last_seq.clear();
    welcome_of.clear();
    fair_hub = std::make_unique<SignallingHub>(ids, settings);
    for (ConnectionId* who : {&alice, &bob, &mallory}) {
      *who = fair_hub->connect();
      const HubOutput hello = say(*who, envelope::Hello{"test", std::nullopt});
      welcome_of[*who] = std::get<envelope::Welcome>(decoded(hello.deliveries.at(0)).envelope);
      (void)say(*who, envelope::Join{"lobby"});
    }
    for (ConnectionId who : {alice, bob, mallory}) catch_up(who);
  }

  // Sends with the next seq of `from`.
  HubOutput say(ConnectionId from, const envelope::ClientEnvelope& message) {
    const envelope::Seq seq = envelope::is_sequenced(message) ? ++sent[from] : 0;
    return track(fair_hub->receive_text(from, envelope::encode(message, seq), now));
  }
  // Notes the last seq each connection received.
  HubOutput track(HubOutput out) {
    for (const Delivery& delivery : out.deliveries) {
      const Received received = decoded(delivery);
      if (received.seq != 0) last_seq[delivery.to] = received.seq;
    }
    return out;
  }
  std::string peer_of(ConnectionId connection) {
    return std::string(fair_hub->peer_id(connection));
  }
  // Acknowledges everything `who` has received.
  HubOutput catch_up(ConnectionId who) { return say(who, envelope::Ack{last_seq[who]}); }

  HubSettings settings;
  std::unique_ptr<SignallingHub> fair_hub;
  ConnectionId alice = 0;
  ConnectionId bob = 0;
  ConnectionId mallory = 0;
  std::map<ConnectionId, envelope::Seq> sent;
  std::map<ConnectionId, envelope::Seq> last_seq;
  std::map<ConnectionId, envelope::Welcome> welcome_of;
};

TEST_F(FairnessTest, AFloodingSenderIsRefusedAndNeverEndsAReceiverThatStillAcks) {
  const std::string chunk(1000, 'm');
  std::vector<Received> to_mallory;
  std::size_t to_alice = 0;
  for (int round = 0; round < 20; ++round) {
    // mallory sends far more than alice acknowledges between her acks.
    for (int i = 0; i < 10; ++i) {
      const HubOutput out = say(mallory, envelope::Publish{chunk});
      EXPECT_TRUE(out.closes.empty());
      EXPECT_TRUE(out.ended.empty());
      to_alice += publishes_in(received_by(out, alice));
      for (const Received& r : received_by(out, mallory)) to_mallory.push_back(r);
    }
    // bob's messages to alice always get through, however full mallory keeps her buffer.
    const HubOutput from_bob = say(bob, envelope::DirectTo{peer_of(alice), round});
    ASSERT_EQ(
        received_by(from_bob, alice),
        (std::vector<Received>{{envelope::DirectFrom{peer_of(bob), round}, last_seq[alice]}}));
    EXPECT_FALSE(from_bob.rejection);
    (void)catch_up(alice);
    (void)catch_up(bob);
    (void)catch_up(mallory);
  }
  EXPECT_GT(count_of(to_mallory, ErrorCode::rate_limited), 0u);
  EXPECT_GT(to_alice, 0u);
  EXPECT_LT(to_alice, 200u);
  EXPECT_EQ(fair_hub->session_count(), 3u);
}

TEST_F(FairnessTest, OneSenderFillsAtMostHalfOfWhatAReceiverKeepsForRelays) {
  const std::string chunk(1000, 'm');
  HubOutput out;
  for (int i = 0; i < 40 && !out.rejection; ++i)
    out = say(mallory, envelope::DirectTo{peer_of(alice), chunk});
  ASSERT_TRUE(out.rejection);
  EXPECT_EQ(out.rejection->code, ErrorCode::rate_limited);
  EXPECT_NE(out.rejection->message.find("not delivered to 1 of 1 peer"), std::string::npos);
  const std::size_t for_relays = kRoomBuffer - kRoomBuffer / 8;
  EXPECT_LE(fair_hub->buffer_budget().used(), for_relays / 2 + 2 * chunk.size());
  // Once alice acknowledges, mallory may send again.
  (void)catch_up(alice);
  const HubOutput again = say(mallory, envelope::DirectTo{peer_of(alice), chunk});
  EXPECT_FALSE(again.rejection) << again.rejection->message;
}

TEST_F(FairnessTest, AReceiverThatStopsAckingIsEndedOnlyAfterTheAckTimeout) {
  const std::string chunk(1000, 'm');
  for (int i = 0; i < 40; ++i) (void)say(mallory, envelope::DirectTo{peer_of(alice), chunk});
  now += settings.ack_timeout - Millis{1};
  EXPECT_TRUE(say(mallory, envelope::DirectTo{peer_of(alice), chunk}).ended.empty());
  now += Millis{1};
  const std::string alice_id = peer_of(alice);
  const HubOutput out = say(mallory, envelope::DirectTo{alice_id, chunk});
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{alice_id, ErrorCode::buffer_overflow}}));
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{alice, "buffer overflow"}}));
}

TEST_F(FairnessTest, EnvelopesOverTheRateAreRefusedButTakeTheirSeq) {
  settings.rate_limits = RateLimits{10, 20, 1 << 30, 1 << 30, 1000};
  start();
  now += Millis{10000};  // the welcome and join took tokens: refill
  std::size_t refused = 0;
  for (int i = 0; i < 40; ++i) {
    const HubOutput out = say(bob, envelope::Publish{i});
    if (out.rejection && out.rejection->code == ErrorCode::rate_limited) ++refused;
  }
  EXPECT_EQ(refused, 20u) << "a burst of 20";
  // A tenth of a second later one more token has come; its seq follows the refused ones: no gap.
  now += Millis{100};
  const HubOutput next = say(bob, envelope::Publish{99});
  EXPECT_FALSE(next.rejection) << next.rejection->message;
  EXPECT_EQ(publishes_in(received_by(next, alice)), 1u);
}

TEST_F(FairnessTest, SustainedAbuseDisconnectsTheSenderAndEndsItsSession) {
  settings.rate_limits = RateLimits{10, 20, 1 << 30, 1 << 30, 30};
  start();
  const std::string peer_of_ended = peer_of(mallory);
  HubOutput out;
  int sent_count = 0;
  for (; sent_count < 200 && out.closes.empty(); ++sent_count)
    out = say(mallory, envelope::Publish{0});
  EXPECT_LE(sent_count, 20 + 30 + 1);
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{mallory, "rate limited"}}));
  EXPECT_EQ(out.ended, (std::vector<SessionEnd>{{peer_of_ended, ErrorCode::rate_limited}}));
  const auto last = received_by(out, mallory);
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(error_code(last.back()), ErrorCode::rate_limited);
  EXPECT_EQ(last.back().seq, 0u);
  EXPECT_EQ(received_by(out, alice).back().envelope,
            ServerEnvelope(envelope::PeerLeft{peer_of_ended}));
  EXPECT_EQ(fair_hub->session_count(), 2u);
}

TEST_F(FairnessTest, AResumeDoesNotRefillTheBuckets) {
  settings.rate_limits = RateLimits{10, 20, 1 << 30, 1 << 30, 1000};
  start();
  now += Millis{10000};
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(say(mallory, envelope::Publish{i}).rejection) << i;
  EXPECT_TRUE(say(mallory, envelope::Publish{20}).rejection);

  fair_hub->disconnect(mallory, now);
  const ConnectionId again = fair_hub->connect();
  const envelope::Welcome& old = welcome_of.at(mallory);
  const HubOutput hello = fair_hub->receive_text(
      again,
      envelope::encode(envelope::Hello{
          "test", envelope::ResumeRequest{old.session, old.token, last_seq[mallory]}}),
      now);
  EXPECT_EQ(hello.greeting, (Greeting{true, std::nullopt}));
  sent[again] = sent[mallory];
  EXPECT_TRUE(say(again, envelope::Publish{21}).rejection)
      << "the buckets are as the last connection left them";
  now += Millis{100};
  EXPECT_FALSE(say(again, envelope::Publish{22}).rejection);
}

TEST_F(FairnessTest, ANewSessionFromTheSameAddressDoesNotRefillTheBuckets) {
  settings.rate_limits = RateLimits{10, 20, 1 << 30, 1 << 30, 1000};
  start();
  const auto hello_from = [&](const std::string& address) {
    const ConnectionId connection = fair_hub->connect(address);
    return std::pair{connection, fair_hub->receive_text(connection,
                                                        envelope::encode(envelope::Hello{
                                                            "test", std::nullopt, std::nullopt}),
                                                        now)};
  };
  const auto [first, welcomed] = hello_from("198.51.100.7");
  ASSERT_FALSE(welcomed.rejection);
  ASSERT_FALSE(say(first, envelope::Join{"lobby"}).rejection);
  HubOutput out;
  for (int i = 0; i < 30 && !out.rejection; ++i) out = say(first, envelope::Publish{i});
  ASSERT_TRUE(out.rejection);
  EXPECT_EQ(out.rejection->code, ErrorCode::rate_limited);

  // Leaving and coming back, as a new session, starts from the buckets the last one left.
  (void)fair_hub->depart(first);
  const auto [second, refused] = hello_from("198.51.100.7");
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.rejection->code, ErrorCode::rate_limited);
  // Another address has its own.
  const auto [other, admitted] = hello_from("198.51.100.8");
  EXPECT_FALSE(admitted.rejection) << admitted.rejection->message;
  // The buckets refill at their rate as ever.
  now += Millis{100};
  const HubOutput later = fair_hub->receive_text(
      second, envelope::encode(envelope::Hello{"test", std::nullopt, std::nullopt}), now);
  EXPECT_FALSE(later.rejection) << later.rejection->message;
}

TEST_F(FairnessTest, ADisconnectedAbuserStartsItsNextConnectionWithItsStrikes) {
  settings.rate_limits = RateLimits{10, 20, 1 << 30, 1 << 30, 30};
  start();
  const ConnectionId abuser = fair_hub->connect("198.51.100.9");
  HubOutput out;
  for (int i = 0; i < 200 && out.closes.empty(); ++i)
    out = fair_hub->receive_text(abuser, "x", now);
  ASSERT_EQ(out.closes, (std::vector<ConnectionClose>{{abuser, "rate limited"}}));
  // Back at once: no bucket and no strike was forgiven, so the first envelope disconnects it.
  const ConnectionId back = fair_hub->connect("198.51.100.9");
  const HubOutput again = fair_hub->receive_text(back, "x", now);
  EXPECT_EQ(again.closes, (std::vector<ConnectionClose>{{back, "rate limited"}}));
}

TEST_F(FairnessTest, APublishChargesItsBytesOncePerRecipient) {
  // 3000 bytes a second, and a publish of ~1000 bytes to two peers costs about 3000.
  settings.rate_limits = RateLimits{1000, 1000, 3000, 3000, 1000};
  start();
  now += Millis{10000};
  const std::string chunk(900, 'p');
  EXPECT_FALSE(say(bob, envelope::Publish{chunk}).rejection);
  const HubOutput second = say(bob, envelope::Publish{chunk});
  ASSERT_TRUE(second.rejection);
  EXPECT_EQ(second.rejection->code, ErrorCode::rate_limited);
  EXPECT_EQ(publishes_in(received_by(second, alice)), 0u);
  // A direct to one peer costs about a third as much, and the bucket refills at 3000 a second.
  now += Millis{1000};
  EXPECT_FALSE(say(bob, envelope::DirectTo{peer_of(alice), chunk}).rejection);
}

TEST_F(FairnessTest, EnvelopesBeforeHelloAreLimitedToo) {
  settings.rate_limits = RateLimits{10, 5, 1 << 30, 1 << 30, 3};
  start();
  const ConnectionId flood = fair_hub->connect();
  HubOutput out;
  int sent_count = 0;
  for (; sent_count < 100 && out.closes.empty(); ++sent_count) {
    out = fair_hub->receive_text(flood, "not json", now);
  }
  EXPECT_EQ(sent_count, 5 + 3 + 1);
  EXPECT_EQ(out.closes, (std::vector<ConnectionClose>{{flood, "rate limited"}}));
  EXPECT_EQ(fair_hub->connection_count(), 3u);
}

TEST_F(FairnessTest, TheGlobalBudgetRefusesRelaysToLaggingReceiversAndIsGivenBackInFull) {
  settings.max_buffered_bytes = 6000;
  start();
  EXPECT_EQ(fair_hub->buffer_budget().used(), 0u) << "everyone acknowledged everything";
  // mallory never acknowledges; alice does after each publish.
  const std::string chunk(1000, 's');
  HubOutput out;
  for (int i = 0; i < 10 && !out.rejection; ++i) {
    out = say(bob, envelope::Publish{chunk});
    (void)catch_up(alice);
  }
  ASSERT_TRUE(out.rejection);
  EXPECT_EQ(out.rejection->code, ErrorCode::server_busy);
  EXPECT_NE(out.rejection->message.find("not delivered to 1 of 2 peers"), std::string::npos)
      << out.rejection->message;
  EXPECT_EQ(publishes_in(received_by(out, alice)), 1u) << "alice keeps up: still served";
  EXPECT_TRUE(out.closes.empty());
  (void)catch_up(alice);
  (void)catch_up(bob);
  EXPECT_FALSE(say(bob, envelope::DirectTo{peer_of(alice), chunk}).rejection);
  EXPECT_EQ(say(bob, envelope::DirectTo{peer_of(mallory), chunk}).rejection->code,
            ErrorCode::server_busy);
  // Acks give it back; so does a session that ends.
  (void)track(fair_hub->depart(mallory));
  (void)catch_up(alice);
  (void)catch_up(bob);
  EXPECT_EQ(fair_hub->buffer_budget().used(), 0u);
}

TEST_F(FairnessTest, PastTheBudgetASenderHoldingLittleOfItsReceiversBufferIsStillServed) {
  settings.max_buffered_bytes = 6000;
  settings.resume_buffer_bytes = 64 * 1024;  // a sixteenth: 4 KiB
  start();
  // bob floods the room and neither alice nor mallory acknowledges: the budget fills.
  const std::string chunk(1000, 's');
  HubOutput out;
  for (int i = 0; i < 20 && !out.rejection; ++i) out = say(bob, envelope::Publish{chunk});
  ASSERT_TRUE(out.rejection);
  EXPECT_EQ(out.rejection->code, ErrorCode::server_busy);
  // alice lags behind on bob's publishes (with this direct, more than a sixteenth of her buffer
  // unacknowledged), but mallory holds nothing there: her direct gets through. The abuse test's
  // control pair in the attacker's room timed out on exactly this refusal (a clean-clone run).
  const std::string direct(2000, 'd');
  const HubOutput light = say(mallory, envelope::DirectTo{peer_of(alice), direct});
  EXPECT_FALSE(light.rejection) << light.rejection->message;
  EXPECT_EQ(received_by(light, alice).size(), 1u);
  // bob, who filled it, is still refused.
  const HubOutput heavy = say(bob, envelope::DirectTo{peer_of(alice), direct});
  ASSERT_TRUE(heavy.rejection);
  EXPECT_EQ(heavy.rejection->code, ErrorCode::server_busy);
}

}  // namespace
}  // namespace rtcwire::server
