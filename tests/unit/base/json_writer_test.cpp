#include "rtcwire/base/json_writer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtcwire::base::json_writer {
namespace {

using Json = nlohmann::json;

std::string written(std::string_view text) {
  std::string out = "x";  // appended to, never replaced
  put_string(out, text);
  return out.substr(1);
}

std::string dumped(std::string_view text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// ASCII strings are escaped by put_string itself: byte for byte what nlohmann writes.
TEST(JsonWriterTest, StringsAreEscapedAsNlohmannEscapesThem) {
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    for (const std::string& text : {std::string(1, c), "a" + std::string(1, c) + "b",
                                    std::string(3, c), std::string(1, c) + "\"\\"}) {
      EXPECT_EQ(written(text), dumped(text)) << "byte " << byte;
    }
  }
  for (const std::string_view text :
       {std::string_view(""), std::string_view("4{\"v\":1,\"t\":\"direct\",\"data\":\"a\\\\b\"}"),
        std::string_view("\x7f del \x1f unit \t\r\n\b\f"), std::string_view("\0 nul", 5),
        std::string_view("caf\xc3\xa9 \"quoted\""), std::string_view("bad \xff byte \x01")}) {
    EXPECT_EQ(written(text), dumped(text)) << text;
  }
  EXPECT_EQ(written("a\"b\\c\x01"), R"("a\"b\\c\u0001")");
}

}  // namespace
}  // namespace rtcwire::base::json_writer
