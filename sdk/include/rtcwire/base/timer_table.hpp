// Timers as data: a small table of named deadlines. The platform runs one real timer for the
// earliest deadline and calls back with the current time. Model: quinn-proto's TimerTable.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "rtcwire/base/time.hpp"

namespace rtcwire::base {

template <class Name, std::size_t Count>
class TimerTable {
 public:
  void set(Name name, Millis deadline) { deadlines_[index(name)] = deadline; }
  void clear(Name name) { deadlines_[index(name)].reset(); }
  void clear_all() { deadlines_.fill(std::nullopt); }
  bool is_set(Name name) const { return deadlines_[index(name)].has_value(); }
  std::optional<Millis> deadline(Name name) const { return deadlines_[index(name)]; }

  std::optional<Millis> earliest() const {
    std::optional<Millis> best;
    for (const auto& deadline : deadlines_) {
      if (deadline && (!best || *deadline < *best)) best = deadline;
    }
    return best;
  }

  // Removes and returns the timers whose deadline is at or before `now`, earliest first (equal
  // deadlines in table order). A table holds a handful of timers: picking the earliest each time
  // is as fast as sorting, and far less code in the Wasm than a std::sort per table.
  std::vector<Name> take_expired(Millis now) {
    std::vector<Name> names;
    while (true) {
      std::optional<std::size_t> first;
      for (std::size_t i = 0; i < Count; ++i) {
        if (deadlines_[i] && *deadlines_[i] <= now &&
            (!first || *deadlines_[i] < *deadlines_[*first])) {
          first = i;
        }
      }
      if (!first) return names;
      names.push_back(static_cast<Name>(*first));
      deadlines_[*first].reset();
    }
  }

 private:
  static std::size_t index(Name name) { return static_cast<std::size_t>(name); }
  std::array<std::optional<Millis>, Count> deadlines_{};
};

}  // namespace rtcwire::base
