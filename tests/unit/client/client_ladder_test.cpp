// The transport ladder and the upgrade to websocket, driven through the client core with
// simulated time.
#include <gtest/gtest.h>

#include <set>

#include "client/scripted_server.hpp"
#include "rtcwire/client/client.hpp"

namespace rtcwire::client {

using base::Millis;
using engineio::HttpRequest;
using engineio::OpenTransport;
using engineio::TransportKind;

namespace {

using testing::decode_sent;
using testing::find_event;
using testing::ScriptedServer;
namespace ev = client_event;

ClientConfig ladder_config() {
  ClientConfig config = testing::default_client_config();
  config.transports = {TransportKind::websocket, TransportKind::sse, TransportKind::polling};
  return config;
}

const std::string kOpenWithUpgrade =
    "0" + engineio::encode_open_info({"SID", {"websocket"}, 300, 200, 100000});
const std::string kWelcome =
    "4" + envelope::encode(envelope::ServerEnvelope{testing::new_session("me", "s")});

template <class T>
std::vector<T> only(const std::vector<engineio::TransportAction>& actions) {
  std::vector<T> out;
  for (const auto& action : actions) {
    if (const auto* match = std::get_if<T>(&action)) out.push_back(*match);
  }
  return out;
}

// Jumps from deadline to deadline until the client asks for something; returns the wait.
Millis wait_for_action(ScriptedServer& server, std::vector<engineio::TransportAction>& out) {
  const Millis start = server.now;
  for (int i = 0; i < 100 && out.empty() && server.client.poll_timeout(); ++i) {
    server.advance_to_next_deadline();
    out = server.take_actions();
  }
  return server.now - start;
}

TEST(ClientLadderTest, UnavailableWebsocketFallsToSseAfterAJitteredDelay) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto first = only<OpenTransport>(server.take_actions());
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, TransportKind::websocket);
  // The platform has no WebSocket (or its constructor threw).
  server.client.handle_transport_error(first[0].generation, "WebSocket is not available",
                                       server.now);
  EXPECT_EQ(server.client.state(), ClientState::connecting);
  auto closing = server.take_actions();  // only the clean-up of the failed transport
  EXPECT_TRUE(only<OpenTransport>(closing).empty());

  std::vector<engineio::TransportAction> next;
  const Millis waited = wait_for_action(server, next);
  EXPECT_GE(waited, Millis(50));
  EXPECT_LT(waited, Millis(251));
  const auto sse = only<OpenTransport>(next);
  ASSERT_EQ(sse.size(), 1u);
  EXPECT_EQ(sse[0].kind, TransportKind::sse);
  EXPECT_GT(sse[0].generation, first[0].generation);

  // Late news from the websocket changes nothing.
  server.client.handle_transport_text(first[0].generation, kOpenWithUpgrade, server.now);
  EXPECT_TRUE(server.take_actions().empty());

  server.client.handle_transport_open(sse[0].generation, server.now);
  server.client.handle_transport_text(sse[0].generation, envelope::Json(kOpenWithUpgrade).dump(),
                                      server.now);
  auto events = server.take_events();
  const auto* changed = find_event<ev::TransportChanged>(events);
  ASSERT_NE(changed, nullptr);
  EXPECT_EQ(changed->kind, TransportKind::sse);
  const auto* remember = find_event<ev::RememberTransport>(events);
  ASSERT_NE(remember, nullptr);
  EXPECT_EQ(remember->transport.kind, TransportKind::sse);
  EXPECT_EQ(remember->transport.until, server.now + Millis(10 * 60 * 1000));
  EXPECT_EQ(server.client.transport(), TransportKind::sse);
}

TEST(ClientLadderTest, JitterSpreadsTheDelay) {
  std::set<int64_t> delays;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    ClientConfig config = ladder_config();
    config.random_seed = seed;
    ScriptedServer server(config);
    ASSERT_TRUE(server.client.connect(server.now).ok());
    const auto first = only<OpenTransport>(server.take_actions());
    server.client.handle_transport_closed(first.at(0).generation, server.now);
    server.take_actions();
    std::vector<engineio::TransportAction> next;
    delays.insert(wait_for_action(server, next).count());
  }
  EXPECT_GE(delays.size(), 10u);
}

TEST(ClientLadderTest, SilentAfterOpenCountsAsFailed) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto ws = only<OpenTransport>(server.take_actions()).at(0);
  server.client.handle_transport_open(ws.generation, server.now);  // opens, then says nothing
  // After its head start the next rung runs alongside; the silent one ends at its own deadline.
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  const auto sse = only<OpenTransport>(server.take_actions()).at(0);
  EXPECT_EQ(sse.kind, TransportKind::sse);
  server.client.handle_transport_error(sse.generation, "refused", server.now);
  server.take_actions();
  // Every deadline before the websocket's handshake timeout passes without closing it.
  const Millis handshake_deadline = Millis(1000) + Millis(5000);
  std::vector<engineio::CloseTransport> closed;
  while (closed.empty() && server.client.poll_timeout()) {
    server.advance_to_next_deadline();
    closed = only<engineio::CloseTransport>(server.take_actions());
    if (closed.empty()) {
      EXPECT_LT(server.now, handshake_deadline);
    }
  }
  EXPECT_EQ(server.now, handshake_deadline);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].generation, ws.generation);
}

TEST(ClientLadderTest, AHangingWebsocketLetsSseRunAlongsideAndTheFirstToOpenWins) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto ws = only<OpenTransport>(server.take_actions()).at(0);
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  const auto sse = only<OpenTransport>(server.take_actions()).at(0);
  EXPECT_EQ(sse.kind, TransportKind::sse);
  server.client.handle_transport_open(sse.generation, server.now);
  server.client.handle_transport_text(sse.generation, envelope::Json(kOpenWithUpgrade).dump(),
                                      server.now);
  auto actions = server.take_actions();
  // The hanging websocket is closed and hello goes out on sse.
  const auto closed = only<engineio::CloseTransport>(actions);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].generation, ws.generation);
  const auto posts = only<HttpRequest>(actions);
  ASSERT_FALSE(posts.empty());
  EXPECT_NE(posts.back().body.find("hello"), std::string::npos);
  const auto events = server.take_events();
  ASSERT_NE(find_event<ev::TransportChanged>(events), nullptr);
  EXPECT_EQ(find_event<ev::TransportChanged>(events)->kind, TransportKind::sse);
  // Late news from the websocket changes nothing.
  server.client.handle_transport_open(ws.generation, server.now);
  server.client.handle_transport_text(ws.generation, kOpenWithUpgrade, server.now);
  EXPECT_TRUE(only<engineio::SendFrame>(server.take_actions()).empty());
}

TEST(ClientLadderTest, AnEarlierAttemptThatOpensFirstWins) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto ws = only<OpenTransport>(server.take_actions()).at(0);
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  const auto sse = only<OpenTransport>(server.take_actions()).at(0);
  // The slow websocket opens after all, before sse.
  server.client.handle_transport_open(ws.generation, server.now);
  server.client.handle_transport_text(ws.generation, kOpenWithUpgrade, server.now);
  const auto actions = server.take_actions();
  const auto closed = only<engineio::CloseTransport>(actions);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].generation, sse.generation);
  const auto frames = only<engineio::SendFrame>(actions);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].generation, ws.generation);
  EXPECT_EQ(server.client.transport(), TransportKind::websocket);
}

TEST(ClientLadderTest, AnEarlierAttemptOpeningWhileTheNextRungWaitsToStartWins) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto ws = only<OpenTransport>(server.take_actions()).at(0);
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  const auto sse = only<OpenTransport>(server.take_actions()).at(0);
  // sse is refused: polling waits its jittered start while the websocket still hangs...
  server.client.handle_transport_error(sse.generation, "refused", server.now);
  server.take_actions();
  // ...and then opens after all.
  server.client.handle_transport_open(ws.generation, server.now);
  server.client.handle_transport_text(ws.generation, kOpenWithUpgrade, server.now);
  EXPECT_EQ(only<engineio::SendFrame>(server.take_actions()).size(), 1u);  // hello
  EXPECT_EQ(server.client.transport(), TransportKind::websocket);
  server.advance(Millis(1000));
  EXPECT_TRUE(only<OpenTransport>(server.take_actions()).empty()) << "polling never starts";
}

TEST(ClientLadderTest, AStuckSseReconnectGetsASecondAttemptAlongside) {
  ClientConfig config = ladder_config();
  config.transports = {TransportKind::sse};
  ScriptedServer server(config);
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto first = only<OpenTransport>(server.take_actions()).at(0);
  server.advance(Millis(400));
  EXPECT_TRUE(server.take_actions().empty()) << "a first connect does not race one transport";
  server.client.handle_transport_open(first.generation, server.now);
  server.client.handle_transport_text(first.generation, envelope::Json(kOpenWithUpgrade).dump(),
                                      server.now);
  server.client.handle_transport_text(first.generation, envelope::Json(kWelcome).dump(),
                                      server.now);
  ASSERT_EQ(server.client.state(), ClientState::connected);
  server.take_actions();
  server.client.handle_transport_error(first.generation, "the path died", server.now);
  server.take_actions();  // the clean-up of the dead transport
  std::vector<engineio::TransportAction> next;
  wait_for_action(server, next);
  const auto again = only<OpenTransport>(next).at(0);
  // Stuck on a dead pooled connection, say: a second one starts alongside after the head start.
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  const auto alongside = only<OpenTransport>(server.take_actions()).at(0);
  EXPECT_EQ(alongside.kind, TransportKind::sse);
  EXPECT_NE(alongside.generation, again.generation);
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  EXPECT_EQ(only<OpenTransport>(server.take_actions()).size(), 1u);
  // At most three at once: a fourth replaces the oldest, which frees its (dead) connection.
  EXPECT_EQ(server.advance_to_next_deadline(), Millis(400)) << "the head start";
  const auto fourth = server.take_actions();
  EXPECT_EQ(only<OpenTransport>(fourth).size(), 1u);
  ASSERT_EQ(only<engineio::CloseTransport>(fourth).size(), 1u);
  EXPECT_EQ(only<engineio::CloseTransport>(fourth)[0].generation, again.generation);
  // New attempts start for one handshake timeout, then the last ones run out and it fails.
  server.take_events();
  bool gave_up = false;
  for (int i = 0; i < 40 && !gave_up; ++i) {
    server.advance_to_next_deadline();
    for (const auto& event : server.take_events()) {
      const auto* change = std::get_if<ev::StateChanged>(&event);
      gave_up = gave_up || (change && change->state == ClientState::reconnecting);
    }
  }
  EXPECT_TRUE(gave_up) << "the round ended and a new reconnect was scheduled";
}

TEST(ClientLadderTest, ARepeatStartsAfterAFewOfTheLastHandshakesNotTheWholeHeadStart) {
  ClientConfig config = ladder_config();
  config.transports = {TransportKind::sse};
  ScriptedServer server(config);
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto first = only<OpenTransport>(server.take_actions()).at(0);
  server.advance(Millis(30));  // this server answers a handshake in 30 ms
  server.client.handle_transport_open(first.generation, server.now);
  server.client.handle_transport_text(first.generation, envelope::Json(kOpenWithUpgrade).dump(),
                                      server.now);
  server.client.handle_transport_text(first.generation, envelope::Json(kWelcome).dump(),
                                      server.now);
  ASSERT_EQ(server.client.state(), ClientState::connected);
  server.take_actions();
  server.client.handle_transport_error(first.generation, "the path died", server.now);
  server.take_actions();
  std::vector<engineio::TransportAction> next;
  wait_for_action(server, next);
  const auto again = only<OpenTransport>(next).at(0);
  // Silent for two handshakes' time: most likely a dead pooled connection, so the next
  // attempt starts then, and each further one as soon, clearing one dead connection each.
  server.advance(Millis(59));
  EXPECT_TRUE(only<OpenTransport>(server.take_actions()).empty());
  server.advance(Millis(1));
  EXPECT_EQ(only<OpenTransport>(server.take_actions()).size(), 1u);
  server.advance(Millis(60));
  EXPECT_EQ(only<OpenTransport>(server.take_actions()).size(), 1u);
  server.advance(Millis(60));
  const auto fourth = server.take_actions();
  EXPECT_EQ(only<OpenTransport>(fourth).size(), 1u);
  ASSERT_EQ(only<engineio::CloseTransport>(fourth).size(), 1u);
  EXPECT_EQ(only<engineio::CloseTransport>(fourth)[0].generation, again.generation);
}

TEST(ClientLadderTest, ARepeatHeadStartStaysWithinItsBounds) {
  for (const auto& [handshake, head_start] :
       {std::pair{Millis(1), Millis(50)}, std::pair{Millis(1000), Millis(400)}}) {
    ClientConfig config = ladder_config();
    config.transports = {TransportKind::sse};
    ScriptedServer server(config);
    ASSERT_TRUE(server.client.connect(server.now).ok());
    const auto first = only<OpenTransport>(server.take_actions()).at(0);
    server.advance(handshake);
    server.client.handle_transport_open(first.generation, server.now);
    server.client.handle_transport_text(first.generation, envelope::Json(kOpenWithUpgrade).dump(),
                                        server.now);
    server.client.handle_transport_text(first.generation, envelope::Json(kWelcome).dump(),
                                        server.now);
    ASSERT_EQ(server.client.state(), ClientState::connected);
    server.take_actions();
    server.client.handle_transport_error(first.generation, "the path died", server.now);
    server.take_actions();
    std::vector<engineio::TransportAction> next;
    wait_for_action(server, next);
    server.take_actions();
    server.advance(head_start - Millis(1));
    EXPECT_TRUE(only<OpenTransport>(server.take_actions()).empty()) << handshake.count();
    server.advance(Millis(1));
    EXPECT_EQ(only<OpenTransport>(server.take_actions()).size(), 1u) << handshake.count();
  }
}

TEST(ClientLadderTest, EveryRungFailingDisconnectsWithTheLastError) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  auto actions = server.take_actions();
  const auto ws = only<OpenTransport>(actions).at(0);
  server.client.handle_transport_error(ws.generation, "refused", server.now);
  server.take_actions();
  actions.clear();
  wait_for_action(server, actions);
  const auto sse = only<OpenTransport>(actions).at(0);
  server.client.handle_transport_error(sse.generation, "refused", server.now);
  server.take_actions();
  actions.clear();
  wait_for_action(server, actions);
  const auto poll = only<HttpRequest>(actions).at(0);
  EXPECT_EQ(poll.method, engineio::HttpMethod::get);
  server.client.handle_http_response(poll.generation, poll.id, 0, "", server.now);
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
  const auto events = server.take_events();
  const ev::StateChanged* last = nullptr;
  for (const auto& event : events) {
    if (const auto* change = std::get_if<ev::StateChanged>(&event)) last = change;
  }
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->state, ClientState::disconnected);
  EXPECT_EQ(last->error->code, base::ErrorCode::transport_closed);
  EXPECT_EQ(server.client.poll_timeout(), std::nullopt);
}

TEST(ClientLadderTest, AFailureAfterTheHandshakeDoesNotWalkTheLadder) {
  ScriptedServer server(ladder_config());
  ASSERT_TRUE(server.client.connect(server.now).ok());
  const auto ws = only<OpenTransport>(server.take_actions()).at(0);
  server.client.handle_transport_open(ws.generation, server.now);
  server.client.handle_transport_text(ws.generation, kOpenWithUpgrade, server.now);
  server.client.handle_transport_closed(ws.generation, server.now);
  EXPECT_EQ(server.client.state(), ClientState::disconnected);
}

TEST(ClientLadderTest, RememberedTransportGoesFirstUntilItExpires) {
  ClientConfig config = ladder_config();
  config.remembered = RememberedTransport{TransportKind::polling, Millis(2000)};
  ScriptedServer remembered(config);  // now = 1000: still valid
  ASSERT_TRUE(remembered.client.connect(remembered.now).ok());
  auto actions = remembered.take_actions();
  ASSERT_EQ(only<HttpRequest>(actions).size(), 1u);
  EXPECT_TRUE(only<OpenTransport>(actions).empty());

  config.remembered = RememberedTransport{TransportKind::polling, Millis(1000)};
  ScriptedServer expired(config);
  ASSERT_TRUE(expired.client.connect(expired.now).ok());
  EXPECT_EQ(only<OpenTransport>(expired.take_actions()).at(0).kind, TransportKind::websocket);
}

// Connects over polling (websocket remembered as blocked) with an upgrade offered.
struct PollingSession {
  ScriptedServer server;
  HttpRequest poll;
  uint32_t polling_generation = 0;

  PollingSession() : server(polling_first()) {
    EXPECT_TRUE(server.client.connect(server.now).ok());
    const auto handshake = only<HttpRequest>(server.take_actions()).at(0);
    polling_generation = handshake.generation;
    server.client.handle_http_response(polling_generation, handshake.id, 200, kOpenWithUpgrade,
                                       server.now);
    auto actions = server.take_actions();
    for (const auto& request : only<HttpRequest>(actions)) {
      if (request.method == engineio::HttpMethod::post) {
        EXPECT_EQ(decode_sent(request.body), envelope::ClientEnvelope{envelope::Hello{"test-sdk"}});
        server.client.handle_http_response(polling_generation, request.id, 200, "ok", server.now);
      } else {
        poll = request;
      }
    }
    probe = only<OpenTransport>(actions).at(0);
    server.take_actions();
  }

  static ClientConfig polling_first() {
    ClientConfig config = ladder_config();
    config.remembered = RememberedTransport{TransportKind::polling, Millis(1000000)};
    return config;
  }

  OpenTransport probe;
};

TEST(ClientUpgradeTest, PollingUpgradesToWebsocket) {
  PollingSession session;
  auto& server = session.server;
  EXPECT_EQ(session.probe.kind, TransportKind::websocket);
  EXPECT_EQ(session.probe.url, "ws://127.0.0.1:9/engine.io/?EIO=4&transport=websocket&sid=SID");

  server.client.handle_transport_open(session.probe.generation, server.now);
  auto probe_frames = only<engineio::SendFrame>(server.take_actions());
  ASSERT_EQ(probe_frames.size(), 1u);
  EXPECT_EQ(probe_frames[0].text, "2probe");

  // The welcome arrives over polling while the probe is under way.
  server.client.handle_http_response(session.polling_generation, session.poll.id, 200, kWelcome,
                                     server.now);
  EXPECT_EQ(server.client.state(), ClientState::connected);
  const auto next_poll = only<HttpRequest>(server.take_actions()).at(0);

  server.client.handle_transport_text(session.probe.generation, "3probe", server.now);
  EXPECT_TRUE(server.take_actions().empty());                 // waits for the pending GET to return
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());  // held during the pause
  EXPECT_TRUE(server.take_actions().empty());

  server.client.handle_http_response(session.polling_generation, next_poll.id, 200, "6",
                                     server.now);
  auto switched = server.take_actions();
  const auto frames = only<engineio::SendFrame>(switched);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].text, "5");
  EXPECT_EQ(decode_sent(frames[1].text), envelope::ClientEnvelope(envelope::Join{"lobby", 1}));
  const auto closed = only<engineio::CloseTransport>(switched);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].generation, session.polling_generation);
  EXPECT_TRUE(only<HttpRequest>(switched).empty());
  EXPECT_EQ(server.client.transport(), TransportKind::websocket);
  const auto events = server.take_events();
  bool upgraded = false;
  for (const auto& event : events) {
    if (const auto* changed = std::get_if<ev::TransportChanged>(&event)) {
      upgraded |= changed->kind == TransportKind::websocket;
    }
  }
  EXPECT_TRUE(upgraded);

  // From now on the websocket carries everything, and polling's late answers are ignored.
  server.client.handle_transport_text(session.probe.generation, "2", server.now);
  EXPECT_EQ(only<engineio::SendFrame>(server.take_actions()).at(0).text, "3");
  server.client.handle_http_response(session.polling_generation, next_poll.id + 1, 200, "1",
                                     server.now);
  EXPECT_EQ(server.client.state(), ClientState::connected);
}

TEST(ClientUpgradeTest, FailedProbeKeepsPolling) {
  PollingSession session;
  auto& server = session.server;
  server.client.handle_transport_error(session.probe.generation, "blocked", server.now);
  server.take_actions();
  server.client.handle_http_response(session.polling_generation, session.poll.id, 200, kWelcome,
                                     server.now);
  EXPECT_EQ(server.client.state(), ClientState::connected);
  EXPECT_EQ(server.client.transport(), TransportKind::polling);
  ASSERT_TRUE(server.client.join("lobby", server.now).ok());
  const auto requests = only<HttpRequest>(server.take_actions());
  bool posted_join = false;
  for (const auto& request : requests) {
    if (request.method == engineio::HttpMethod::post) {
      posted_join =
          decode_sent(request.body) == envelope::ClientEnvelope{envelope::Join{"lobby", 1}};
    }
  }
  EXPECT_TRUE(posted_join);
}

TEST(ClientUpgradeTest, AFailedProbeIsRetriedInSessionWithBackoffAndThenUpgrades) {
  PollingSession session;
  auto& server = session.server;
  HttpRequest poll = session.poll;
  // Answers the waiting poll (the welcome first, then pings) and returns what the client asked.
  bool welcomed = false;
  const auto keep_polling = [&] {
    server.advance(Millis(250));
    server.client.handle_http_response(session.polling_generation, poll.id, 200,
                                       welcomed ? "2"
                                                : kWelcome +
                                                      "\x1e"
                                                      "2",
                                       server.now);
    welcomed = true;
    const auto actions = server.take_actions();
    for (const auto& request : only<HttpRequest>(actions)) {
      if (request.method == engineio::HttpMethod::get) {
        poll = request;
      } else {
        server.client.handle_http_response(session.polling_generation, request.id, 200, "ok",
                                           server.now);
      }
    }
    return only<OpenTransport>(actions);
  };
  server.client.handle_transport_error(session.probe.generation, "blocked", server.now);
  server.take_actions();
  const Millis failed_at = server.now;
  std::vector<OpenTransport> probes;
  while (probes.empty() && server.now < failed_at + Millis(10000)) probes = keep_polling();
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_GE(server.now - failed_at, Millis(3750));
  EXPECT_LE(server.now - failed_at, Millis(6250 + 250));
  EXPECT_EQ(probes[0].kind, TransportKind::websocket);
  EXPECT_NE(probes[0].generation, session.probe.generation) << "a generation of its own";
  // Fails again: the next one waits about 30 s.
  server.client.handle_transport_error(probes[0].generation, "blocked", server.now);
  server.take_actions();
  const Millis second_failed_at = server.now;
  probes.clear();
  while (probes.empty() && server.now < second_failed_at + Millis(60000)) probes = keep_polling();
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_GE(server.now - second_failed_at, Millis(22500));
  EXPECT_LE(server.now - second_failed_at, Millis(37500 + 250));
  // Now websocket works: the session moves to it.
  server.client.handle_transport_open(probes[0].generation, server.now);
  EXPECT_EQ(only<engineio::SendFrame>(server.take_actions()).at(0).text, "2probe");
  server.client.handle_transport_text(probes[0].generation, "3probe", server.now);
  server.take_actions();
  server.client.handle_http_response(session.polling_generation, poll.id, 200, "6", server.now);
  const auto frames = only<engineio::SendFrame>(server.take_actions());
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0].text, "5");
  EXPECT_EQ(server.client.transport(), TransportKind::websocket);
  EXPECT_EQ(server.client.state(), ClientState::connected);
}

TEST(ClientUpgradeTest, WrongProbeAnswerAbandonsTheUpgradeAndResumesPolling) {
  PollingSession session;
  auto& server = session.server;
  server.client.handle_transport_open(session.probe.generation, server.now);
  server.take_actions();
  server.client.handle_transport_text(session.probe.generation, "3nope", server.now);
  const auto closed = only<engineio::CloseTransport>(server.take_actions());
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].generation, session.probe.generation);
  EXPECT_EQ(server.client.transport(), TransportKind::polling);
}

TEST(ClientUpgradeTest, ProbeThatNeverAnswersTimesOut) {
  PollingSession session;
  auto& server = session.server;
  server.client.handle_transport_open(session.probe.generation, server.now);
  server.take_actions();
  // Keep the session alive with pings over polling while the probe stays silent.
  HttpRequest poll = session.poll;
  bool probe_closed = false;
  for (int i = 0; i < 48; ++i) {
    server.advance(Millis(250));
    server.client.handle_http_response(session.polling_generation, poll.id, 200,
                                       i == 0 ? kWelcome +
                                                    "\x1e"
                                                    "2"
                                              : "2",
                                       server.now);
    const auto actions = server.take_actions();
    for (const auto& close : only<engineio::CloseTransport>(actions)) {
      EXPECT_EQ(close.generation, session.probe.generation);
      probe_closed = true;
    }
    for (const auto& request : only<HttpRequest>(actions)) {
      if (request.method == engineio::HttpMethod::get) {
        poll = request;
      } else {
        server.client.handle_http_response(session.polling_generation, request.id, 200, "ok",
                                           server.now);
      }
    }
  }
  for (const auto& event : server.take_events()) {
    if (const auto* change = std::get_if<ev::StateChanged>(&event); change && change->error) {
      ADD_FAILURE() << change->error->message;
    }
  }
  EXPECT_TRUE(probe_closed);  // after the 10 s upgrade timeout
  EXPECT_EQ(server.client.state(), ClientState::connected);
  EXPECT_EQ(server.client.transport(), TransportKind::polling);
}

}  // namespace
}  // namespace rtcwire::client
