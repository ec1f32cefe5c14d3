#include "rtcwire/base/json_parse.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/same_json.hpp"

namespace rtcwire::base {
namespace {

using Json = nlohmann::json;
using namespace std::string_literals;

// Deeper than any case below: these compare the reader itself with nlohmann's parser.
constexpr int kAnyDepth = 100000;

Json parse(const std::string& text) { return parse_json(text, kAnyDepth); }

void expect_as_nlohmann(const std::string& text, bool accepted) {
  SCOPED_TRACE(text);
  const Json ours = parse(text);
  const Json theirs = Json::parse(text, nullptr, false);
  EXPECT_EQ(!ours.is_discarded(), accepted);
  EXPECT_EQ(!theirs.is_discarded(), accepted);  // the case says what nlohmann does
  if (accepted) {
    EXPECT_TRUE(rtcwire::testing::same_json(ours, theirs));
  }
}

TEST(ParseJsonTest, AcceptsWhatNlohmannAccepts) {
  // A table, packed by hand:
  // clang-format off
  const std::vector<std::string> texts = {
      "0", "-0", "1", "-1", "0.5", "-0.0", "1e5", "1E+5", "1e-5", "2.5e3",
      "18446744073709551615",      // uint64 max
      "18446744073709551616",      // one more: a double
      "-9223372036854775808",      // int64 min
      "-9223372036854775809",      // one less: a double
      "123456789012345678901234567890", "true", "false", "null", R"("")", R"("a\"\\\/\b\f\n\r\t")",
      R"("\u0000")", R"("\u00e9\u20AC")", R"("\ud83d\ude00")", "\"\x7f\"", "\"\xc3\xa9\"",
      "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"", "\"\xf4\x8f\xbf\xbf\"", "\"\xed\x9f\xbf\"",
      "[]", "{}", " \t\r\n[ 1 , [ ] , { } ] \n", R"({"a":1,"b":[true,null,{"c":"d"}]})",
      R"({"k":1,"k":{"x":2}})",    // the last of duplicate keys
      R"({"b":1,"a":2})", "\xEF\xBB\xBF{}",  // a leading BOM
      std::string(5000, '[') + std::string(5000, ']'),
      "1\0"s, "[1]\0garbage"s,  // nlohmann reads NUL between tokens as the end of the input
  };
  // clang-format on
  for (const auto& text : texts) expect_as_nlohmann(text, true);
}

TEST(ParseJsonTest, RefusesWhatNlohmannRefuses) {
  // A table, packed by hand:
  // clang-format off
  const std::vector<std::string> texts = {
      "", " ", "01", "-", "-01", "+1", ".5", "1.", "1.e5", "1e", "1e+", "0x10", "1e400", "-1e400",
      "NaN", "Infinity", "tru", "truex", "nul", "[", "]", "[1,]", "[1 2]", "{", R"({"a"})",
      R"({"a":})", R"({"a":1,})", R"({a:1})", R"({"a" 1})", "{1:2}", "[1]]", "{} {}", "1 2",
      "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", R"("\ud800")", R"("\ud800\u0041")",
      R"("\ude00")", "\"\x01\"", "\"\t\"", "\"\x80\"", "\"\xc0\xaf\"", "\"\xc3\"",
      "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"", "\"\xf0\x80\x80\x80\"", "\"\xf4\x90\x80\x80\"",
      "\"\xf5\x80\x80\x80\"", "\xEF\xBB", "\xEF\xBB\xBF", "/* */ 1", "[1] // c",
      "\0"s, "[1\0]"s, "\"a\0\""s,
      std::string(5000, '[') + std::string(4999, ']'),
  };
  // clang-format on
  for (const auto& text : texts) expect_as_nlohmann(text, false);
}

TEST(ParseJsonTest, KeepsIntegerTypes) {
  EXPECT_TRUE(parse("7").is_number_unsigned());
  EXPECT_TRUE(parse("-7").is_number_integer() && !parse("-7").is_number_unsigned());
  EXPECT_TRUE(parse("7.0").is_number_float());
  EXPECT_TRUE(parse("18446744073709551616").is_number_float());
  EXPECT_EQ(parse(R"({"k":1,"k":2})").at("k"), 2);
  EXPECT_EQ(parse(R"("\ud83d\ude00")").get<std::string>(), "\xf0\x9f\x98\x80");
}

TEST(ParseJsonTest, RefusesTextNestedDeeperThanTheLimit) {
  const std::string deep = std::string(32, '[') + std::string(32, ']');
  EXPECT_FALSE(parse_json(deep, 32).is_discarded());
  EXPECT_TRUE(parse_json("[" + deep + "]", 32).is_discarded());
  EXPECT_TRUE(parse_json(R"({"a":{"b":1}})", 1).is_discarded());
  EXPECT_FALSE(parse_json(R"({"a":"{{{"})", 1).is_discarded());  // brackets in strings do not count
}

}  // namespace
}  // namespace rtcwire::base
