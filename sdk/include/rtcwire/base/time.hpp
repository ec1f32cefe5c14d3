// Time is an input: every call that may depend on it takes `now` as milliseconds since an
// arbitrary origin chosen by the caller (performance.now() in the browser, a fake clock in tests).
#pragma once

#include <chrono>

namespace rtcwire::base {

using Millis = std::chrono::milliseconds;

}  // namespace rtcwire::base
