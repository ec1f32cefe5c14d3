#include "log_limiter.hpp"

namespace rtcwire::server {

LogLimiter::LogLimiter(std::size_t lines_per_window, Millis window)
    : lines_per_window_(lines_per_window), window_(window) {}

bool LogLimiter::admit(std::string_view key, Millis now) {
  auto found = windows_.find(key);
  if (found == windows_.end()) found = windows_.emplace(std::string(key), Window{now}).first;
  Window& window = found->second;
  // A new window starts only once the previous one's suppressed lines were reported.
  if (now >= window.start + window_ && window.suppressed == 0) window = Window{now};
  if (window.written < lines_per_window_ && window.suppressed == 0) {
    ++window.written;
    return true;
  }
  ++window.suppressed;
  return false;
}

std::vector<SuppressedLines> LogLimiter::take_suppressed(Millis now) {
  std::vector<SuppressedLines> report;
  for (auto& [key, window] : windows_) {
    if (window.suppressed == 0 || now < window.start + window_) continue;
    report.push_back({key, window.suppressed});
    window = Window{now};
  }
  return report;
}

std::optional<Millis> LogLimiter::next_report() const {
  std::optional<Millis> earliest;
  for (const auto& [key, window] : windows_) {
    if (window.suppressed == 0) continue;
    const Millis due = window.start + window_;
    if (!earliest || due < *earliest) earliest = due;
  }
  return earliest;
}

}  // namespace rtcwire::server
