// When to ask the app for a fresh connection token: a quarter of its lifetime before it expires
// (at least half a second, at most a minute before), so the refresh envelope arrives in time even
// over a slow transport or a slow token endpoint.
#pragma once

#include "rtcwire/base/time.hpp"

namespace rtcwire::session {

// From the moment the server said the token is valid for `lifetime`.
base::Millis token_refresh_delay(base::Millis lifetime);

}  // namespace rtcwire::session
