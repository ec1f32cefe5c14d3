// Static file mounts: which file, if any, a request path names. The traversal guard lives here.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace rtcwire::server {

struct StaticMount {
  std::string url_prefix;      // "/" or "/js": starts with '/', no trailing '/'
  std::filesystem::path root;  // canonical directory

  bool operator==(const StaticMount&) const = default;
};

enum class StaticOutcome {
  file,         // serve `file`
  redirect,     // a directory named without its trailing '/': redirect to `location`
  not_found,    // nothing (or nothing inside a mount) by that name
  bad_request,  // undecodable path, or one that tries to climb out ("..")
};

struct StaticLookup {
  StaticOutcome outcome = StaticOutcome::not_found;
  std::filesystem::path file;
  std::string location;
};

// `request_path` is the path of the request target, still percent-encoded, without the query.
// The longest matching mount prefix wins. A directory serves its index.html. Whatever the path
// and whatever symlinks the disk holds, only regular files inside a mount root are returned.
StaticLookup resolve_static(std::span<const StaticMount> mounts, std::string_view request_path);

}  // namespace rtcwire::server
