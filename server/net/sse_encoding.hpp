// The wire format of the SSE transport (rtcwire's extension of Engine.IO v4): every event is one
// `data:` line holding a JSON string whose value is an Engine.IO polling payload. The JSON string
// keeps the payload on one line and lossless whatever characters it contains.
#pragma once

#include <string>
#include <string_view>

namespace rtcwire::server {

// A comment line: ignored by EventSource, it keeps proxies from closing an idle stream.
inline constexpr std::string_view kSseHeartbeat = ": \n\n";

// `data: "<payload as a JSON string>"\n\n`. Invalid UTF-8 becomes U+FFFD (JSON strings are UTF-8).
std::string sse_event(std::string_view payload);

}  // namespace rtcwire::server
