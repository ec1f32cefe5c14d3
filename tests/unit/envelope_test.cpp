#include "rtcwire/envelope.hpp"

#include <gtest/gtest.h>

namespace rtcwire::envelope {
namespace {

const Json kData = Json::parse(R"({"text":"hi","n":[1,2.5,null,true],"nested":{"deep":"x"}})");

TEST(EnvelopeTest, ClientEnvelopesRoundTrip) {
  const std::vector<ClientEnvelope> envelopes{
      Hello{"rtcwire-js/0.1.0"}, Join{"lobby \xc3\xa9"}, Leave{},
      SignalTo{"peerA", kData},  Publish{kData},         DirectTo{"peer_B-2", "plain string"},
      Publish{nullptr},
  };
  for (const auto& original : envelopes) {
    const std::string text = encode(original);
    auto decoded = decode_client(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().message;
    EXPECT_EQ(decoded.value(), original) << text;
  }
}

TEST(EnvelopeTest, ServerEnvelopesRoundTrip) {
  const std::vector<ServerEnvelope> envelopes{
      Welcome{"peerA", "session-123", 65536},
      Joined{"lobby", {"peerB", "peerC"}},
      Joined{"empty", {}},
      Left{"lobby"},
      PeerJoined{"peerB"},
      PeerLeft{"peerB"},
      SignalFrom{"peerB", kData},
      Published{"peerB", kData},
      DirectFrom{"peerB", 42},
      ErrorReply{ErrorCode::peer_not_found, "no such peer"},
  };
  for (const auto& original : envelopes) {
    const std::string text = encode(original);
    auto decoded = decode_server(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().message;
    EXPECT_EQ(decoded.value(), original) << text;
  }
}

TEST(EnvelopeTest, WireFormIsTheDocumentedOne) {
  EXPECT_EQ(encode(ClientEnvelope{Join{"lobby"}}), R"({"room":"lobby","t":"join","v":1})");
  EXPECT_EQ(encode(ServerEnvelope{PeerLeft{"p1"}}), R"({"peer":"p1","t":"peer-left","v":1})");
  EXPECT_EQ(encode(ServerEnvelope{ErrorReply{ErrorCode::not_in_room, "join first"}}),
            R"({"code":"not_in_room","message":"join first","t":"error","v":1})");
}

TEST(EnvelopeTest, UnknownFieldsAreIgnored) {
  auto decoded = decode_client(R"({"v":1,"t":"join","room":"r","future":{"x":1}})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), ClientEnvelope{Join{"r"}});
}

struct BadInput {
  const char* text;
  ErrorCode code;
};

class MalformedClientEnvelopeTest : public testing::TestWithParam<BadInput> {};

TEST_P(MalformedClientEnvelopeTest, IsRejectedWithItsCode) {
  auto decoded = decode_client(GetParam().text);
  ASSERT_FALSE(decoded.ok()) << GetParam().text;
  EXPECT_EQ(decoded.error().code, GetParam().code)
      << GetParam().text << ": " << decoded.error().message;
  EXPECT_EQ(decoded.error().origin, ErrorOrigin::remote);
}

INSTANTIATE_TEST_SUITE_P(
    AllCases, MalformedClientEnvelopeTest,
    testing::Values(
        BadInput{"", ErrorCode::malformed_json}, BadInput{"{", ErrorCode::malformed_json},
        BadInput{"{\"v\":1,\"t\":\"join\",\"room\":\"\xff\"}", ErrorCode::malformed_json},
        BadInput{"[]", ErrorCode::invalid_envelope}, BadInput{"42", ErrorCode::invalid_envelope},
        BadInput{R"({"t":"join","room":"r"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":"1","t":"join","room":"r"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":2,"t":"join","room":"r"})", ErrorCode::unsupported_version},
        BadInput{R"({"v":1})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":7})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"teleport"})", ErrorCode::unknown_type},
        BadInput{R"({"v":1,"t":"welcome","peer":"a","session":"s","maxMessageBytes":1})",
                 ErrorCode::unknown_type},
        BadInput{R"({"v":1,"t":"hello"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"join"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"join","room":5})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"join","room":""})", ErrorCode::invalid_room},
        BadInput{R"({"v":1,"t":"join","room":"a\nb"})", ErrorCode::invalid_room},
        BadInput{R"({"v":1,"t":"signal","data":1})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"signal","to":"a b","data":1})", ErrorCode::invalid_peer},
        BadInput{R"({"v":1,"t":"signal","to":"ab"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"direct","to":"","data":1})", ErrorCode::invalid_peer},
        BadInput{R"({"v":1,"t":"publish"})", ErrorCode::invalid_envelope}));

TEST(EnvelopeTest, RejectsOverlongRoomAndPeerIds) {
  const std::string room(kMaxRoomBytes + 1, 'r');
  auto join = decode_client(R"({"v":1,"t":"join","room":")" + room + "\"}");
  ASSERT_FALSE(join.ok());
  EXPECT_EQ(join.error().code, ErrorCode::invalid_room);
  const std::string peer(kMaxPeerIdBytes + 1, 'p');
  auto direct = decode_client(R"({"v":1,"t":"direct","data":1,"to":")" + peer + "\"}");
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, ErrorCode::invalid_peer);
}

TEST(EnvelopeTest, RejectsDeepNestingWithoutRecursingIntoIt) {
  const std::string deep =
      R"({"v":1,"t":"publish","data":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto decoded = decode_client(deep);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::invalid_envelope);
}

TEST(EnvelopeTest, ServerSideMalformedCases) {
  const std::vector<std::pair<const char*, ErrorCode>> cases{
      {R"({"v":1,"t":"welcome","peer":"a","session":"s"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","maxMessageBytes":0})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","maxMessageBytes":-1})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"","maxMessageBytes":9})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"joined","room":"r"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"joined","room":"r","peers":["ok","not ok"]})", ErrorCode::invalid_peer},
      {R"({"v":1,"t":"joined","room":"r","peers":[1]})", ErrorCode::invalid_peer},
      {R"({"v":1,"t":"peer-joined"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"publish","data":1})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"error"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"join","room":"r"})", ErrorCode::unknown_type},
  };
  for (const auto& [text, code] : cases) {
    auto decoded = decode_server(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, code) << text;
  }
}

TEST(EnvelopeTest, UnknownErrorCodeFromANewerServerStillArrives) {
  auto decoded = decode_server(R"({"v":1,"t":"error","code":"quota_exceeded","message":"slow"})");
  ASSERT_TRUE(decoded.ok());
  const auto& reply = std::get<ErrorReply>(decoded.value());
  EXPECT_EQ(reply.code, ErrorCode::internal);
  EXPECT_EQ(reply.message, "quota_exceeded: slow");
}

TEST(EnvelopeTest, EncodingInvalidUtf8DoesNotAbort) {
  const std::string text = encode(ClientEnvelope{Publish{std::string("bad \xff byte")}});
  auto decoded = decode_client(text);
  ASSERT_TRUE(decoded.ok());
}

TEST(EnvelopeValidationTest, RoomsAndPeerIds) {
  EXPECT_TRUE(is_valid_room("a"));
  EXPECT_TRUE(is_valid_room("Team room #4 \xf0\x9f\x8e\x89"));
  EXPECT_FALSE(is_valid_room(""));
  EXPECT_FALSE(is_valid_room("tab\there"));
  EXPECT_FALSE(is_valid_room(std::string("nul\0", 4)));
  EXPECT_TRUE(is_valid_peer_id("Ab_9-z"));
  EXPECT_FALSE(is_valid_peer_id("a.b"));
  EXPECT_FALSE(is_valid_peer_id(""));
}

}  // namespace
}  // namespace rtcwire::envelope
