// snprintf for the Wasm, integers only. In the module only nlohmann calls snprintf, with integer
// formats ("\\u%04x" in its serializer, "<U+%.4X>" in its parse errors), yet musl's snprintf
// links the whole printf with floating point and long double arithmetic (about 5 KiB gzip).
// The link sends every snprintf call here (-Wl,--wrap=snprintf), to musl's integer-only
// vsniprintf, which formats those the same.
#include <cstdarg>
#include <cstddef>

extern "C" int vsniprintf(char* out, std::size_t size, const char* format, va_list args);

extern "C" int __wrap_snprintf(char* out, std::size_t size, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int written = vsniprintf(out, size, format, args);
  va_end(args);
  return written;
}
