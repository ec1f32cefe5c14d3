// The room-name character rule shared by client and server (docs/protocol.md §1).
#include "rtcwire/base/unicode_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::base {
namespace {

TEST(UnicodeTextTest, EachCategoryIsRefusedAtItsEdges) {
  for (char32_t refused : {0x00,   0x1F,   0x7F,    0x85,    0x9F,    0xAD,    0x061C, 0x200B,
                           0x200F, 0x2028, 0x2029,  0x202A,  0x202E,  0x2060,  0x2066, 0x206F,
                           0xFEFF, 0xFFFB, 0x1343F, 0x1D173, 0xE0001, 0xE0020, 0xE007F}) {
    EXPECT_TRUE(is_control_format_or_separator(refused))
        << std::hex << static_cast<unsigned>(refused);
  }
  for (char32_t allowed : {0x20, 0x7E, 0xA0, 0xAC, 0xAE, 0x200A, 0x2010, 0x2027, 0x202F, 0x2065,
                           0xFEFE, 0xFFFC, 0x1F389, 0xE0000, 0xE0080, 0x10FFFF}) {
    EXPECT_FALSE(is_control_format_or_separator(allowed))
        << std::hex << static_cast<unsigned>(allowed);
  }
}

TEST(UnicodeTextTest, MalformedUtf8IsNotVisibleText) {
  EXPECT_TRUE(is_visible_utf8("caf\xc3\xa9 \xf0\x9f\x8e\x89"));
  EXPECT_FALSE(is_visible_utf8("\xc3"));                  // truncated
  EXPECT_FALSE(is_visible_utf8("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(is_visible_utf8("\xed\xa0\x80"));          // a surrogate
  EXPECT_FALSE(is_visible_utf8("\xf4\x90\x80\x80"));      // past U+10FFFF
  EXPECT_FALSE(is_visible_utf8("\x80"));                  // a lone continuation byte
  EXPECT_FALSE(is_visible_utf8("\xe2\x82"));              // truncated at the end
  EXPECT_FALSE(is_visible_utf8(std::string("a\0b", 3)));  // NUL
}

TEST(UnicodeTextTest, RoomNamesFromTheIssueAreRefused) {
  // U+0085, U+2028, U+202E and a zero-width space, each inside an otherwise fine name.
  for (const char* name :
       {"a\xc2\x85z", "a\xe2\x80\xa8z", "admin\xe2\x80\xaetxt.exe", "a\xe2\x80\x8bz"}) {
    EXPECT_FALSE(envelope::is_valid_room(name)) << name;
    const auto join =
        envelope::decode_client(std::string(R"({"v":1,"t":"join","room":")") + name + "\"}");
    ASSERT_FALSE(join.ok());
    EXPECT_EQ(join.error().code, ErrorCode::invalid_room);
    EXPECT_NE(join.error().message.find("Cc, Cf, Zl, Zp"), std::string::npos)
        << join.error().message;
  }
  EXPECT_TRUE(envelope::is_valid_room("x code=ok message=\"forged\" peer=ADMIN"))
      << "printable text is allowed; the log quotes it";
}

}  // namespace
}  // namespace rtcwire::base
