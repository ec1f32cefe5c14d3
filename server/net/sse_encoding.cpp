#include "sse_encoding.hpp"

#include "rtcwire/base/json_writer.hpp"

namespace rtcwire::server {

std::string sse_event(std::string_view payload) {
  std::string event;
  event.reserve(payload.size() + 10);
  event += "data: ";
  base::json_writer::put_string(event, payload);
  event += "\n\n";
  return event;
}

}  // namespace rtcwire::server
