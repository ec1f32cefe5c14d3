#include "rtcwire/peer/peer_event.hpp"

#include <gtest/gtest.h>

#include "rtcwire/peer/peer_signal.hpp"

namespace rtcwire::peer {
namespace {

TEST(PeerEventParsing, ReadsEveryEventType) {
  const auto done =
      parse_peer_event(R"({"type":"op-done","pc":3,"op":9,"signalingState":"have-local-offer",)"
                       R"("description":{"type":"offer","sdp":"v=0"}})");
  ASSERT_TRUE(done.ok());
  const auto& d = std::get<event::OpDone>(done.value());
  EXPECT_EQ(d.pc, 3u);
  EXPECT_EQ(d.op, 9u);
  EXPECT_EQ(d.signaling_state, SignalingState::have_local_offer);
  EXPECT_EQ(d.description->sdp, "v=0");
  for (
      const char* text : {
          R"({"type":"negotiation-needed","pc":1})",
          R"({"type":"op-failed","pc":1,"op":2,"error":{"name":"InvalidStateError","message":"m"}})",
          R"({"type":"signaling-state","pc":1,"state":"stable"})",
          R"({"type":"ice-candidate","pc":1,"candidate":null})",
          R"({"type":"ice-candidate","pc":1,"candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u"}})",
          R"({"type":"ice-state","pc":1,"state":"checking"})",
          R"({"type":"connection-state","pc":1,"state":"connected"})",
          R"({"type":"channel-open","channel":4,"maxMessageSize":262144})",
          R"({"type":"channel-closed","channel":4})",
          R"({"type":"channel-low","channel":4,"bufferedAmount":0})",
          R"({"type":"channel-remote","pc":1,"channel":2147483648,"label":"chat","ordered":false,"maxRetransmits":3,"maxPacketLifeTime":null,"protocol":""})",
          R"({"type":"track-remote","pc":1,"track":5,"kind":"video","streams":["s"]})",
          R"({"type":"candidate-error","pc":1,"url":"turn:t:3478","errorCode":401,"errorText":"Unauthorized"})",
      }) {
    EXPECT_TRUE(parse_peer_event(text).ok()) << text;
  }
}

TEST(PeerEventParsing, BadInputIsAnErrorWithACode) {
  for (
      const char* text : {
          "",
          "null",
          "[]",
          "{",
          R"({"type":1})",
          R"({"type":"nope","pc":1})",
          R"({"type":"negotiation-needed"})",
          R"({"type":"negotiation-needed","pc":-1})",
          R"({"type":"negotiation-needed","pc":4294967296})",
          R"({"type":"negotiation-needed","pc":1.5})",
          R"({"type":"op-done","pc":1})",
          R"({"type":"op-done","pc":1,"op":1,"signalingState":"weird"})",
          R"({"type":"op-done","pc":1,"op":1,"description":{"type":"pranswer","sdp":""}})",
          R"({"type":"op-done","pc":1,"op":1,"stats":[1]})",
          R"({"type":"op-failed","pc":1,"op":1,"error":"x"})",
          R"({"type":"signaling-state","pc":1,"state":5})",
          R"({"type":"ice-candidate","pc":1,"candidate":{"candidate":5}})",
          R"({"type":"ice-candidate","pc":1})",
          R"({"type":"connection-state","pc":1,"state":"excellent"})",
          R"({"type":"channel-open","channel":4})",
          R"({"type":"channel-low","channel":4,"bufferedAmount":-1})",
          R"({"type":"channel-remote","pc":1,"channel":5,"label":"x"})",
          R"({"type":"channel-remote","pc":1,"channel":2147483648,"label":"x","maxRetransmits":"3"})",
          R"({"type":"track-remote","pc":1,"track":5,"kind":"smell","streams":[]})",
          R"({"type":"track-remote","pc":1,"track":5,"kind":"audio","streams":[1]})",
          R"({"type":"candidate-error","pc":1,"url":"turn:t","errorCode":1000,"errorText":""})",
          R"({"type":"candidate-error","pc":1,"url":5,"errorCode":401,"errorText":""})",
          R"({"type":"candidate-error","pc":1,"url":"turn:t","errorText":"x"})",
          R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
      }) {
    const auto parsed = parse_peer_event(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, base::ErrorCode::invalid_argument) << text;
    EXPECT_EQ(parsed.error().origin, base::ErrorOrigin::local) << text;
  }
  std::string huge = R"({"type":"op-done","pc":1,"op":1,"description":{"type":"offer","sdp":")";
  huge += std::string(kMaxSdpBytes + 1, 'a') + "\"}}";
  EXPECT_FALSE(parse_peer_event(huge).ok());
  const std::string long_text = R"({"type":"candidate-error","pc":1,"url":"u","errorCode":1,)"
                                R"("errorText":")" +
                                std::string(1025, 'x') + "\"}";
  EXPECT_FALSE(parse_peer_event(long_text).ok());
}

TEST(PeerSignal, RoundTripsAndRefusesBadMessages) {
  for (const PeerSignal& signal : {
           PeerSignal{1, Description{DescriptionType::offer, "sdp"}},
           PeerSignal{2, signal::Candidate{nlohmann::json{{"candidate", "c"}, {"sdpMid", "0"}}}},
           PeerSignal{3, signal::Candidate{std::nullopt}},
           PeerSignal{4, signal::Bye{}},
       }) {
    const auto encoded = encode_peer_signal(signal);
    EXPECT_TRUE(is_peer_signal(encoded));
    const auto decoded = decode_peer_signal(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded.dump();
    EXPECT_EQ(decoded.value().conn, signal.conn);
    EXPECT_EQ(decoded.value().body.index(), signal.body.index());
  }
  for (const char* text : {
           R"({"rtcwire":2,"conn":1,"bye":true})",
           R"({"rtcwire":1,"bye":true})",
           R"({"rtcwire":1,"conn":0,"bye":true})",
           R"({"rtcwire":1,"conn":1})",
           R"({"rtcwire":1,"conn":1,"bye":"yes"})",
           R"({"rtcwire":1,"conn":1,"description":{"type":"offer"}})",
           R"({"rtcwire":1,"conn":1,"description":{"type":"rollback","sdp":""}})",
           R"({"rtcwire":1,"conn":1,"candidate":{"sdpMid":"0"}})",
           R"({"rtcwire":1,"conn":1,"candidate":"a=candidate"})",
       }) {
    const auto decoded = decode_peer_signal(nlohmann::json::parse(text));
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, base::ErrorCode::invalid_signal);
    EXPECT_EQ(decoded.error().origin, base::ErrorOrigin::remote);
  }
  nlohmann::json long_candidate = {
      {"rtcwire", 1}, {"conn", 1}, {"candidate", {{"candidate", std::string(2000, 'x')}}}};
  EXPECT_FALSE(decode_peer_signal(long_candidate).ok());
  EXPECT_FALSE(is_peer_signal(nlohmann::json{{"hello", 1}}));
}

}  // namespace
}  // namespace rtcwire::peer
