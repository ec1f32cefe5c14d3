#include "rtcwire/session/token_refresh.hpp"

#include <algorithm>

namespace rtcwire::session {

base::Millis token_refresh_delay(base::Millis lifetime) {
  const base::Millis lead = std::clamp(lifetime / 4, base::Millis{500}, base::Millis{60000});
  return std::max(lifetime - lead, base::Millis{0});
}

}  // namespace rtcwire::session
