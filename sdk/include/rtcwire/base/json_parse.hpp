// Reading untrusted JSON text into nlohmann's DOM.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace rtcwire::base {

// Parses untrusted `text` into a DOM; a discarded value when it is not one whole JSON text or
// nests arrays and objects deeper than `max_depth` (checked first with json_nesting_depth).
// Within that depth it accepts and builds exactly what nlohmann::json::parse(text, nullptr,
// false) does (RFC 8259, strict UTF-8, a leading BOM skipped, a NUL byte after the value ends the
// text, integers as int64/uint64 and doubles past them, the last of duplicate keys), checked
// against it by tests/fuzz/json_parse_fuzzer.cpp. Its own small reader rather than nlohmann's
// lexer and parser, whose code and error messages (which nothing here shows) were about 4 KiB
// gzip of the Wasm.
nlohmann::json parse_json(std::string_view text, int max_depth);

}  // namespace rtcwire::base
