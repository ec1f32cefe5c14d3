// Feeds untrusted bytes to the server's own decoders and encoders, the first byte choosing which:
// URL decoding, static path resolution, Engine.IO request routing, SSE event encoding, forwarding
// headers of trusted proxies, and log line formatting. Besides crashes and sanitizer reports,
// each checks the property the server relies on, and aborts when it does not hold.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "engineio_handshake.hpp"
#include "log.hpp"
#include "sse_encoding.hpp"
#include "static_files.hpp"
#include "trusted_proxies.hpp"
#include "url_decoding.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rtcwire::server;
using rtcwire::engineio::TransportKind;

void require(bool holds) {
  if (!holds) std::abort();
}

void fuzz_url_decoding(std::string_view input) {
  const Target target = split_target(input);
  require(target.path.size() + target.query.size() <= input.size());
  for (const bool plus : {false, true}) {
    if (const auto decoded = percent_decode(input, plus)) require(decoded->size() <= input.size());
  }
  for (const std::string_view name : {"EIO", "transport", "sid", ""}) {
    (void)query_parameter(target.query, name);
  }
}

// A mount with files, a dotfile, a hidden folder and symlinks in and out, made once.
const std::vector<StaticMount>& mounts() {
  static const std::vector<StaticMount> made = [] {
    const fs::path base =
        fs::temp_directory_path() / ("rtcwire_fuzz_static_" + std::to_string(::getpid()));
    fs::remove_all(base);
    fs::create_directories(base / "site/sub");
    fs::create_directories(base / "site/.git");
    fs::create_directories(base / "js");
    for (const char* file : {"secret.txt", "site/index.html", "site/sub/index.html", "site/.env",
                             "site/.git/config", "site/a b.txt", "js/x.mjs"}) {
      std::ofstream(base / file) << file;
    }
    fs::create_symlink(base / "secret.txt", base / "site/leak.txt");
    fs::create_symlink(base / "site/.env", base / "site/env.txt");
    fs::create_directory_symlink(base, base / "site/up");
    return std::vector<StaticMount>{{"/", fs::canonical(base / "site")},
                                    {"/js", fs::canonical(base / "js")}};
  }();
  return made;
}

void fuzz_static_resolution(std::string_view input) {
  const StaticLookup lookup = resolve_static(mounts(), input);
  if (lookup.outcome != StaticOutcome::file) return;
  // Whatever was asked, a file served lies inside a mount and behind no hidden name.
  bool inside = false;
  for (const StaticMount& mount : mounts()) {
    const fs::path relative = lookup.file.lexically_relative(mount.root);
    if (relative.empty() || *relative.begin() == "..") continue;
    inside = true;
    for (const fs::path& part : relative) require(!part.native().starts_with('.'));
  }
  require(inside);
}

void fuzz_engineio_routing(std::string_view input) {
  if (input.size() < 2) return;
  const auto method = static_cast<RequestMethod>(static_cast<unsigned char>(input[0]) % 3);
  const bool upgrade = (input[1] & 1) != 0;
  TransportSet enabled = TransportSet::none();
  if (input[1] & 2) enabled.insert(TransportKind::websocket);
  if (input[1] & 4) enabled.insert(TransportKind::polling);
  if (input[1] & 8) enabled.insert(TransportKind::sse);
  const auto routed =
      route_engineio_request({method, upgrade, input.substr(2)}, enabled,
                             [](std::string_view sid) -> std::optional<SessionView> {
                               if (sid == "ws") return SessionView{TransportKind::websocket, false};
                               if (sid == "poll") return SessionView{TransportKind::polling, false};
                               if (sid == "sse") return SessionView{TransportKind::sse, false};
                               if (sid == "busy") return SessionView{TransportKind::polling, true};
                               return std::nullopt;
                             });
  if (const auto* route = std::get_if<EngineIoRoute>(&routed)) {
    require(enabled.contains(route->transport));
    require(route->action == EngineIoAction::open || !route->sid.empty());
  }
}

void fuzz_sse_encoding(std::string_view input) {
  const std::string event = sse_event(input);
  require(event.starts_with("data: ") && event.ends_with("\n\n"));
  const std::string_view json = std::string_view(event).substr(6, event.size() - 8);
  // One line: a payload can never end the event early or start a field of its own.
  require(json.find_first_of("\r\n") == std::string_view::npos);
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  require(parsed.is_string());
  // Valid UTF-8 (dropping invalid bytes changes nothing) comes back exactly.
  if (nlohmann::json(std::string(input))
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::ignore) == json) {
    require(parsed.get<std::string>() == input);
  }
}

void fuzz_proxy_headers(std::string_view input) {
  (void)parse_address_ranges(input);
  static const TrustedProxies xff{
      std::get<std::vector<AddressRange>>(parse_address_ranges("127.0.0.0/8,10.0.0.0/8,::1")),
      ProxyHeader::x_forwarded_for};
  static const TrustedProxies forwarded{xff.ranges, ProxyHeader::forwarded};
  const std::vector<std::string_view> values{input, input.substr(input.size() / 2)};
  for (const TrustedProxies* proxies : {&xff, &forwarded}) {
    const auto client = proxies->client_address(boost::asio::ip::make_address("127.0.0.1"), values);
    // The client is the peer or an address a header named; its text is a limit key.
    const std::string text = address_text(client);
    require(!text.empty() && text.find_first_of(" \r\n\",") == std::string::npos);
    // Untrusted peers' headers are never read.
    require(proxies->client_address(boost::asio::ip::make_address("192.0.2.1"), values) ==
            boost::asio::ip::make_address("192.0.2.1"));
  }
  // Whatever a client sent, the address its proxy appends (to the same line or on a line of its
  // own) is the one believed.
  const auto appended = boost::asio::ip::make_address("198.51.100.7");
  const std::string xff_line = std::string(input) + ", 198.51.100.7";
  const std::string forwarded_line = std::string(input) + ", for=198.51.100.7";
  const auto proxy = boost::asio::ip::make_address("127.0.0.1");
  for (const auto& [proxies, line, own_line] :
       {std::tuple{&xff, std::string_view(xff_line), std::string_view("198.51.100.7")},
        std::tuple{&forwarded, std::string_view(forwarded_line),
                   std::string_view("for=198.51.100.7")}}) {
    const std::vector<std::string_view> same_line{line};
    require(proxies->client_address(proxy, same_line) == appended);
    const std::vector<std::string_view> lines{input, own_line};
    require(proxies->client_address(proxy, lines) == appended);
  }
}

void fuzz_log_format(std::string_view input) {
  const std::string value(input);
  const std::string text = format_text("error", {{"room", value}, {"message", value, true}});
  // One line, no invisible characters, and the field keys the server wrote are the only ones.
  require(text.find_first_of(std::string_view("\r\n\0\x7f", 4)) == std::string::npos);
  const std::string escaped = escaped_for_log(value);
  for (const std::string_view hidden : {"\u2028", "\u2029", "\u202e", "\u200b", "\xc2\x85"}) {
    require(escaped.find(hidden) == std::string::npos);
  }
  const std::string json = format_json("t", "error", {{"room", value}});
  require(json.find('\n') == std::string::npos);
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  require(parsed.is_object() && parsed.size() == 3 && parsed["room"].is_string());
  for (const char c : json) require(static_cast<unsigned char>(c) < 0x80);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      fuzz_url_decoding(input);
      break;
    case 1:
      fuzz_static_resolution(input);
      break;
    case 2:
      fuzz_engineio_routing(input);
      break;
    case 3:
      fuzz_sse_encoding(input);
      break;
    case 4:
      fuzz_proxy_headers(input);
      break;
    case 5:
      fuzz_log_format(input);
      break;
  }
  return 0;
}
