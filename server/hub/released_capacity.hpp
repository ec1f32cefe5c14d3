// Emptying a container that a burst grew: clear() keeps the peak allocation, which on many
// mostly idle connections adds up to the memory of their worst moments.
#pragma once

#include <cstddef>
#include <vector>

namespace rtcwire::server {

// Empties `items`; keeps the buffer for reuse only while it holds at most `kept_capacity` entries.
template <typename T>
void clear_releasing_capacity(std::vector<T>& items, std::size_t kept_capacity) {
  if (items.capacity() > kept_capacity) {
    items = std::vector<T>{};
  } else {
    items.clear();
  }
}

}  // namespace rtcwire::server
