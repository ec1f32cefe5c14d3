#include "rtcwire/base/json_writer.hpp"

#include <cmath>
#include <vector>

#include "rtcwire/base/shortest_double.hpp"
#include "rtcwire/base/utf8.hpp"

namespace rtcwire::base::json_writer {

namespace {

using Json = nlohmann::json;

// The characters JSON requires escaped, as nlohmann escapes them (with ensure_ascii off, DEL and
// non-ASCII characters stay as they are).
bool needs_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

void put_u_escape(std::string& out, char32_t code_unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(code_unit >> shift) & 0xf];
}

void put_escape(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      put_u_escape(out, static_cast<unsigned char>(c));
  }
}

// A JSON string; with kAscii, non-ASCII characters and DEL as \u escapes (put_ascii_string).
template <bool kAscii>
void put_string_as(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run = 0;  // where the bytes not copied yet begin
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (needs_escape(c) || (kAscii && c == '\x7f')) {
        out.append(text, run, i - run);
        put_escape(out, c);
        run = i + 1;
      }
      ++i;
      continue;
    }
    const Utf8Sequence utf8 = utf8_sequence(text.substr(i));
    if constexpr (kAscii) {
      out.append(text, run, i - run);
      const char32_t code_point =
          utf8.well_formed ? utf8_code_point(text.substr(i, utf8.length)) : 0xFFFD;
      if (code_point < 0x10000) {
        put_u_escape(out, code_point);
      } else {  // UTF-16: a high and a low surrogate
        put_u_escape(out, 0xD7C0 + (code_point >> 10));
        put_u_escape(out, 0xDC00 + (code_point & 0x3FF));
      }
      run = i + utf8.length;
    } else if (!utf8.well_formed) {
      out.append(text, run, i - run);
      out += "\xEF\xBF\xBD";
      run = i + utf8.length;
    }
    i += utf8.length;
  }
  out.append(text, run);
  out += '"';
}

// The shortest text that reads back as the same double, and as a double: integral values keep a
// ".0" as nlohmann writes them. JSON has no NaN or infinity: null, as nlohmann writes them.
void put_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
  } else if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
  } else {
    char digits[kShortestDoubleChars];
    const std::string_view text(digits, write_shortest_double(digits, value) - digits);
    out += text;
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
  }
}

// Writes a value that has no members to write, or opens the array or object it is: true when
// it was opened and its first member comes next.
bool put_scalar_or_open(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      if (value.empty()) {
        out += "{}";
        return false;
      }
      out += '{';
      return true;
    case Json::value_t::array:
      if (value.empty()) {
        out += "[]";
        return false;
      }
      out += '[';
      return true;
    case Json::value_t::string:
      put_string(out, value.get_ref<const Json::string_t&>());
      return false;
    case Json::value_t::boolean:
      put_bool(out, value.get<bool>());
      return false;
    case Json::value_t::number_integer:
      put_number(out, value.get<Json::number_integer_t>());
      return false;
    case Json::value_t::number_unsigned:
      put_number(out, value.get<Json::number_unsigned_t>());
      return false;
    case Json::value_t::number_float:
      put_double(out, value.get<Json::number_float_t>());
      return false;
    default:
      // null; binary and discarded values are not JSON and nothing here makes them.
      out += "null";
      return false;
  }
}

// An array or object being written, and the member to write next.
struct Open {
  const Json* container;
  Json::array_t::const_iterator item;
  Json::object_t::const_iterator member;

  explicit Open(const Json& value) : container(&value) {
    if (value.is_array()) {
      item = value.get_ref<const Json::array_t&>().begin();
    } else {
      member = value.get_ref<const Json::object_t&>().begin();
    }
  }
  bool at_end() const {
    return container->is_array() ? item == container->get_ref<const Json::array_t&>().end()
                                 : member == container->get_ref<const Json::object_t&>().end();
  }
  // Writes the key of the next member (after a comma unless it is the first) and takes it.
  const Json& take(std::string& out, bool first) {
    if (!first) out += ',';
    if (container->is_array()) return *item++;
    put_string(out, member->first);
    out += ':';
    return (member++)->second;
  }
};

}  // namespace

void put_string(std::string& out, std::string_view text) { put_string_as<false>(out, text); }

void put_ascii_string(std::string& out, std::string_view text) { put_string_as<true>(out, text); }

void put_json(std::string& out, const nlohmann::json& value) {
  // A loop over a stack of the open arrays and objects, not recursion: app data can nest as deep
  // as it likes here without the call stack growing.
  std::vector<Open> open;
  const Json* next = &value;
  while (true) {
    if (put_scalar_or_open(out, *next)) {
      open.emplace_back(*next);
      next = &open.back().take(out, true);
      continue;
    }
    while (!open.empty() && open.back().at_end()) {
      out += open.back().container->is_array() ? ']' : '}';
      open.pop_back();
    }
    if (open.empty()) return;
    next = &open.back().take(out, false);
  }
}

void put_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

void put_key(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void open_object(std::string& out, std::string_view type) {
  out += "{\"type\":";
  put_string(out, type);
}

void put_error(std::string& out, const Error& error) {
  out += "{\"code\":";
  put_string(out, to_string(error.code));
  put_key(out, "origin");
  put_string(out, to_string(error.origin));
  put_key(out, "message");
  put_string(out, error.message);
  out += '}';
}

}  // namespace rtcwire::base::json_writer
