#include "utf8_validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtcwire::server {
namespace {

TEST(Utf8ValidationTest, WellFormedTextOfEveryLengthIsValid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8(
      "\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));
  EXPECT_TRUE(is_valid_utf8(std::string("nul \0 inside", 12)));
}

TEST(Utf8ValidationTest, MalformedTextIsInvalid) {
  EXPECT_FALSE(is_valid_utf8("\x80"));              // a continuation byte first
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));          // overlong 2-byte form
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));      // overlong 3-byte form
  EXPECT_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));  // overlong 4-byte form
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));  // no such lead byte
  EXPECT_FALSE(is_valid_utf8("12345678\xe2\x82"));  // cut short at the end
  EXPECT_FALSE(is_valid_utf8("\xe2\x28\xa1"));      // a continuation byte missing
}

}  // namespace
}  // namespace rtcwire::server
