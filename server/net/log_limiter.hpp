// Bounds how many log lines of one kind (an event and its code, never client input) are written
// per window, so a client repeating an error cannot flood the log or stall the server's thread on
// blocking writes. What was left out is counted and reported once the window ends. Sans-I/O: the
// time is an input.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/base/time.hpp"

namespace rtcwire::server {

using base::Millis;

struct SuppressedLines {
  std::string key;
  std::size_t count = 0;

  bool operator==(const SuppressedLines&) const = default;
};

class LogLimiter {
 public:
  LogLimiter(std::size_t lines_per_window, Millis window);

  // Whether a line of kind `key` may be written at `now`; counts it as suppressed when not.
  bool admit(std::string_view key, Millis now);
  // The kinds whose window with suppressed lines has ended by `now`, with their counts; those
  // counts restart from zero.
  std::vector<SuppressedLines> take_suppressed(Millis now);
  // When take_suppressed() next has something to report.
  std::optional<Millis> next_report() const;

 private:
  struct Window {
    Millis start{0};
    std::size_t written = 0;
    std::size_t suppressed = 0;
  };

  std::size_t lines_per_window_;
  Millis window_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace rtcwire::server
