#include "rtcwire/engineio/server_url.hpp"

namespace rtcwire::engineio {
namespace {

base::Error bad_url(std::string message) {
  return base::local_error(base::ErrorCode::invalid_argument, "server URL " + std::move(message));
}

bool has_unsafe_characters(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f || c == '#' || c == '\\') return true;
  }
  return false;
}

}  // namespace

std::string ServerUrl::endpoint(TransportKind kind, std::string_view sid) const {
  const bool websocket = kind == TransportKind::websocket;
  std::string url = websocket ? (secure ? "wss://" : "ws://") : (secure ? "https://" : "http://");
  url += authority;
  url += path;
  url += "?EIO=4&transport=";
  url += to_string(kind);
  if (!sid.empty()) {
    url += "&sid=";
    url += sid;  // server-chosen ids are URL-safe (checked when the open packet is decoded)
  }
  if (!query.empty()) {
    url += '&';
    url += query;
  }
  return url;
}

std::string ServerUrl::origin_key() const {
  return std::string(secure ? "https://" : "http://") + authority + path;
}

base::Result<ServerUrl> parse_server_url(std::string_view url) {
  if (url.size() > 2048) return bad_url("is longer than 2048 characters");
  if (has_unsafe_characters(url)) return bad_url("contains spaces, control characters or '#'");
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad_url("needs a scheme (http, https, ws, wss)");
  const std::string_view scheme = url.substr(0, scheme_end);
  ServerUrl result;
  if (scheme == "https" || scheme == "wss") {
    result.secure = true;
  } else if (scheme != "http" && scheme != "ws") {
    return bad_url("scheme must be http, https, ws or wss");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?");
  result.authority = std::string(rest.substr(0, authority_end));
  if (result.authority.empty() || result.authority.find('@') != std::string::npos) {
    return bad_url("needs a host (and no user info)");
  }
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  const std::size_t query_start = rest.find('?');
  std::string_view path = rest.substr(0, query_start);
  if (query_start != std::string_view::npos)
    result.query = std::string(rest.substr(query_start + 1));
  if (path.empty() || path == "/") path = "/engine.io/";
  result.path = std::string(path);
  if (result.path.back() != '/') result.path.push_back('/');
  return result;
}

}  // namespace rtcwire::engineio
