// Writing JSON text piece by piece, for the outputs of the Wasm boundary (no DOM per output), and
// whole DOMs (app data, envelopes), without nlohmann's serializer (3.2 KiB gzip of the Wasm).
// Objects start with their "type", so every later field follows a comma (put_key).
#pragma once

#include <charconv>
#include <concepts>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rtcwire/base/error.hpp"

namespace rtcwire::base::json_writer {

// A JSON string, byte for byte as nlohmann's dump with error_handler_t::replace writes it:
// invalid UTF-8 becomes U+FFFD, control characters are escaped, the rest is copied.
void put_string(std::string& out, std::string_view text);
// The same string in ASCII only, as nlohmann's dump with ensure_ascii writes it: DEL and every
// other character past ASCII as \uXXXX (a surrogate pair past U+FFFF), invalid UTF-8 as \ufffd.
void put_ascii_string(std::string& out, std::string_view text);
// A DOM as nlohmann's dump(-1, ' ', false, error_handler_t::replace) writes it (keys in the DOM's
// order), at any depth; but a double as the shortest text that reads back as the same double
// (its digits may differ from nlohmann's), integral ones with ".0", NaN and infinities as null.
void put_json(std::string& out, const nlohmann::json& value);
void put_bool(std::string& out, bool value);
// `,"name":`
void put_key(std::string& out, std::string_view name);
// `{"type":"<type>"`, left open for the fields.
void open_object(std::string& out, std::string_view type);
// {code, origin, message}
void put_error(std::string& out, const Error& error);

// Every number written fits a double exactly: ids, counts and offsets up to 2^53, milliseconds.
template <std::integral Number>
void put_number(std::string& out, Number value) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

}  // namespace rtcwire::base::json_writer
