// Checks on UTF-8 text that names things other people see (rooms): nothing that renders invisibly,
// reorders the text around it, or breaks a line, so a name cannot pose as another or forge a log.
#pragma once

#include <string_view>

namespace rtcwire::base {

// Whether `code_point` is in Unicode general category Cc (control), Cf (format: zero-width
// characters, bidirectional overrides, BOM, tags), Zl (line separator) or Zp (paragraph
// separator). Unicode 15.1.
bool is_control_format_or_separator(char32_t code_point);

// Whether `text` is well-formed UTF-8 (shortest forms only, no surrogates, at most U+10FFFF) with
// no character for which is_control_format_or_separator() holds.
bool is_visible_utf8(std::string_view text);

}  // namespace rtcwire::base
