// One line per event on stderr, timestamped, written with a single call so lines never interleave.
// Control characters are escaped: messages quote client input, which must not forge log lines.
#pragma once

#include <string>
#include <string_view>

namespace rtcwire::server {

void log_line(std::string_view message);

// `message` with control characters written as \xNN.
std::string escaped_for_log(std::string_view message);

}  // namespace rtcwire::server
