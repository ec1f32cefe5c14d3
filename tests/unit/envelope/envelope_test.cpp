#include "rtcwire/envelope/envelope.hpp"

#include <gtest/gtest.h>

namespace rtcwire::envelope {

using base::ErrorCode;

namespace {

const Json kData = Json::parse(R"({"text":"hi","n":[1,2.5,null,true],"nested":{"deep":"x"}})");
const Json kIceServers = Json::parse(
    R"([{"urls":["stun:stun.example.com"]},
        {"urls":["turn:turn.example.com:3478?transport=udp"],"username":"1700003600:peerA",
         "credential":"c2VjcmV0"}])");

TEST(EnvelopeTest, ClientEnvelopesRoundTrip) {
  const std::vector<ClientEnvelope> envelopes{
      Hello{"rtcwire-js/0.1.0", std::nullopt},
      Hello{"rtcwire-js/0.1.0", ResumeRequest{"session-1", "token-1", 41}},
      Hello{"rtcwire-js/0.1.0", std::nullopt, "header.payload.signature"},
      Refresh{"header.payload.signature"},
      Join{"lobby \xc3\xa9"},
      Join{"lobby", 7},
      Join{"lobby", kMaxSeq},
      Leave{},
      SignalTo{"peerA", kData},
      Publish{kData},
      DirectTo{"peer_B-2", "plain string"},
      Publish{nullptr},
      Ack{0},
      Ack{kMaxSeq},
      IceServersRequest{},
  };
  for (const auto& original : envelopes) {
    const std::string text = encode(original);
    auto decoded = decode_client(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().message;
    EXPECT_EQ(decoded.value().envelope, original) << text;
    EXPECT_EQ(decoded.value().seq, 0u) << text;
  }
}

TEST(EnvelopeTest, SequencedClientEnvelopesCarryTheirSeq) {
  for (const ClientEnvelope& original : std::vector<ClientEnvelope>{
           Join{"r"}, Leave{}, Publish{1}, DirectTo{"p", 2}, SignalTo{"p", 3}}) {
    ASSERT_TRUE(is_sequenced(original));
    auto decoded = decode_client(encode(original, 77));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded.value(), (Sequenced<ClientEnvelope>{original, 77}));
  }
  EXPECT_FALSE(is_sequenced(ClientEnvelope{Hello{"x", std::nullopt}}));
  EXPECT_FALSE(is_sequenced(ClientEnvelope{Ack{3}}));
  EXPECT_FALSE(is_sequenced(ClientEnvelope{IceServersRequest{}}));
  // A seq on an envelope that is not sequenced is an unknown field: ignored.
  auto hello = decode_client(R"({"v":1,"t":"hello","sdk":"x","seq":5})");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello.value().seq, 0u);
}

TEST(EnvelopeTest, WithSeqMatchesEncodingWithSeq) {
  const ServerEnvelope published = Published{"peerB", kData};
  auto spliced = decode_server(with_seq(encode(published), 9));
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_EQ(spliced.value(), (Sequenced<ServerEnvelope>{published, 9}));
  EXPECT_EQ(Json::parse(with_seq(encode(published), 9)), Json::parse(encode(published, 9)));
}

TEST(EnvelopeTest, ServerEnvelopesRoundTrip) {
  const std::vector<ServerEnvelope> envelopes{
      Welcome{"peerA", "session-123", "token-abc", 65536, false, 0, std::nullopt},
      Welcome{"peerA", "session-123", "token-abc", 65536, true, 12, std::nullopt},
      Welcome{"peerA", "session-123", "token-abc", 65536, false, 0, ErrorCode::session_expired},
      Welcome{"peerA", "session-123", "token-abc", 65536, false, 0, std::nullopt, 9000},
      Refreshed{60000},
      Ack{5},
      GoAway{10000, 3},
      Welcome{"peerA", "session-123", "token-abc", 65536, true, 2, std::nullopt, std::nullopt,
              IceServersGrant{kIceServers, 3600000}},
      IceServersGrant{kIceServers, 3600000},
      IceServersGrant{Json::array(), 0},
  };
  for (const auto& original : envelopes) {
    ASSERT_FALSE(is_sequenced(original));
    const std::string text = encode(original);
    auto decoded = decode_server(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().message;
    EXPECT_EQ(decoded.value(), (Sequenced<ServerEnvelope>{original, 0})) << text;
  }
}

TEST(EnvelopeTest, SequencedServerEnvelopesRoundTrip) {
  const std::vector<ServerEnvelope> envelopes{
      Joined{"lobby", {"peerB", "peerC"}},
      Joined{"empty", {}},
      Joined{"lobby", {"peerB", "peerC"}, Json{{"peerB", "alice"}}},
      Left{"lobby"},
      PeerJoined{"peerB"},
      PeerJoined{"peerB", "alice"},
      PeerLeft{"peerB"},
      SignalFrom{"peerB", kData},
      Published{"peerB", kData},
      DirectFrom{"peerB", 42},
      ErrorReply{ErrorCode::peer_not_found, "no such peer"},
  };
  Seq seq = 1;
  for (const auto& original : envelopes) {
    ASSERT_TRUE(is_sequenced(original));
    const std::string text = encode(original, seq);
    auto decoded = decode_server(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().message;
    EXPECT_EQ(decoded.value(), (Sequenced<ServerEnvelope>{original, seq})) << text;
    ++seq;
  }
}

TEST(EnvelopeTest, TokensAndUsersAreBoundedAndTyped) {
  for (const char* bad : {
           R"({"v":1,"t":"hello","sdk":"x","auth":""})",
           R"({"v":1,"t":"hello","sdk":"x","auth":5})",
           R"({"v":1,"t":"refresh"})",
           R"({"v":1,"t":"refresh","auth":["a"]})",
       }) {
    auto decoded = decode_client(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_envelope) << bad;
  }
  EXPECT_FALSE(decode_client(R"({"v":1,"t":"hello","sdk":"x","auth":")" +
                             std::string(kMaxAuthBytes + 1, 'a') + R"("})")
                   .ok());
  for (
      const char* bad : {
          R"({"v":1,"t":"joined","seq":1,"room":"r","peers":[],"users":["x"]})",
          R"({"v":1,"t":"joined","seq":1,"room":"r","peers":[],"users":{"p":5}})",
          R"({"v":1,"t":"peer-joined","seq":1,"peer":"p","user":""})",
          R"({"v":1,"t":"refreshed"})",
          R"({"v":1,"t":"welcome","peer":"p","session":"s","token":"t","maxMessageBytes":1,"authExpiresInMs":-1})",
      }) {
    EXPECT_FALSE(decode_server(bad).ok()) << bad;
  }
}

TEST(EnvelopeTest, ErrorsOutsideASessionHaveNoSeq) {
  auto decoded = decode_server(encode(ServerEnvelope{ErrorReply{ErrorCode::invalid_state, "x"}}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().seq, 0u);
}

TEST(EnvelopeTest, WireFormIsTheDocumentedOne) {
  EXPECT_EQ(encode(ClientEnvelope{Join{"lobby"}}), R"({"room":"lobby","t":"join","v":1})");
  EXPECT_EQ(encode(ClientEnvelope{Join{"lobby"}}, 3),
            R"({"room":"lobby","seq":3,"t":"join","v":1})");
  EXPECT_EQ(encode(ClientEnvelope{Ack{7}}), R"({"ack":7,"t":"ack","v":1})");
  EXPECT_EQ(encode(ServerEnvelope{GoAway{500, 2}}),
            R"({"ack":2,"reconnectInMs":500,"t":"goaway","v":1})");
  EXPECT_EQ(encode(ServerEnvelope{PeerLeft{"p1"}}), R"({"peer":"p1","t":"peer-left","v":1})");
  EXPECT_EQ(encode(ServerEnvelope{ErrorReply{ErrorCode::not_in_room, "join first"}}),
            R"({"code":"not_in_room","message":"join first","t":"error","v":1})");
  EXPECT_EQ(encode(ClientEnvelope{IceServersRequest{}}), R"({"t":"ice-servers","v":1})");
  EXPECT_EQ(
      encode(ServerEnvelope{IceServersGrant{Json::parse(R"([{"urls":["stun:s"]}])"), 9000}}),
      R"({"iceServers":[{"urls":["stun:s"]}],"iceServersExpireInMs":9000,"t":"ice-servers","v":1})");
  // Without TURN credentials a welcome carries neither field.
  const std::string welcome =
      encode(ServerEnvelope{Welcome{"p", "s", "t", 9, false, 0, std::nullopt, std::nullopt}});
  EXPECT_EQ(welcome.find("iceServers"), std::string::npos) << welcome;
}

TEST(EnvelopeTest, IceServersOfTheServerAreDecodedButNotJudged) {
  // The list itself is the client's to check (like the app's own iceServers): any JSON passes.
  auto odd =
      decode_server(R"({"v":1,"t":"ice-servers","iceServers":"nope","iceServersExpireInMs":5})");
  ASSERT_TRUE(odd.ok()) << odd.error().message;
  EXPECT_EQ(std::get<IceServersGrant>(odd.value().envelope), (IceServersGrant{"nope", 5}));
  // The ice-servers request takes no field; extra ones are ignored like everywhere.
  auto request = decode_client(R"({"v":1,"t":"ice-servers","seq":4,"x":1})");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value(), (Sequenced<ClientEnvelope>{IceServersRequest{}, 0}));
}

TEST(EnvelopeTest, RequestIdsAreEchoedOnJoinedAndError) {
  EXPECT_EQ(encode(ClientEnvelope{Join{"lobby", 4}}, 3),
            R"({"id":4,"room":"lobby","seq":3,"t":"join","v":1})");
  for (const ServerEnvelope& answer :
       {ServerEnvelope{Joined{"lobby", {"p1"}, {}, 4}},
        ServerEnvelope{ErrorReply{ErrorCode::forbidden_room, "no", 4}}}) {
    const std::string text = encode(answer, 2);
    EXPECT_NE(text.find(R"("id":4)"), std::string::npos) << text;
    auto decoded = decode_server(text);
    ASSERT_TRUE(decoded.ok()) << text;
    EXPECT_EQ(decoded.value().envelope, answer);
  }
  for (const char* bad :
       {R"({"v":1,"t":"join","room":"a","id":0})", R"({"v":1,"t":"join","room":"a","id":-2})",
        R"({"v":1,"t":"join","room":"a","id":1.5})", R"({"v":1,"t":"join","room":"a","id":"7"})",
        R"({"v":1,"t":"join","room":"a","id":9007199254740992})"}) {
    auto decoded = decode_client(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_envelope) << bad;
  }
  EXPECT_FALSE(
      decode_server(R"({"v":1,"t":"joined","room":"a","peers":[],"id":"x","seq":1})").ok());
  EXPECT_EQ(peek_request_id(R"({"t":"join","id":12,"room":""})"), 12u);
  EXPECT_EQ(peek_request_id(R"({"t":"join","id":-1})"), 0u);
  EXPECT_EQ(peek_request_id("not json"), 0u);
}

TEST(EnvelopeTest, UnknownFieldsAreIgnored) {
  auto decoded = decode_client(R"({"v":1,"t":"join","room":"r","future":{"x":1}})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().envelope, ClientEnvelope{Join{"r"}});
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
  EXPECT_EQ(decoded.error().origin, base::ErrorOrigin::remote);
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
        BadInput{
            R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":1})",
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
        BadInput{R"({"v":1,"t":"publish"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"publish","data":1,"seq":0})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"publish","data":1,"seq":-1})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"publish","data":1,"seq":1.5})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"publish","data":1,"seq":"1"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"publish","data":1,"seq":9007199254740992})",
                 ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"ack"})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"ack","ack":-3})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"ack","ack":null})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"hello","sdk":"x","resume":1})", ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"hello","sdk":"x","resume":{"token":"t","ack":0}})",
                 ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"hello","sdk":"x","resume":{"session":"s","ack":0}})",
                 ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"hello","sdk":"x","resume":{"session":"s","token":"","ack":0}})",
                 ErrorCode::invalid_envelope},
        BadInput{R"({"v":1,"t":"hello","sdk":"x","resume":{"session":"s","token":"t","ack":"0"}})",
                 ErrorCode::invalid_envelope}));

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
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t"})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","maxMessageBytes":9})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":0})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":-1})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"","token":"t","maxMessageBytes":9})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":9,"resumed":1})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":9,"ack":-1})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":9,"resumeError":3})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":9,"iceServers":[]})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":9,"iceServers":[],"iceServersExpireInMs":-1})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"ice-servers","iceServersExpireInMs":5})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"ice-servers","iceServers":[],"iceServersExpireInMs":"5"})",
       ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"ice-servers","iceServers":[],"iceServersExpireInMs":1.5})",
       ErrorCode::invalid_envelope},
      {R"({"seq":1,"v":1,"t":"joined","room":"r"})", ErrorCode::invalid_envelope},
      {R"({"seq":1,"v":1,"t":"joined","room":"r","peers":["ok","not ok"]})",
       ErrorCode::invalid_peer},
      {R"({"seq":1,"v":1,"t":"joined","room":"r","peers":[1]})", ErrorCode::invalid_peer},
      {R"({"seq":1,"v":1,"t":"peer-joined"})", ErrorCode::invalid_envelope},
      {R"({"seq":1,"v":1,"t":"publish","data":1})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"publish","from":"a","data":1})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"peer-left","peer":"a"})", ErrorCode::invalid_envelope},
      {R"({"seq":0,"v":1,"t":"peer-left","peer":"a"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"error"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"ack"})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"goaway","ack":1})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"goaway","reconnectInMs":-5})", ErrorCode::invalid_envelope},
      {R"({"v":1,"t":"join","room":"r"})", ErrorCode::unknown_type},
  };
  for (const auto& [text, code] : cases) {
    auto decoded = decode_server(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, code) << text;
  }
}

TEST(EnvelopeTest, UnknownResumeErrorFromANewerServerIsInternal) {
  auto decoded = decode_server(
      R"({"v":1,"t":"welcome","peer":"a","session":"s","token":"t","maxMessageBytes":9,"resumeError":"nope"})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<Welcome>(decoded.value().envelope).resume_error, ErrorCode::internal);
}

TEST(EnvelopeTest, UnknownErrorCodeFromANewerServerStillArrives) {
  auto decoded = decode_server(R"({"v":1,"t":"error","code":"quota_exceeded","message":"slow"})");
  ASSERT_TRUE(decoded.ok());
  const auto& reply = std::get<ErrorReply>(decoded.value().envelope);
  EXPECT_EQ(reply.code, ErrorCode::internal);
  EXPECT_EQ(reply.message, "quota_exceeded: slow");
}

// Client envelopes are written as text without a JSON document: byte for byte what dumping the
// document gave (keys sorted, nlohmann's escapes, invalid UTF-8 replaced).
TEST(EnvelopeTest, ClientEnvelopesAreWrittenAsTheirJsonDocumentWouldBe) {
  const Json data = Json::parse(
      "{\"z\":[1,-2,3.5,1e300,\"\\u0001\\\"\\\\\\u007f\",null,true],"
      "\"a\":{\"\u00e9\":\"\u2028\",\"\":[]}}");
  const auto document = [](Json json, Seq seq) {
    json["v"] = kVersion;
    if (seq != 0) json["seq"] = seq;
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
  };
  const std::string bad = "bad \xff byte \x01";
  const std::vector<std::pair<ClientEnvelope, Json>> cases = {
      {Hello{"sdk \"x\"", ResumeRequest{"s\n", "t", 41}, "a.b.c"},
       {{"t", "hello"},
        {"sdk", "sdk \"x\""},
        {"resume", {{"session", "s\n"}, {"token", "t"}, {"ack", 41}}},
        {"auth", "a.b.c"}}},
      {Hello{"x", std::nullopt, std::nullopt}, {{"t", "hello"}, {"sdk", "x"}}},
      {Refresh{bad}, {{"t", "refresh"}, {"auth", bad}}},
      {Join{"lobby \xc3\xa9", 7}, {{"t", "join"}, {"room", "lobby \xc3\xa9"}, {"id", 7}}},
      {Join{bad}, {{"t", "join"}, {"room", bad}}},
      {Leave{}, {{"t", "leave"}}},
      {SignalTo{"peerA", data}, {{"t", "signal"}, {"to", "peerA"}, {"data", data}}},
      {Publish{data}, {{"t", "publish"}, {"data", data}}},
      {Publish{bad}, {{"t", "publish"}, {"data", bad}}},
      {DirectTo{"p", nullptr}, {{"t", "direct"}, {"to", "p"}, {"data", nullptr}}},
      {Ack{kMaxSeq, true}, {{"t", "ack"}, {"ack", kMaxSeq}, {"replay", true}}},
      {Ack{3}, {{"t", "ack"}, {"ack", 3}}},
      {IceServersRequest{}, {{"t", "ice-servers"}}},
  };
  for (const auto& [envelope, json] : cases) {
    for (const Seq seq : {Seq{0}, Seq{77}, kMaxSeq}) {
      EXPECT_EQ(encode(envelope, seq), document(json, seq));
    }
  }
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
