#include "sse_encoding.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rtcwire/engineio/engineio_packet.hpp"

namespace rtcwire::server {
namespace {

using engineio::Packet;
using engineio::PacketType;

// What the client does: the data field is a JSON string whose value is the payload.
std::string payload_of(const std::string& event) {
  EXPECT_TRUE(event.starts_with("data: "));
  EXPECT_TRUE(event.ends_with("\n\n"));
  const std::string json = event.substr(6, event.size() - 8);
  EXPECT_EQ(json.find_first_of("\r\n"), std::string::npos) << "one line";
  return nlohmann::json::parse(json).get<std::string>();
}

TEST(SseEncoding, AnEventIsOneDataLineHoldingThePayloadAsAJsonString) {
  EXPECT_EQ(sse_event("4hello"), "data: \"4hello\"\n\n");
}

TEST(SseEncoding, SeparatorsNewlinesAndBinaryRoundTrip) {
  const std::vector<Packet> packets{
      {PacketType::open, R"({"sid":"abc"})", false},
      {PacketType::message, "line one\nline two\r\nthree\r", false},
      {PacketType::message, std::string("\x00\x01\xff", 3), true},
      {PacketType::message, "\xc3\xa9t\xc3\xa9 \"quoted\" \\ \x1e inside", false},
      {PacketType::ping, "", false},
  };
  const std::string payload = engineio::encode_payload(packets);
  const std::string event = sse_event(payload);
  EXPECT_EQ(payload_of(event), payload);
  // The record separator travels escaped, so the event text holds none.
  EXPECT_EQ(event.find('\x1e'), std::string::npos);
}

TEST(SseEncoding, InvalidUtf8BecomesTheReplacementCharacter) {
  EXPECT_EQ(payload_of(sse_event("4\xff")), "4\xef\xbf\xbd");
}

TEST(SseEncoding, TheHeartbeatIsACommentLine) { EXPECT_EQ(kSseHeartbeat, ": \n\n"); }

// Byte for byte the JSON string nlohmann's dump (invalid UTF-8 replaced) wrote.
TEST(SseEncoding, TheDataLineIsNlohmannsDumpOfThePayload) {
  for (const std::string& payload : {std::string(""),
                                     std::string("4{\"v\":1}\x1e"
                                                 "b AQID"),
                                     std::string("\0\x01\x1f\x7f\\\"", 6),
                                     std::string("caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xae"),
                                     std::string("\xff\xe2\x82 \xed\xa0\x80 \xc0\xaf\xf0\x9f")}) {
    const std::string dumped =
        nlohmann::json(payload).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_EQ(sse_event(payload), "data: " + dumped + "\n\n");
  }
}

}  // namespace
}  // namespace rtcwire::server
