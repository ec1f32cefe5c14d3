#include "url_decoding.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(PercentDecode, Escapes) {
  EXPECT_EQ(percent_decode("/a%20b/%2e%2E"), "/a b/..");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_EQ(percent_decode(""), "");
}

TEST(PercentDecode, PlusIsASpaceOnlyInQueries) {
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
}

TEST(PercentDecode, MalformedEscapesAreRejected) {
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%2"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("%g0"), std::nullopt);
}

TEST(QueryParameter, FindsTheFirstMatchingPair) {
  EXPECT_EQ(query_parameter("EIO=4&transport=websocket", "transport"), "websocket");
  EXPECT_EQ(query_parameter("a=1&a=2", "a"), "1");
  EXPECT_EQ(query_parameter("flag&x=1", "flag"), "");
  EXPECT_EQ(query_parameter("x=a%26b", "x"), "a&b");
  EXPECT_EQ(query_parameter("my+key=v", "my key"), "v");
}

TEST(QueryParameter, AbsentOrUndecodable) {
  EXPECT_EQ(query_parameter("", "x"), std::nullopt);
  EXPECT_EQ(query_parameter("xy=1", "x"), std::nullopt);
  EXPECT_EQ(query_parameter("x=%zz", "x"), std::nullopt);
  EXPECT_EQ(query_parameter("&&=&x", "x"), "");
}

}  // namespace
}  // namespace rtcwire::server
