#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "rtcwire/base/json_limits.hpp"

namespace rtcwire::base {

// Parses untrusted `text` into a DOM; a discarded value when it is not one whole JSON text or
// nests arrays and objects deeper than `max_depth` (checked before parsing: nlohmann's parser
// recurses once per level, so a deep text would exhaust the stack).
// Same result as nlohmann::json::parse(text, nullptr, false), but that call builds in both of
// nlohmann's DOM builders (with and without a callback) and this one only the plain one: about
// a KiB less Wasm. It uses nlohmann's parser and DOM builder directly (its detail namespace).
inline nlohmann::json parse_json(std::string_view text, int max_depth) {
  if (json_nesting_depth(text, max_depth) < 0) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  nlohmann::json result;
  nlohmann::detail::json_sax_dom_parser<nlohmann::json> builder(result, false);
  nlohmann::detail::parser<nlohmann::json, nlohmann::detail::iterator_input_adapter<const char*>>(
      nlohmann::detail::input_adapter(text.data(), text.data() + text.size()), nullptr, false)
      .sax_parse(&builder, true);
  if (builder.is_errored()) return nlohmann::json(nlohmann::json::value_t::discarded);
  return result;
}

}  // namespace rtcwire::base
