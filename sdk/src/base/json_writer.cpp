#include "rtcwire/base/json_writer.hpp"

namespace rtcwire::base::json_writer {

void put_string(std::string& out, std::string_view text) { put_json(out, nlohmann::json(text)); }

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
