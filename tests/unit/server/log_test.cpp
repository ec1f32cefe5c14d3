#include "log.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(Log, ControlCharactersCannotForgeLines) {
  EXPECT_EQ(escaped_for_log("unknown type 'x\n2026 connect sid=fake'"),
            "unknown type 'x\\x0a2026 connect sid=fake'");
  EXPECT_EQ(escaped_for_log(std::string("a\0b\r\x7f", 5)), "a\\x00b\\x0d\\x7f");
}

TEST(Log, PrintableTextAndUtf8PassThrough) {
  EXPECT_EQ(escaped_for_log("peer=abc room=caf\xc3\xa9 \"quoted\""),
            "peer=abc room=caf\xc3\xa9 \"quoted\"");
}

}  // namespace
}  // namespace rtcwire::server
