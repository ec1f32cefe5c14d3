#include "log.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "rtcwire/base/json_writer.hpp"
#include "rtcwire/base/unicode_text.hpp"
#include "rtcwire/base/utf8.hpp"

namespace rtcwire::server {
namespace {

std::atomic<LogFormat> log_format{LogFormat::text};

void append_byte_escape(std::string& out, unsigned char byte) {
  char code[8];
  std::snprintf(code, sizeof code, "\\x%02x", byte);
  out.append(code);
}

// Characters that are invisible, reorder text on screen or break a line (Unicode Cc, Cf, Zl, Zp:
// zero-width and bidirectional marks, U+180E, tag characters, ...), so a reader would not see them.
bool invisible(char32_t code) { return base::is_control_format_or_separator(code); }

// A value that reads as one token after `key=`: no quoting needed.
bool plain_token(std::string_view value) {
  if (value.empty()) return false;
  for (const char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == ':' || c == '/' || c == '[' ||
                    c == ']' || c == '(' || c == ')';
    if (!ok) return false;
  }
  return true;
}

std::string timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t seconds = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  const std::size_t length = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(stamp + length, sizeof stamp - length, ".%03dZ", static_cast<int>(millis));
  return stamp;
}

void write_line(std::string line) {
  line.push_back('\n');
  // Bypasses stdio buffering; a failed write to stderr has nowhere better to be reported.
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

void set_log_format(LogFormat format) { log_format = format; }

std::string escaped_for_log(std::string_view message) {
  std::string escaped;
  escaped.reserve(message.size());
  while (!message.empty()) {
    const auto byte = static_cast<unsigned char>(message.front());
    if (byte < 0x80) {
      if (byte < 0x20 || byte == 0x7f) {
        append_byte_escape(escaped, byte);
      } else {
        escaped.push_back(message.front());
      }
      message.remove_prefix(1);
      continue;
    }
    const base::Utf8Sequence sequence = base::utf8_sequence(message);
    if (!sequence.well_formed) {
      append_byte_escape(escaped, byte);
      message.remove_prefix(1);
      continue;
    }
    const std::size_t length = sequence.length;
    const char32_t code = base::utf8_code_point(message.substr(0, length));
    if (invisible(code)) {
      char text[16];
      std::snprintf(text, sizeof text, "\\u{%04x}", static_cast<unsigned>(code));
      escaped.append(text);
    } else {
      escaped.append(message.substr(0, length));
    }
    message.remove_prefix(length);
  }
  return escaped;
}

std::string format_text(std::string_view event, const LogFields& fields) {
  std::string line = escaped_for_log(event);
  for (const LogField& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    if (!field.quoted && plain_token(field.value)) {
      line += field.value;
      continue;
    }
    // Quotes and backslashes first, so the escapes added next are the only lone backslashes.
    std::string value;
    for (const char c : field.value) {
      if (c == '"' || c == '\\') value += '\\';
      value += c;
    }
    line += '"' + escaped_for_log(value) + '"';
  }
  return line;
}

std::string format_json(std::string_view timestamp, std::string_view event,
                        const LogFields& fields) {
  // A key given twice keeps its first place and takes the later value.
  std::vector<std::pair<std::string_view, std::string_view>> members{{"ts", timestamp},
                                                                     {"event", event}};
  for (const LogField& field : fields) {
    const auto same = std::find_if(members.begin(), members.end(),
                                   [&](const auto& member) { return member.first == field.key; });
    if (same != members.end()) {
      same->second = field.value;
    } else {
      members.emplace_back(field.key, field.value);
    }
  }
  // ASCII only: invisible characters become visible \u escapes; invalid UTF-8 is replaced.
  std::string line = "{";
  for (const auto& [key, value] : members) {
    if (line.size() > 1) line += ',';
    base::json_writer::put_ascii_string(line, key);
    line += ':';
    base::json_writer::put_ascii_string(line, value);
  }
  line += '}';
  return line;
}

void log_event(std::string_view event, const LogFields& fields) {
  const std::string stamp = timestamp();
  if (log_format == LogFormat::json) {
    write_line(format_json(stamp, event, fields));
  } else {
    write_line(stamp + " " + format_text(event, fields));
  }
}

void log_line(std::string_view message) { log_event(message, {}); }

}  // namespace rtcwire::server
