// One line per event on stderr, timestamped, written with a single call so lines never interleave.
// Client input never forges a line or a field: in the text format, values that are not plain
// tokens are quoted with `"` and `\` escaped, control characters and invisible or
// direction-changing Unicode characters are escaped; the JSON format is one object per line with
// every string escaped by the JSON encoder (non-ASCII as \uXXXX).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rtcwire::server {

enum class LogFormat { text, json };

// Process-wide: set once at start-up, before anything is logged.
void set_log_format(LogFormat format);

struct LogField {
  std::string key;  // a fixed name chosen by the server, never client input
  std::string value;
  bool quoted = false;  // quote even when the value is a plain token (free text such as reasons)
};
using LogFields = std::vector<LogField>;

// `event` is a fixed name chosen by the server ("connect", "error", ...).
void log_event(std::string_view event, const LogFields& fields);
// A line without fields: written as the event in text, as {"event": message} in JSON.
void log_line(std::string_view message);

// The line (without timestamp and newline) `log_event` writes in each format; for tests.
std::string format_text(std::string_view event, const LogFields& fields);
std::string format_json(std::string_view timestamp, std::string_view event,
                        const LogFields& fields);

// `message` with control characters written as \xNN, invalid UTF-8 bytes as \xNN, and C1
// controls, line/paragraph separators, zero-width, bidirectional and other invisible format
// characters as \u{XXXX}.
std::string escaped_for_log(std::string_view message);

}  // namespace rtcwire::server
