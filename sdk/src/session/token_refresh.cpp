#include "rtcwire/session/token_refresh.hpp"

#include <algorithm>

namespace rtcwire {

Millis token_refresh_delay(Millis lifetime) {
  const Millis lead = std::clamp(lifetime / 4, Millis{500}, Millis{60000});
  return std::max(lifetime - lead, Millis{0});
}

}  // namespace rtcwire
