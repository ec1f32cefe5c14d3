// The one UTF-8 rule (rtcwire/base/utf8.hpp), checked against a reference built the other way
// round: the well-formed sequences are exactly the encodings of the Unicode scalar values.
#include "rtcwire/base/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace rtcwire::base {
namespace {

std::string encode(char32_t code_point) {
  std::string out;
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

bool is_scalar_value(char32_t code_point) {
  return code_point <= 0x10FFFF && (code_point < 0xD800 || code_point > 0xDFFF);
}

// A byte string of up to 4 bytes as one number, its length in the top byte.
std::uint64_t key(std::string_view bytes) {
  std::uint64_t k = bytes.size();
  for (char c : bytes) k = (k << 8) | static_cast<unsigned char>(c);
  return k;
}

// Every encoding of a scalar value (`whole`) and every proper start of one (`starts`).
struct Reference {
  std::vector<std::uint64_t> whole;
  std::vector<std::uint64_t> starts;

  Reference() {
    for (char32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
      if (!is_scalar_value(code_point)) continue;
      const std::string bytes = encode(code_point);
      whole.push_back(key(bytes));
      for (std::size_t n = 1; n < bytes.size(); ++n) starts.push_back(key(bytes.substr(0, n)));
    }
    for (auto* keys : {&whole, &starts}) {
      std::sort(keys->begin(), keys->end());
      keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
    }
  }

  static bool has(const std::vector<std::uint64_t>& keys, std::string_view bytes) {
    return std::binary_search(keys.begin(), keys.end(), key(bytes));
  }

  // The longest start of `text` that is or could still become a character; at least one byte.
  Utf8Sequence expected(std::string_view text) const {
    for (std::size_t n = 1; n <= std::min<std::size_t>(4, text.size()); ++n) {
      const std::string_view start = text.substr(0, n);
      if (has(whole, start)) return {n, true};
      if (!has(starts, start)) return {std::max<std::size_t>(n - 1, 1), false};
    }
    return {std::min<std::size_t>(4, text.size()), false};  // cut short
  }
};

const Reference& reference() {
  static const Reference instance;
  return instance;
}

void expect_sequence(std::string_view text, Utf8Sequence expected) {
  const Utf8Sequence actual = utf8_sequence(text);
  std::string hex;
  for (char c : text) hex += std::to_string(static_cast<unsigned char>(c)) + " ";
  EXPECT_EQ(actual.length, expected.length) << hex;
  EXPECT_EQ(actual.well_formed, expected.well_formed) << hex;
}

TEST(Utf8Test, EveryScalarValueIsOneWellFormedSequenceThatDecodesToIt) {
  for (char32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
    if (!is_scalar_value(code_point)) continue;
    const std::string bytes = encode(code_point);
    const Utf8Sequence sequence = utf8_sequence(bytes + "tail");
    ASSERT_TRUE(sequence.well_formed) << std::hex << static_cast<unsigned>(code_point);
    ASSERT_EQ(sequence.length, bytes.size()) << std::hex << static_cast<unsigned>(code_point);
    ASSERT_EQ(utf8_code_point(bytes), code_point) << std::hex << static_cast<unsigned>(code_point);
  }
}

TEST(Utf8Test, EveryFirstTwoBytesMatchTheReference) {
  // Every lead and second byte, then bytes on both sides of the continuation range.
  for (unsigned first = 0; first < 256; ++first) {
    for (unsigned second = 0; second < 256; ++second) {
      for (unsigned third : {0x7F, 0x80, 0xBF, 0xC0}) {
        for (unsigned fourth : {0x7F, 0x80, 0xBF, 0xC0}) {
          const std::string text{static_cast<char>(first), static_cast<char>(second),
                                 static_cast<char>(third), static_cast<char>(fourth)};
          for (std::size_t cut = 1; cut <= text.size(); ++cut) {
            const std::string_view start = std::string_view(text).substr(0, cut);
            const Utf8Sequence expected = reference().expected(start);
            const Utf8Sequence actual = utf8_sequence(start);
            if (actual.length != expected.length || actual.well_formed != expected.well_formed) {
              expect_sequence(start, expected);
              return;
            }
          }
        }
      }
    }
  }
}

TEST(Utf8Test, BoundaryBytesOfEachRange) {
  expect_sequence("\x7F", {1, true});
  expect_sequence("\x80", {1, false});  // a continuation byte first
  expect_sequence("\xBF", {1, false});
  expect_sequence("\xC0\x80", {1, false});          // overlong 2-byte form of U+0000
  expect_sequence("\xC1\xBF", {1, false});          // overlong 2-byte form of U+007F
  expect_sequence("\xC2\x80", {2, true});           // U+0080
  expect_sequence("\xDF\xBF", {2, true});           // U+07FF
  expect_sequence("\xE0\x9F\xBF", {1, false});      // overlong 3-byte form of U+07FF
  expect_sequence("\xE0\xA0\x80", {3, true});       // U+0800
  expect_sequence("\xED\x9F\xBF", {3, true});       // U+D7FF
  expect_sequence("\xED\xA0\x80", {1, false});      // U+D800, a surrogate
  expect_sequence("\xED\xBF\xBF", {1, false});      // U+DFFF, a surrogate
  expect_sequence("\xEE\x80\x80", {3, true});       // U+E000
  expect_sequence("\xEF\xBF\xBF", {3, true});       // U+FFFF
  expect_sequence("\xF0\x8F\xBF\xBF", {1, false});  // overlong 4-byte form of U+FFFF
  expect_sequence("\xF0\x90\x80\x80", {4, true});   // U+10000
  expect_sequence("\xF4\x8F\xBF\xBF", {4, true});   // U+10FFFF
  expect_sequence("\xF4\x90\x80\x80", {1, false});  // U+110000
  expect_sequence("\xF5\x80\x80\x80", {1, false});  // no such lead byte
  expect_sequence("\xFF", {1, false});
}

TEST(Utf8Test, AnUnfinishedSequenceIsReplacedUpToWhereItBroke) {
  expect_sequence("\xE2\x82", {2, false});  // cut short at the end
  expect_sequence("\xF0\x9F\x98", {3, false});
  expect_sequence("\xE2\x28\xA1", {1, false});  // a continuation byte missing
  expect_sequence(
      "\xF0\x9F\x98"
      "A",
      {3, false});                                  // broken by ASCII after three bytes
  expect_sequence("\xF0\x9F\xC0\x80", {2, false});  // broken by a lead byte
}

TEST(Utf8Test, WholeTextIsValidOnlyWhenEverySequenceIs) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8(
      "\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));
  EXPECT_TRUE(is_valid_utf8(std::string("nul \0 inside", 12)));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("12345678\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x28\xa1"));
}

TEST(Utf8Test, EveryScalarValueInOneTextIsValid) {
  std::string text;
  for (char32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
    if (is_scalar_value(code_point)) text += encode(code_point);
  }
  EXPECT_TRUE(is_valid_utf8(text));
}

TEST(Utf8Test, ABadByteIsFoundAtEveryOffsetAroundTheEightByteSteps) {
  // The ASCII fast path reads eight bytes at a time: a bad byte in any lane, or in the tail.
  for (std::size_t at = 0; at < 20; ++at) {
    for (const std::string_view bad : {"\x80", "\xC0", "\xE2\x82", "\xED\xA0\x80", "\xFF"}) {
      std::string text(20, 'a');
      text.replace(at, bad.size(), bad);
      text.resize(20);
      EXPECT_FALSE(is_valid_utf8(text)) << at;
    }
    std::string euro(20, 'a');  // cut short when it starts in the last two bytes
    euro.replace(at, 3, "\xE2\x82\xAC");
    euro.resize(20);
    EXPECT_EQ(is_valid_utf8(euro), at + 3 <= 20) << at;
  }
}

}  // namespace
}  // namespace rtcwire::base
