#include "mime_types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace rtcwire::server {
namespace {

// Longest suffix first, so ".d.ts" wins over a shorter match.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypesBySuffix{{
    {".d.ts", "text/plain; charset=utf-8"},  // declarations are read, not executed
    {".html", "text/html; charset=utf-8"},
    {".json", "application/json"},
    {".wasm", "application/wasm"},
    {".htm", "text/html; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".jpg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ts", "text/plain; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
}};

}  // namespace

std::string_view mime_type_for(std::string_view file_name) {
  std::string lower(file_name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [suffix, type] : kTypesBySuffix) {
    if (lower.ends_with(suffix)) return type;
  }
  return "application/octet-stream";
}

}  // namespace rtcwire::server
