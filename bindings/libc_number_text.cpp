// Number <-> text for the Wasm, in place of musl's and of the to_chars for double that
// Emscripten's libc++ lacks. Only embind_builtin_types.cpp, base::parse_json and
// base::json_writer call these here: snprintf with "%p" (embind's type names),
// strtoull/strtoll/strtod on number tokens base::parse_json has already checked, and
// base::write_shortest_double. musl's versions bring printf_core and strtod's long double
// arithmetic: about 9.8 KiB gzip, most of the libc code in the module. The link sends those calls
// here (-Wl,--wrap=...); strtod asks the browser, whose Number() rounds correctly, and so does
// write_shortest_double, whose String() writes the shortest digits that read back the same.
#include <emscripten/emscripten.h>

#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstddef>
#include <cstdint>

#include "rtcwire/base/shortest_double.hpp"

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The digits of `text` after an optional sign; `negative` says which sign.
const char* skip_sign(const char* text, bool& negative) {
  negative = *text == '-';
  return (*text == '-' || *text == '+') ? text + 1 : text;
}

// Decimal digits into `value`; false when it would exceed `limit`.
bool accumulate(const char*& cursor, unsigned long long limit, unsigned long long& value) {
  bool fits = true;
  for (; is_digit(*cursor); ++cursor) {
    const unsigned digit = static_cast<unsigned>(*cursor - '0');
    if (value > (limit - digit) / 10) fits = false;
    if (fits) value = value * 10 + digit;
  }
  return fits;
}

// Writes `c` if room is left; counts it either way (snprintf returns the untruncated length).
struct Output {
  char* out;
  std::size_t size;
  std::size_t length = 0;
  void put(char c) {
    if (length + 1 < size) out[length] = c;
    ++length;
  }
};

}  // namespace

EM_JS(double, rtcwire_decimal_to_double, (const char* text, std::size_t length),
      { return Number(UTF8ToString(text, length)); });

// String() of a finite number is ASCII (digits, '-', '.', 'e', '+'): a byte per character.
EM_JS(int, rtcwire_shortest_double_text, (double value, char* out), {
  var text = String(value);
  for (var i = 0; i < text.length; ++i) HEAPU8[out + i] = text.charCodeAt(i);
  return text.length;
})

char* rtcwire::base::write_shortest_double(char* out, double value) {
  return out + rtcwire_shortest_double_text(value, out);
}

extern "C" unsigned long long __wrap_strtoull(const char* text, char** end, int /*base: 10*/) {
  bool negative = false;
  const char* cursor = skip_sign(text, negative);
  const char* digits = cursor;
  unsigned long long value = 0;
  const bool fits = accumulate(cursor, ULLONG_MAX, value);
  if (end) *end = const_cast<char*>(cursor == digits ? text : cursor);
  if (!fits) {
    errno = ERANGE;
    return ULLONG_MAX;
  }
  return negative ? 0 - value : value;
}

extern "C" long long __wrap_strtoll(const char* text, char** end, int /*base: 10*/) {
  bool negative = false;
  const char* cursor = skip_sign(text, negative);
  const char* digits = cursor;
  unsigned long long magnitude = 0;
  const unsigned long long limit = negative ? 0ULL - static_cast<unsigned long long>(LLONG_MIN)
                                            : static_cast<unsigned long long>(LLONG_MAX);
  const bool fits = accumulate(cursor, limit, magnitude);
  if (end) *end = const_cast<char*>(cursor == digits ? text : cursor);
  if (!fits) {
    errno = ERANGE;
    return negative ? LLONG_MIN : LLONG_MAX;
  }
  return negative ? static_cast<long long>(0ULL - magnitude) : static_cast<long long>(magnitude);
}

// A decimal number: sign, digits, fraction, exponent (what JSON allows, and more).
extern "C" double __wrap_strtod(const char* text, char** end) {
  bool negative = false;
  const char* cursor = skip_sign(text, negative);
  const char* mantissa = cursor;
  while (is_digit(*cursor)) ++cursor;
  if (*cursor == '.') {
    ++cursor;
    while (is_digit(*cursor)) ++cursor;
  }
  if (cursor == mantissa || (cursor == mantissa + 1 && *mantissa == '.')) {
    if (end) *end = const_cast<char*>(text);
    return 0;
  }
  if (*cursor == 'e' || *cursor == 'E') {
    const char* exponent = cursor + 1;
    if (*exponent == '+' || *exponent == '-') ++exponent;
    if (is_digit(*exponent)) {
      cursor = exponent;
      while (is_digit(*cursor)) ++cursor;
    }
  }
  if (end) *end = const_cast<char*>(cursor);
  return rtcwire_decimal_to_double(text, static_cast<std::size_t>(cursor - text));
}

// "%p" conversions ("0x" and the address in lowercase hex, no padding) and literal text: the only
// format the Wasm asks for, embind's type names by address (embind_builtin_types.cpp). Any other
// conversion traps rather than write wrong text.
static int format_pointers(char* out, std::size_t size, const char* format, va_list args) {
  Output output{out, size};
  for (const char* cursor = format; *cursor != '\0'; ++cursor) {
    if (*cursor != '%') {
      output.put(*cursor);
      continue;
    }
    if (*++cursor != 'p') __builtin_trap();
    auto address = reinterpret_cast<std::uintptr_t>(va_arg(args, const void*));
    char digits[2 * sizeof address];
    int count = 0;
    do {
      digits[count++] = "0123456789abcdef"[address % 16];
      address /= 16;
    } while (address != 0);
    output.put('0');
    output.put('x');
    while (count > 0) output.put(digits[--count]);
  }
  if (size != 0) out[output.length < size ? output.length : size - 1] = '\0';
  return static_cast<int>(output.length);
}

extern "C" int __wrap_snprintf(char* out, std::size_t size, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int length = format_pointers(out, size, format, args);
  va_end(args);
  return length;
}
