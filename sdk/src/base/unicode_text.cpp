#include "rtcwire/base/unicode_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>

#include "rtcwire/base/utf8.hpp"

namespace rtcwire::base {
namespace {

// Every code point of categories Cc, Cf, Zl and Zp in Unicode 15.1, as sorted inclusive ranges.
constexpr std::array<std::pair<char32_t, char32_t>, 23> kInvisibleRanges{{
    {0x0000, 0x001F},    // C0 controls
    {0x007F, 0x009F},    // DEL, C1 controls (U+0085 NEL among them)
    {0x00AD, 0x00AD},    // soft hyphen
    {0x0600, 0x0605},    // Arabic number signs
    {0x061C, 0x061C},    // Arabic letter mark
    {0x06DD, 0x06DD},    // Arabic end of ayah
    {0x070F, 0x070F},    // Syriac abbreviation mark
    {0x0890, 0x0891},    // Arabic pound and piastre marks above
    {0x08E2, 0x08E2},    // Arabic disputed end of ayah
    {0x180E, 0x180E},    // Mongolian vowel separator
    {0x200B, 0x200F},    // zero-width space, joiners, LRM, RLM
    {0x2028, 0x202E},    // line and paragraph separators, bidirectional embeddings and overrides
    {0x2060, 0x2064},    // word joiner, invisible operators
    {0x2066, 0x206F},    // bidirectional isolates, deprecated format characters
    {0xFEFF, 0xFEFF},    // zero-width no-break space (BOM)
    {0xFFF9, 0xFFFB},    // interlinear annotation characters
    {0x110BD, 0x110BD},  // Kaithi number sign
    {0x110CD, 0x110CD},  // Kaithi number sign above
    {0x13430, 0x1343F},  // Egyptian hieroglyph format controls
    {0x1BCA0, 0x1BCA3},  // shorthand format controls
    {0x1D173, 0x1D17A},  // musical symbol format controls
    {0xE0001, 0xE0001},  // language tag
    {0xE0020, 0xE007F},  // tag characters
}};

// Decodes the code point starting at text[i] and advances i past it; nothing when the bytes there
// are not well-formed UTF-8.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) {
  const Utf8Sequence sequence = utf8_sequence(text.substr(i));
  if (!sequence.well_formed) return std::nullopt;
  const char32_t code_point = utf8_code_point(text.substr(i, sequence.length));
  i += sequence.length;
  return code_point;
}

}  // namespace

bool is_control_format_or_separator(char32_t code_point) {
  const auto after =
      std::upper_bound(kInvisibleRanges.begin(), kInvisibleRanges.end(), code_point,
                       [](char32_t value, const std::pair<char32_t, char32_t>& range) {
                         return value < range.first;
                       });
  return after != kInvisibleRanges.begin() && code_point <= std::prev(after)->second;
}

bool is_visible_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::optional<char32_t> code_point = next_code_point(text, i);
    if (!code_point || is_control_format_or_separator(*code_point)) return false;
  }
  return true;
}

}  // namespace rtcwire::base
