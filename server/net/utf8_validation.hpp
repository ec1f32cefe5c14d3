// Whether bytes are well-formed UTF-8 (RFC 3629): shortest forms only, no surrogates, nothing past
// U+10FFFF. A websocket text message must be (RFC 6455 section 8.1).
#pragma once

#include <string_view>

namespace rtcwire::server {

bool is_valid_utf8(std::string_view text);

}  // namespace rtcwire::server
