// Timers as data: a small table of named deadlines. The platform runs one real timer for the
// earliest deadline and calls back with the current time. Model: quinn-proto's TimerTable.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "rtcwire/base/time.hpp"

namespace rtcwire {

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

  // Removes and returns the timers whose deadline is at or before `now`, earliest first.
  std::vector<Name> take_expired(Millis now) {
    std::vector<std::pair<Millis, Name>> expired;
    for (std::size_t i = 0; i < Count; ++i) {
      if (deadlines_[i] && *deadlines_[i] <= now) {
        expired.emplace_back(*deadlines_[i], static_cast<Name>(i));
        deadlines_[i].reset();
      }
    }
    std::sort(expired.begin(), expired.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Name> names;
    for (const auto& entry : expired) names.push_back(entry.second);
    return names;
  }

 private:
  static std::size_t index(Name name) { return static_cast<std::size_t>(name); }
  std::array<std::optional<Millis>, Count> deadlines_{};
};

}  // namespace rtcwire
