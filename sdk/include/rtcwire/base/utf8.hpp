// The one UTF-8 rule of the SDK and the server: well-formed as RFC 3629 defines it (shortest forms
// only, no surrogates, nothing past U+10FFFF), and what a replacement character stands for when
// the bytes are not (Unicode's "maximal subpart", as nlohmann and the browsers replace).
#pragma once

#include <cstddef>
#include <string_view>

namespace rtcwire::base {

struct Utf8Sequence {
  // Bytes of the character; when not well-formed, bytes that one U+FFFD replaces: the longest
  // start that could still have become a character, at least one byte.
  std::size_t length;
  bool well_formed;
};

// The sequence that `text` (not empty) starts with. Inline: the JSON reader and writer call it
// for every non-ASCII character.
inline Utf8Sequence utf8_sequence(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return {1, true};
  std::size_t count = 0;  // continuation bytes
  unsigned char low = 0x80;
  unsigned char high = 0xBF;  // the range of the first continuation byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    count = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    count = 2;
    if (lead == 0xE0) low = 0xA0;   // no overlong 3-byte forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    count = 3;
    if (lead == 0xF0) low = 0x90;   // no overlong 4-byte forms
    if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return {1, false};  // a continuation byte, C0/C1 (overlong 2-byte forms) or F5..FF
  }
  for (std::size_t i = 1; i <= count; ++i) {
    if (i == text.size()) return {i, false};
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < low || byte > high) return {i, false};
    low = 0x80;
    high = 0xBF;
  }
  return {count + 1, true};
}

// The code point of `sequence`, a whole well-formed sequence (as utf8_sequence() measured it).
inline char32_t utf8_code_point(std::string_view sequence) {
  // The lead byte's payload bits: all 7 of ASCII, then 5, 4 or 3 of a 2-, 3- or 4-byte lead.
  constexpr unsigned char kLeadBits[] = {0x7F, 0x1F, 0x0F, 0x07};
  char32_t code_point = static_cast<unsigned char>(sequence[0]) & kLeadBits[sequence.size() - 1];
  for (std::size_t i = 1; i < sequence.size(); ++i) {
    code_point = (code_point << 6) | (static_cast<unsigned char>(sequence[i]) & 0x3F);
  }
  return code_point;
}

// Whether all of `text` is well-formed UTF-8. A websocket text message must be (RFC 6455 8.1).
bool is_valid_utf8(std::string_view text);

}  // namespace rtcwire::base
