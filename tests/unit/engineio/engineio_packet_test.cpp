#include "rtcwire/engineio/engineio_packet.hpp"

#include <gtest/gtest.h>

namespace rtcwire::engineio {
namespace {

TEST(EngineIoPacketTest, TextFramesRoundTripEveryType) {
  for (char type = '0'; type <= '6'; ++type) {
    const Packet packet{static_cast<PacketType>(type), "payload \xe2\x82\xac", false};
    const std::string frame = encode_text_frame(packet);
    EXPECT_EQ(frame.front(), type);
    auto decoded = decode_text_frame(frame);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value(), packet);
  }
}

TEST(EngineIoPacketTest, DecodesProtocolExamples) {
  // From the Engine.IO v4 protocol document.
  auto ping = decode_text_frame("2probe");
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping.value().type, PacketType::ping);
  EXPECT_EQ(ping.value().data, "probe");
  auto message = decode_text_frame("4hello");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message.value().type, PacketType::message);
  EXPECT_EQ(message.value().data, "hello");
}

TEST(EngineIoPacketTest, RejectsEmptyAndUnknownTypes) {
  for (const char* frame : {"", "7", "9x", "a", "b", "\x1e"}) {
    auto decoded = decode_text_frame(frame);
    ASSERT_FALSE(decoded.ok()) << frame;
    EXPECT_EQ(decoded.error().code, base::ErrorCode::malformed_packet);
    EXPECT_EQ(decoded.error().origin, base::ErrorOrigin::remote);
  }
}

TEST(EngineIoPacketTest, BinaryFrameIsABinaryMessage) {
  const Packet packet = decode_binary_frame(std::string("\x00\x01\xff", 3));
  EXPECT_EQ(packet.type, PacketType::message);
  EXPECT_TRUE(packet.binary);
  EXPECT_EQ(packet.data, std::string("\x00\x01\xff", 3));
}

TEST(EngineIoPayloadTest, MatchesTheProtocolExample) {
  const std::vector<Packet> packets{
      {PacketType::message, "hello", false},
      {PacketType::message, std::string("\x01\x02\x03\x04", 4), true}};
  EXPECT_EQ(encode_payload(packets),
            "4hello\x1e"
            "bAQIDBA==");
  auto decoded = decode_payload(
      "4hello\x1e"
      "bAQIDBA==");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), packets);
}

TEST(EngineIoPayloadTest, RoundTripsManyPackets) {
  std::vector<Packet> packets;
  for (int i = 0; i < 50; ++i) {
    packets.push_back(
        {i % 3 == 0 ? PacketType::ping : PacketType::message, std::to_string(i), false});
    if (i % 7 == 0) packets.push_back({PacketType::message, std::string(i, '\xaa'), true});
  }
  auto decoded = decode_payload(encode_payload(packets));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), packets);
}

TEST(EngineIoPayloadTest, RejectsMalformedPayloads) {
  for (const std::string& payload :
       {std::string(""), std::string("\x1e"), std::string("4a\x1e"),
        std::string("4a\x1e\x1e"
                    "4b"),
        std::string("8x"), std::string("b!!!!"), std::string("bAQ"), std::string("bA=QI")}) {
    auto decoded = decode_payload(payload);
    ASSERT_FALSE(decoded.ok()) << payload;
    EXPECT_EQ(decoded.error().code, base::ErrorCode::malformed_packet);
  }
}

TEST(Base64Test, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value(), bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(Base64Test, RejectsBadInput) {
  for (const char* text : {"Z", "Zm9", "Zm9v!", "====", "Z===", "Zm=v", "Zm8=Zm8="}) {
    EXPECT_FALSE(base64_decode(text).ok()) << text;
  }
}

TEST(OpenInfoTest, RoundTrips) {
  const OpenInfo info{"abc123", {"websocket"}, 300, 200, 4096};
  auto decoded = decode_open_info(encode_open_info(info));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), info);
}

// The keys in the order the nlohmann object it was written from had (sorted): the same bytes.
TEST(OpenInfoTest, EncodesTheSameTextAsBefore) {
  EXPECT_EQ(encode_open_info({"abc123", {"websocket"}, 300, 200, 4096}),
            R"({"maxPayload":4096,"pingInterval":300,"pingTimeout":200,"sid":"abc123",)"
            R"("upgrades":["websocket"]})");
  EXPECT_EQ(encode_open_info({"s", {}, 1, 2, 3}),
            R"({"maxPayload":3,"pingInterval":1,"pingTimeout":2,"sid":"s","upgrades":[]})");
  EXPECT_EQ(encode_open_info({"s", {"websocket", "sse"}, 1, 2, 3}),
            R"({"maxPayload":3,"pingInterval":1,"pingTimeout":2,"sid":"s",)"
            R"("upgrades":["websocket","sse"]})");
}

TEST(OpenInfoTest, DecodesTheStockServerForm) {
  auto decoded = decode_open_info(
      R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().sid, "lv_VI97HAXpY6yYWAAAC");
  EXPECT_EQ(decoded.value().ping_interval_ms, 25000);
  EXPECT_EQ(decoded.value().max_payload, 1000000);
}

TEST(OpenInfoTest, RejectsInvalidFields) {
  for (const char* text :
       {"", "[]", "{}", R"({"sid":""})", R"({"sid":5})", R"({"sid":"a","upgrades":"websocket"})",
        R"({"sid":"a","upgrades":[1]})", R"({"sid":"a","pingInterval":0})",
        R"({"sid":"a","pingInterval":-5})", R"({"sid":"a","pingTimeout":"20000"})",
        R"({"sid":"a","maxPayload":1.5})", R"({"sid":"a","x":[[[[[[]]]]]]})"}) {
    auto decoded = decode_open_info(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, base::ErrorCode::malformed_packet);
  }
}

}  // namespace
}  // namespace rtcwire::engineio
