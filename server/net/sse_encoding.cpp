#include "sse_encoding.hpp"

#include <nlohmann/json.hpp>

namespace rtcwire::server {

std::string sse_event(std::string_view payload) {
  const std::string json =
      nlohmann::json(payload).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string event;
  event.reserve(json.size() + 8);
  event.append("data: ").append(json).append("\n\n");
  return event;
}

}  // namespace rtcwire::server
