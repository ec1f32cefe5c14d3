#include "rtcwire/peer/ice_server_list.hpp"

#include <algorithm>
#include <string_view>

#include "rtcwire/base/json_fields.hpp"

namespace rtcwire::peer {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxServers = 32;
constexpr std::size_t kMaxUrlsPerServer = 16;
constexpr std::size_t kMaxUrlBytes = 512;
constexpr std::size_t kMaxSecretBytes = 1024;

bool is_ice_url(const Json& url) {
  const std::string* text = base::short_string(url, kMaxUrlBytes);
  if (text == nullptr) return false;
  return text->starts_with("stun:") || text->starts_with("stuns:") || is_turn_url(*text);
}

bool is_valid_server(const Json& server) {
  const Json* urls = base::find_field(server, "urls");
  if (urls == nullptr) return false;
  const bool urls_valid = urls->is_array() ? !urls->empty() && urls->size() <= kMaxUrlsPerServer &&
                                                 std::all_of(urls->begin(), urls->end(), is_ice_url)
                                           : is_ice_url(*urls);
  if (!urls_valid) return false;
  bool has_secret = true;
  for (const char* name : {"username", "credential"}) {
    const Json* text = base::find_field(server, name);
    if (text != nullptr && base::short_string(*text, kMaxSecretBytes) == nullptr) return false;
    has_secret = has_secret && text != nullptr;
  }
  const auto listed = ice_server_urls(Json::array({server}));
  return has_secret || std::none_of(listed.begin(), listed.end(), is_turn_url);
}

}  // namespace

bool is_turn_url(const std::string& url) {
  return url.starts_with("turn:") || url.starts_with("turns:");
}

bool is_valid_ice_server_list(const Json& servers) {
  return servers.is_array() && servers.size() <= kMaxServers &&
         std::all_of(servers.begin(), servers.end(), is_valid_server);
}

std::vector<std::string> ice_server_urls(const Json& servers) {
  std::vector<std::string> urls;
  const auto add = [&](const Json& url) {
    if (url.is_string()) urls.push_back(url.get<std::string>());
  };
  for (const Json& server : servers) {
    const Json* listed = base::find_field(server, "urls");
    if (listed == nullptr) continue;
    if (listed->is_array()) {
      std::for_each(listed->begin(), listed->end(), add);
    } else {
      add(*listed);
    }
  }
  return urls;
}

}  // namespace rtcwire::peer
