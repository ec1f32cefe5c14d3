// The digits of a double for JSON text: one definition per build, each from a correctly rounding
// source. Natively sdk/src/base/shortest_double.cpp (std::to_chars); in the Wasm
// bindings/libc_number_text.cpp (the browser's String()), since Emscripten's libc++ has no
// to_chars for double and musl's printf is not linked.
#pragma once

namespace rtcwire::base {

// Room for the longest text write_shortest_double writes ("-0.0000012345678901234567", 25).
inline constexpr int kShortestDoubleChars = 32;

// Writes the shortest decimal text that reads back as `value` (finite and not zero), as
// std::to_chars or JavaScript's String() writes it: "0.1", "1e+21", "5e-324", "100" (no ".0");
// every such text is a JSON number. Returns the end of the text.
char* write_shortest_double(char* out, double value);

}  // namespace rtcwire::base
