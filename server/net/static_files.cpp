#include "static_files.hpp"

#include <optional>
#include <system_error>
#include <vector>

#include "url_decoding.hpp"

namespace fs = std::filesystem;

namespace rtcwire::server {
namespace {

// Splits "/a//b/" into {"a", "b"}: empty segments carry no meaning for a file lookup.
std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (!segment.empty()) segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// Number of leading request segments a mount covers, or nullopt when it does not apply.
std::optional<std::size_t> mount_match(const StaticMount& mount,
                                       const std::vector<std::string_view>& request) {
  const auto prefix = segments_of(mount.url_prefix);
  if (prefix.size() > request.size()) return std::nullopt;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != request[i]) return std::nullopt;
  }
  return prefix.size();
}

// Dotfiles (.env, .git/, .htpasswd) hold secrets and tooling, never content to serve.
bool hidden(std::string_view name) { return name.starts_with('.'); }

// The canonical form of `path` if it exists and lies inside `root` (itself canonical), reached
// through no hidden name (a symlink may not lead to a dotfile either).
std::optional<fs::path> inside_root(const fs::path& root, const fs::path& path) {
  std::error_code error;
  fs::path real = fs::canonical(path, error);
  if (error) return std::nullopt;
  const fs::path relative = real.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return std::nullopt;
  for (const fs::path& part : relative) {
    if (part != "." && hidden(part.native())) return std::nullopt;
  }
  return real;
}

bool names_regular_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

bool names_directory(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

StaticLookup refused(StaticOutcome outcome) { return StaticLookup{outcome, {}, {}}; }
StaticLookup found_file(fs::path file) {
  return StaticLookup{StaticOutcome::file, std::move(file), {}};
}

std::string collapse_slashes(std::string_view path) {
  std::string collapsed;
  for (char c : path) {
    if (c == '/' && !collapsed.empty() && collapsed.back() == '/') continue;
    collapsed.push_back(c);
  }
  return collapsed;
}

}  // namespace

StaticLookup resolve_static(std::span<const StaticMount> mounts, std::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/')
    return refused(StaticOutcome::bad_request);
  const auto decoded = percent_decode(request_path);
  if (!decoded) return refused(StaticOutcome::bad_request);
  // A NUL truncates paths in the OS; a backslash is a separator on some systems. Neither belongs
  // in a URL path.
  if (decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) {
    return refused(StaticOutcome::bad_request);
  }
  const auto segments = segments_of(*decoded);
  for (std::string_view segment : segments) {
    if (segment == "." || segment == "..") return refused(StaticOutcome::bad_request);
  }

  const StaticMount* best = nullptr;
  std::size_t best_length = 0;
  for (const StaticMount& mount : mounts) {
    const auto length = mount_match(mount, segments);
    if (length && (best == nullptr || *length > best_length)) {
      best = &mount;
      best_length = *length;
    }
  }
  if (best == nullptr) return refused(StaticOutcome::not_found);

  fs::path candidate = best->root;
  for (std::size_t i = best_length; i < segments.size(); ++i) {
    if (hidden(segments[i])) return refused(StaticOutcome::not_found);
    candidate /= fs::path(segments[i]);
  }
  // canonical() resolves symlinks, so a link pointing out of the mount ends up outside the root.
  const auto real = inside_root(best->root, candidate);
  if (!real) return refused(StaticOutcome::not_found);

  if (names_directory(*real)) {
    if (decoded->back() != '/') {
      return StaticLookup{StaticOutcome::redirect, {}, collapse_slashes(request_path) + "/"};
    }
    const auto index = inside_root(best->root, *real / "index.html");
    if (!index || !names_regular_file(*index)) return refused(StaticOutcome::not_found);
    return found_file(*index);
  }
  if (!names_regular_file(*real)) return refused(StaticOutcome::not_found);
  return found_file(*real);
}

}  // namespace rtcwire::server
