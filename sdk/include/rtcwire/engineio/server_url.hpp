// The server address an app gives, turned into the Engine.IO endpoint of each transport.
#pragma once

#include <string>
#include <string_view>

#include "rtcwire/base/error.hpp"
#include "rtcwire/engineio/transport_action.hpp"

namespace rtcwire::engineio {

struct ServerUrl {
  bool secure = false;    // https/wss
  std::string authority;  // host[:port]
  std::string path;       // Engine.IO path, always ending in '/' (default "/engine.io/")
  std::string query;      // the app's own query parameters, without '?'

  // ws(s)://… for websocket, http(s)://… for sse and polling:
  // authority/path?EIO=4&transport=KIND[&sid=SID][&query]
  std::string endpoint(TransportKind kind, std::string_view sid = {}) const;
  // Identifies the server for remembering which transport worked.
  std::string origin_key() const;
};

// Accepts http, https, ws and wss URLs. A URL whose path is empty or "/" gets "/engine.io/".
base::Result<ServerUrl> parse_server_url(std::string_view url);

}  // namespace rtcwire::engineio
