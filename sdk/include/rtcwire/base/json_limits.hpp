// Guards applied to untrusted JSON text before it reaches the parser.
#pragma once

#include <string_view>

namespace rtcwire::base {

// Nesting depth of arrays/objects in JSON text, or -1 once it exceeds `limit` (scanning stops
// there). Strings are skipped, so brackets inside them do not count.
int json_nesting_depth(std::string_view text, int limit);

}  // namespace rtcwire::base
