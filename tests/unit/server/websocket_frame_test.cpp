#include "websocket_frame.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtcwire::server {
namespace {

std::string header(WebSocketOpcode opcode, std::uint64_t length) {
  std::string out;
  append_frame_header(out, opcode, length);
  return out;
}

TEST(WebSocketFrameTest, ShortPayloadsHaveTheLengthInTheSecondByte) {
  EXPECT_EQ(header(WebSocketOpcode::text, 0), std::string("\x81\x00", 2));
  EXPECT_EQ(header(WebSocketOpcode::text, 65), "\x81\x41");
  EXPECT_EQ(header(WebSocketOpcode::binary, 125), "\x82\x7d");
}

TEST(WebSocketFrameTest, PayloadsUpTo64KiBHaveA16BitLength) {
  EXPECT_EQ(header(WebSocketOpcode::text, 126), std::string("\x81\x7e\x00\x7e", 4));
  EXPECT_EQ(header(WebSocketOpcode::binary, 0xFFFF), "\x82\x7e\xff\xff");
}

TEST(WebSocketFrameTest, LongerPayloadsHaveA64BitLengthInNetworkOrder) {
  EXPECT_EQ(header(WebSocketOpcode::text, 0x10000),
            std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(header(WebSocketOpcode::binary, 0x0102030405060708),
            "\x82\x7f\x01\x02\x03\x04\x05\x06\x07\x08");
}

TEST(WebSocketFrameTest, HeadersAppendAfterWhatIsAlreadyThere) {
  std::string out = "earlier";
  append_frame_header(out, WebSocketOpcode::text, 3);
  out += "abc";
  EXPECT_EQ(out,
            "earlier\x81\x03"
            "abc");
}

}  // namespace
}  // namespace rtcwire::server
