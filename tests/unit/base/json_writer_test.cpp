#include "rtcwire/base/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/same_json.hpp"
#include "rtcwire/base/json_parse.hpp"

namespace rtcwire::base::json_writer {
namespace {

using Json = nlohmann::json;

std::string written_string(std::string_view text) {
  std::string out = "x";  // appended to, never replaced
  put_string(out, text);
  return out.substr(1);
}

std::string written(const Json& value) {
  std::string out = "x";
  put_json(out, value);
  return out.substr(1);
}

std::string dumped(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += kHex[static_cast<unsigned char>(c) >> 4];
    out += kHex[static_cast<unsigned char>(c) & 0xf];
    out += ' ';
  }
  return out;
}

// Every ASCII byte, alone and among others: byte for byte what nlohmann writes.
TEST(JsonWriterTest, StringsAreEscapedAsNlohmannEscapesThem) {
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    for (const std::string& text : {std::string(1, c), "a" + std::string(1, c) + "b",
                                    std::string(3, c), std::string(1, c) + "\"\\"}) {
      EXPECT_EQ(written_string(text), dumped(Json(text))) << "byte " << byte;
    }
  }
  for (const std::string_view text :
       {std::string_view(""), std::string_view("4{\"v\":1,\"t\":\"direct\",\"data\":\"a\\\\b\"}"),
        std::string_view("\x7f del \x1f unit \t\r\n\b\f"), std::string_view("\0 nul", 5),
        std::string_view("caf\xc3\xa9 \"quoted\""), std::string_view("bad \xff byte \x01")}) {
    EXPECT_EQ(written_string(text), dumped(Json(std::string(text)))) << text;
  }
  EXPECT_EQ(written_string("a\"b\\c\x01"), R"("a\"b\\c\u0001")");
}

// Well-formed UTF-8 is copied; each ill-formed part becomes one U+FFFD exactly where nlohmann
// puts one: every string of up to four bytes drawn from the bytes where UTF-8's rules change
// (lead and continuation ranges, overlong and surrogate edges, bytes no UTF-8 has).
TEST(JsonWriterTest, InvalidUtf8IsReplacedAsNlohmannReplacesIt) {
  const std::vector<char> bytes = {'\x00', '"',    'A',    '\\',   '\x7f', '\x80', '\x8f',
                                   '\x90', '\x9f', '\xa0', '\xbf', '\xc0', '\xc1', '\xc2',
                                   '\xdf', '\xe0', '\xe1', '\xec', '\xed', '\xee', '\xef',
                                   '\xf0', '\xf1', '\xf3', '\xf4', '\xf5', '\xff'};
  std::string text;
  int differences = 0;  // the first ten are shown
  const auto check_all = [&](auto& self, int length) -> void {
    if (written_string(text) != dumped(Json(text)) && ++differences <= 10) {
      ADD_FAILURE() << "differs for bytes " << hex(text);
    }
    if (length == 4) return;
    for (const char b : bytes) {
      text.push_back(b);
      self(self, length + 1);
      text.pop_back();
    }
  };
  check_all(check_all, 0);
  EXPECT_EQ(differences, 0);
  EXPECT_EQ(written_string("\xf0\x9f\x98\x80 \xe2\x82\xac"), "\"\xf0\x9f\x98\x80 \xe2\x82\xac\"");
  EXPECT_EQ(written_string("a\xf0\x9f\x98"), "\"a\xef\xbf\xbd\"");  // cut short: one
  EXPECT_EQ(written_string("\xe0\x80\x80"),
            "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong
  EXPECT_EQ(written_string("\xed\xa0\x80z"),
            "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"");  // surrogate
}

std::string written_ascii_string(std::string_view text) {
  std::string out = "x";
  put_ascii_string(out, text);
  return out.substr(1);
}

std::string dumped_ascii(const Json& value) {
  return value.dump(-1, ' ', true, Json::error_handler_t::replace);
}

// ASCII only, as nlohmann's ensure_ascii writes it: every byte, every scalar value, and every
// string of up to four bytes drawn from the bytes where UTF-8's rules change.
TEST(JsonWriterTest, AsciiStringsAreEscapedAsNlohmannEscapesThemWithEnsureAscii) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string text = "a" + std::string(1, static_cast<char>(byte)) + "b";
    EXPECT_EQ(written_ascii_string(text), dumped_ascii(Json(text))) << "byte " << byte;
  }
  std::string every;  // each scalar value once, U+0000 to U+10FFFF, in UTF-8
  for (char32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
    if (code_point >= 0xD800 && code_point <= 0xDFFF) continue;
    if (code_point < 0x80) {
      every += static_cast<char>(code_point);
      continue;
    }
    const int tail = code_point < 0x800 ? 1 : code_point < 0x10000 ? 2 : 3;
    constexpr unsigned kLead[] = {0, 0xC0, 0xE0, 0xF0};
    every += static_cast<char>(kLead[tail] | (code_point >> (6 * tail)));
    for (int shift = 6 * (tail - 1); shift >= 0; shift -= 6) {
      every += static_cast<char>(0x80 | ((code_point >> shift) & 0x3F));
    }
  }
  const std::string ours = written_ascii_string(every);
  EXPECT_TRUE(ours == dumped_ascii(Json(every)));
  for (const char c : ours) ASSERT_LT(static_cast<unsigned char>(c), 0x80);
  const std::vector<char> bytes = {'\x00', '"',    'A',    '\\',   '\x7f', '\x80', '\x8f',
                                   '\x90', '\x9f', '\xa0', '\xbf', '\xc0', '\xc1', '\xc2',
                                   '\xdf', '\xe0', '\xe1', '\xec', '\xed', '\xee', '\xef',
                                   '\xf0', '\xf1', '\xf3', '\xf4', '\xf5', '\xff'};
  std::string text;
  int differences = 0;  // the first ten are shown
  const auto check_all = [&](auto& self, int length) -> void {
    if (written_ascii_string(text) != dumped_ascii(Json(text)) && ++differences <= 10) {
      ADD_FAILURE() << "differs for bytes " << hex(text);
    }
    if (length == 4) return;
    for (const char b : bytes) {
      text.push_back(b);
      self(self, length + 1);
      text.pop_back();
    }
  };
  check_all(check_all, 0);
  EXPECT_EQ(differences, 0);
  EXPECT_EQ(written_ascii_string("\xf0\x9f\x98\x80 \xc3\xa9\x7f\xff"),
            R"("\ud83d\ude00 \u00e9\u007f\ufffd")");
}

TEST(JsonWriterTest, ScalarsAreWrittenAsNlohmannWritesThem) {
  for (const Json& value : {Json(nullptr), Json(true), Json(false), Json(0), Json(-1), Json(42u),
                            Json(std::numeric_limits<std::int64_t>::min()),
                            Json(std::numeric_limits<std::int64_t>::max()),
                            Json(std::numeric_limits<std::uint64_t>::max()), Json("text")}) {
    EXPECT_EQ(written(value), dumped(value)) << dumped(value);
  }
}

// Arrays and objects, empty and nested, keys escaped and in the DOM's order.
TEST(JsonWriterTest, ArraysAndObjectsAreWrittenAsNlohmannWritesThem) {
  const Json value = parse_json(
      R"({"z":[],"a":{},"m":[1,[2,[]],{"k":null}],"\u0001\"":{"b":true,"a":"x\ny"},"":[[{}]]})",
      64);
  ASSERT_FALSE(value.is_discarded());
  EXPECT_EQ(written(value), dumped(value));
  Json invalid_keys = Json::object();
  invalid_keys["\xff"] = "\xc3";
  invalid_keys["ok"] = Json::array({"\xe2\x82", 1});
  EXPECT_EQ(written(invalid_keys), dumped(invalid_keys));
  EXPECT_EQ(written(Json::array()), "[]");
  EXPECT_EQ(written(Json::object()), "{}");
}

// Far deeper than the call stack could recurse: the writer keeps its own stack.
TEST(JsonWriterTest, DeepNestingIsWrittenWithoutRecursion) {
  constexpr int kDepth = 200000;
  Json arrays = Json::array();
  Json objects = 1;
  for (int i = 1; i < kDepth; ++i) arrays = Json::array({std::move(arrays)});
  for (int i = 0; i < kDepth; ++i) objects = Json{{"k", std::move(objects)}};
  EXPECT_EQ(written(arrays), std::string(kDepth, '[') + std::string(kDepth, ']'));
  std::string expected;
  for (int i = 0; i < kDepth; ++i) expected += "{\"k\":";
  expected += '1';
  expected.append(kDepth, '}');
  EXPECT_EQ(written(objects), expected);
}

bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The text reads back as a double with the same bits.
void expect_round_trip(double value) {
  const std::string text = written(Json(value));
  const Json back = parse_json(text, 1);
  ASSERT_TRUE(back.is_number_float()) << text;
  EXPECT_TRUE(same_double(back.get<double>(), value)) << text;
}

TEST(JsonWriterTest, DoublesAreTheShortestTextThatReadsBackAsTheSameDouble) {
  EXPECT_EQ(written(Json(0.1)), "0.1");
  EXPECT_EQ(written(Json(-2.5e-3)), "-0.0025");
  EXPECT_EQ(written(Json(0.30000000000000004)), "0.30000000000000004");
  EXPECT_EQ(written(Json(5e-324)), "5e-324");
  EXPECT_EQ(written(Json(1.7976931348623157e308)), "1.7976931348623157e+308");
  EXPECT_EQ(written(Json(1e21)), "1e+21");
  for (const double value :
       {0.1, -2.5e-3, 1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        0.30000000000000004, 3.141592653589793, 123456789012345680000.0, 1e21, 1e22, -1e-300}) {
    expect_round_trip(value);
  }
  std::mt19937_64 random(20261204);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t bits = random();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    if (std::isfinite(value)) expect_round_trip(value);
  }
}

// An integral double stays a double: nlohmann reads "1" back as an integer, "1.0" as a double.
TEST(JsonWriterTest, IntegralDoublesKeepTheirFraction) {
  EXPECT_EQ(written(Json(1.0)), "1.0");
  EXPECT_EQ(written(Json(-42.0)), "-42.0");
  EXPECT_EQ(written(Json(0.0)), "0.0");
  EXPECT_EQ(written(Json(-0.0)), "-0.0");
  EXPECT_EQ(written(Json(9007199254740992.0)), "9007199254740992.0");
  for (const double value :
       {1.0, -42.0, 0.0, -0.0, 1e15, 1e16, 1e20, 9007199254740992.0, 18446744073709551616.0}) {
    expect_round_trip(value);
  }
}

// JSON has no NaN or infinity: nlohmann writes null, and so does the writer.
TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  for (const double value :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(written(Json(value)), "null");
    EXPECT_EQ(written(Json(value)), dumped(Json(value)));
  }
}

TEST(JsonWriterTest, ADomWithDoublesReadsBackAsTheSameDom) {
  const Json value = parse_json(R"({"b":[1.5,-0.0,1E5,{"x":2e-308}],"a":0.1,"i":7,"u":1.0})", 8);
  ASSERT_FALSE(value.is_discarded());
  const Json back = parse_json(written(value), 8);
  EXPECT_TRUE(testing::same_json(back, value)) << written(value);
}

}  // namespace
}  // namespace rtcwire::base::json_writer
