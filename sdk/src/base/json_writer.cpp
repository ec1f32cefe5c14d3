#include "rtcwire/base/json_writer.hpp"

namespace rtcwire::base::json_writer {

namespace {

// The characters JSON requires escaped in ASCII text, as nlohmann escapes them (with ensure_ascii
// off, DEL stays as it is).
bool needs_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

void put_escape(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789abcdef";
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
      out += "\\u00";
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
  }
}

}  // namespace

void put_string(std::string& out, std::string_view text) {
  // Text with non-ASCII bytes goes through nlohmann, which also replaces invalid UTF-8. ASCII
  // (every name, id and frame the core writes) is escaped here, the same way, without the JSON
  // value and serializer nlohmann would allocate for it.
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      put_json(out, nlohmann::json(text));
      return;
    }
  }
  out += '"';
  std::size_t run = 0;  // where the characters not copied yet begin
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!needs_escape(text[i])) continue;
    out.append(text, run, i - run);
    put_escape(out, text[i]);
    run = i + 1;
  }
  out.append(text, run);
  out += '"';
}

void put_json(std::string& out, const nlohmann::json& value) {
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
