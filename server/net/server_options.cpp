#include "server_options.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>

#include <boost/asio/ip/address.hpp>

namespace rtcwire::server {
namespace {

// Large enough for any sane deployment, small enough that no arithmetic on it overflows.
constexpr std::uint64_t kMaxSizeOption = std::uint64_t{1} << 31;
constexpr std::uint64_t kMaxDurationMs = std::uint64_t{1} << 31;

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Reads a whole number in [min, max], or explains why not.
std::variant<std::uint64_t, OptionsError> bounded(std::string_view flag, std::string_view text,
                                                  std::uint64_t min, std::uint64_t max) {
  const auto value = parse_unsigned(text);
  if (!value || *value < min || *value > max) {
    return OptionsError{std::string(flag) + " expects a whole number from " + std::to_string(min) +
                        " to " + std::to_string(max) + ", got '" + std::string(text) + "'"};
  }
  return *value;
}

bool has_bad_prefix_segment(std::string_view prefix) {
  std::size_t start = 1;
  while (start <= prefix.size()) {
    const std::size_t end = std::min(prefix.find('/', start), prefix.size());
    const std::string_view segment = prefix.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

// "[URLPREFIX=]DIR": the prefix form is recognised when the value starts with '/' and has '='.
std::variant<StaticMount, OptionsError> parse_mount(std::string_view spec) {
  std::string_view prefix = "/";
  std::string_view directory = spec;
  if (const std::size_t equals = spec.find('=');
      !spec.empty() && spec.front() == '/' && equals != std::string_view::npos) {
    prefix = spec.substr(0, equals);
    directory = spec.substr(equals + 1);
  }
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.size() > 1 && has_bad_prefix_segment(prefix)) {
    return OptionsError{"--static URL prefix '" + std::string(prefix) + "' is not a clean path"};
  }
  std::error_code error;
  const auto root = std::filesystem::canonical(std::filesystem::path(directory), error);
  if (directory.empty() || error || !std::filesystem::is_directory(root, error)) {
    return OptionsError{"--static directory '" + std::string(directory) + "' is not a directory"};
  }
  return StaticMount{std::string(prefix), root};
}

// "N" seconds or "Nms" milliseconds, at least 1 ms.
std::variant<std::chrono::milliseconds, OptionsError> parse_window(std::string_view flag,
                                                                   std::string_view text) {
  const bool in_ms = text.ends_with("ms");
  const std::string_view digits = in_ms ? text.substr(0, text.size() - 2) : text;
  const std::uint64_t unit = in_ms ? 1 : 1000;
  const auto value = parse_unsigned(digits);
  if (!value || *value == 0 || *value > kMaxDurationMs / unit) {
    return OptionsError{std::string(flag) +
                        " expects whole seconds, or milliseconds ending in 'ms' (from 1ms to " +
                        std::to_string(kMaxDurationMs) + "ms), got '" + std::string(text) + "'"};
  }
  return std::chrono::milliseconds(*value * unit);
}

// "websocket,sse,polling" in any order and combination, at least one.
std::variant<TransportSet, OptionsError> parse_transports(std::string_view list) {
  TransportSet set = TransportSet::none();
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const std::string_view name = list.substr(start, end - start);
    const auto kind = engineio::transport_kind_from_string(name);
    if (!kind) {
      return OptionsError{
          "--transports expects a comma-separated list of websocket, sse and "
          "polling, got '" +
          std::string(list) + "'"};
    }
    set.insert(*kind);
    start = end + 1;
  }
  return set;
}

}  // namespace

ParsedOptions parse_options(std::span<const std::string_view> arguments) {
  ServerOptions options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view flag = arguments[i];
    std::optional<std::string_view> inline_value;
    if (const std::size_t equals = flag.find('='); flag.starts_with("--") && equals != flag.npos) {
      inline_value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    }
    if (flag == "--help" || flag == "-h") {
      if (inline_value) return OptionsError{"--help takes no value"};
      return HelpRequested{};
    }
    if (flag == "--echo") {
      if (inline_value) return OptionsError{"--echo takes no value"};
      options.echo = true;
      continue;
    }
    if (is_access_flag(flag) || is_turn_flag(flag)) {
      if (!inline_value && i + 1 == arguments.size()) {
        return OptionsError{std::string(flag) + " needs a value"};
      }
      const std::string_view value = inline_value ? *inline_value : arguments[++i];
      auto failure = is_turn_flag(flag) ? apply_turn_flag(options.turn, flag, value)
                                        : apply_access_flag(options.access, flag, value);
      if (failure) return OptionsError{std::move(*failure)};
      continue;
    }
    const bool known =
        flag == "--host" || flag == "--port" || flag == "--static" ||
        flag == "--max-message-bytes" || flag == "--max-payload" || flag == "--ping-interval" ||
        flag == "--ping-timeout" || flag == "--transports" || flag == "--max-sessions-per-ip" ||
        flag == "--sse-heartbeat-interval" || flag == "--resume-window" ||
        flag == "--resume-buffer" || flag == "--goaway-spread" || flag == "--drain-timeout" ||
        flag == "--max-connections" || flag == "--max-connections-per-ip" ||
        flag == "--http-idle-timeout" || flag == "--trust-proxy" || flag == "--proxy-header" ||
        flag == "--log-format" || flag == "--rate-messages" || flag == "--rate-message-burst" ||
        flag == "--rate-bytes" || flag == "--rate-byte-burst" || flag == "--rate-strikes" ||
        flag == "--max-buffered-bytes" || flag == "--ack-timeout" || flag == "--resend-after" ||
        flag == "--resend-tries" || flag == "--resend-rate";
    if (!known) return OptionsError{"unknown option '" + std::string(flag) + "'"};
    if (!inline_value && i + 1 == arguments.size()) {
      return OptionsError{std::string(flag) + " needs a value"};
    }
    const std::string_view value = inline_value ? *inline_value : arguments[++i];

    if (flag == "--host") {
      boost::system::error_code error;
      boost::asio::ip::make_address(std::string(value), error);
      if (error)
        return OptionsError{"--host expects an IP address, got '" + std::string(value) + "'"};
      options.host = std::string(value);
    } else if (flag == "--static") {
      auto mount = parse_mount(value);
      if (auto* failure = std::get_if<OptionsError>(&mount)) return *failure;
      auto& added = std::get<StaticMount>(mount);
      const bool duplicate =
          std::any_of(options.static_mounts.begin(), options.static_mounts.end(),
                      [&](const StaticMount& m) { return m.url_prefix == added.url_prefix; });
      if (duplicate) return OptionsError{"--static mounts '" + added.url_prefix + "' twice"};
      options.static_mounts.push_back(std::move(added));
    } else if (flag == "--transports") {
      auto transports = parse_transports(value);
      if (auto* failure = std::get_if<OptionsError>(&transports)) return *failure;
      options.transports = std::get<TransportSet>(transports);
    } else if (flag == "--trust-proxy") {
      auto ranges = parse_address_ranges(value);
      if (auto* failure = std::get_if<std::string>(&ranges)) {
        return OptionsError{"--trust-proxy expects comma-separated IP addresses or CIDR ranges: " +
                            *failure};
      }
      options.trusted_proxies.ranges = std::get<std::vector<AddressRange>>(ranges);
    } else if (flag == "--proxy-header") {
      if (value == "x-forwarded-for") {
        options.trusted_proxies.header = ProxyHeader::x_forwarded_for;
      } else if (value == "forwarded") {
        options.trusted_proxies.header = ProxyHeader::forwarded;
      } else {
        return OptionsError{"--proxy-header expects x-forwarded-for or forwarded, got '" +
                            std::string(value) + "'"};
      }
    } else if (flag == "--log-format") {
      if (value == "text") {
        options.log_format = LogFormat::text;
      } else if (value == "json") {
        options.log_format = LogFormat::json;
      } else {
        return OptionsError{"--log-format expects text or json, got '" + std::string(value) + "'"};
      }
    } else if (flag == "--resume-window") {
      auto window = parse_window(flag, value);
      if (auto* failure = std::get_if<OptionsError>(&window)) return *failure;
      options.resume_window = std::get<std::chrono::milliseconds>(window);
    } else {
      const bool is_port = flag == "--port";
      const bool is_duration = flag == "--ping-interval" || flag == "--ping-timeout" ||
                               flag == "--sse-heartbeat-interval" || flag == "--goaway-spread" ||
                               flag == "--drain-timeout" || flag == "--http-idle-timeout" ||
                               flag == "--ack-timeout" || flag == "--resend-after";
      const std::uint64_t max = is_port       ? std::numeric_limits<std::uint16_t>::max()
                                : is_duration ? kMaxDurationMs
                                              : kMaxSizeOption;
      // Zero makes sense for a port (any free one), for the shutdown delays (none) and for
      // --max-connections (from the open-file limit).
      const bool zero_allowed = is_port || flag == "--goaway-spread" || flag == "--drain-timeout" ||
                                flag == "--max-connections";
      auto number = bounded(flag, value, zero_allowed ? 0 : 1, max);
      if (auto* failure = std::get_if<OptionsError>(&number)) return *failure;
      const std::uint64_t n = std::get<std::uint64_t>(number);
      if (is_port) options.port = static_cast<std::uint16_t>(n);
      if (flag == "--max-message-bytes") options.max_message_bytes = n;
      if (flag == "--max-payload") options.max_payload = n;
      if (flag == "--ping-interval") options.ping_interval = std::chrono::milliseconds(n);
      if (flag == "--ping-timeout") options.ping_timeout = std::chrono::milliseconds(n);
      if (flag == "--max-sessions-per-ip") options.max_sessions_per_ip = n;
      if (flag == "--sse-heartbeat-interval") {
        options.sse_heartbeat_interval = std::chrono::milliseconds(n);
      }
      if (flag == "--resume-buffer") options.resume_buffer_bytes = n;
      if (flag == "--max-connections") options.max_connections = n;
      if (flag == "--max-connections-per-ip") options.max_connections_per_ip = n;
      if (flag == "--http-idle-timeout") options.http_idle_timeout = std::chrono::milliseconds(n);
      if (flag == "--goaway-spread") options.goaway_spread = std::chrono::milliseconds(n);
      if (flag == "--drain-timeout") options.drain_timeout = std::chrono::milliseconds(n);
      if (flag == "--rate-messages") options.rate_limits.messages_per_second = n;
      if (flag == "--rate-message-burst") options.rate_limits.message_burst = n;
      if (flag == "--rate-bytes") options.rate_limits.bytes_per_second = n;
      if (flag == "--rate-byte-burst") options.rate_limits.byte_burst = n;
      if (flag == "--rate-strikes") options.rate_limits.refusal_burst = n;
      if (flag == "--max-buffered-bytes") options.max_buffered_bytes = n;
      if (flag == "--ack-timeout") options.ack_timeout = std::chrono::milliseconds(n);
      if (flag == "--resend-after") options.resend_after = std::chrono::milliseconds(n);
      if (flag == "--resend-tries") options.resend_tries = n;
      if (flag == "--resend-rate") options.resend_rate = n;
    }
  }
  // An envelope travels as one Engine.IO message packet: its type byte plus the envelope. In echo
  // mode no envelope is ever read.
  if (!options.echo && options.max_message_bytes + 1 > options.max_payload) {
    return OptionsError{"--max-message-bytes (" + std::to_string(options.max_message_bytes) +
                        ") must be below --max-payload (" + std::to_string(options.max_payload) +
                        ")"};
  }
  // The largest envelope, relayed with its sender and seq added, must fit an empty buffer.
  if (!options.echo && options.resume_buffer_bytes < 2 * options.max_message_bytes) {
    return OptionsError{"--resume-buffer (" + std::to_string(options.resume_buffer_bytes) +
                        ") must be at least twice --max-message-bytes (" +
                        std::to_string(options.max_message_bytes) + ")"};
  }
  if (auto failure = check_access_options(options.access)) return OptionsError{std::move(*failure)};
  if (auto failure = check_turn_options(options.turn)) return OptionsError{std::move(*failure)};
  return options;
}

std::string usage_text() {
  return std::string(R"(Usage: rtcwire-server [options]

The rtcwire signalling server: Engine.IO v4 at /engine.io/ over WebSocket, HTTP long-polling and
Server-Sent Events, carrying the rtcwire envelope v1.

Options:
  --host ADDR               IP address to listen on (default 127.0.0.1)
  --port N                  TCP port; 0 picks a free port (default 8080)
  --static [PREFIX=]DIR     serve files of DIR under URL PREFIX (default /); repeatable
  --max-message-bytes N     largest rtcwire envelope accepted (default 65536)
  --max-payload N           Engine.IO maxPayload: largest websocket message or POST body
                            (default 1000000)
  --ping-interval MS        Engine.IO ping interval in milliseconds (default 25000)
  --ping-timeout MS         Engine.IO pong deadline in milliseconds (default 20000)
  --transports LIST         accepted transports, comma-separated among websocket, sse,
                            polling (default all three)
  --max-sessions-per-ip N   live Engine.IO sessions one client IP may hold (default 100)
  --max-connections N       open TCP connections in total; 0: the open-file limit less a
                            reserve of 64 (default 0)
  --max-connections-per-ip N
                            open TCP connections one client IP may hold (default 256)
  --http-idle-timeout MS    time to send a request header, and longest idle keep-alive
                            (default 5000)
  --trust-proxy LIST        comma-separated IP addresses or CIDR ranges of reverse proxies
                            whose forwarding header names the client (default none)
  --proxy-header NAME       the header those proxies set: x-forwarded-for or forwarded
                            (RFC 7239) (default x-forwarded-for)
  --log-format FORMAT       text or json, one object per line (default text)
  --sse-heartbeat-interval MS
                            comment line on an idle SSE stream every MS (default 15000)
  --resume-window SECONDS   how long a session outlives its connection, awaiting a resume:
                            whole seconds, or milliseconds as e.g. 500ms (default 120)
  --resume-buffer N         unacknowledged bytes kept per session; overflowing ends the
                            session; at least twice --max-message-bytes (default 1048576)
  --goaway-spread MS        on shutdown, clients reconnect within MS (default 10000)
  --drain-timeout MS        on shutdown, how long sessions may take to close (default 15000)
  --rate-messages N         envelopes a second each connection may send (default 1000)
  --rate-message-burst N    envelopes it may send at once (default 2000)
  --rate-bytes N            bytes a second it may send, counting each envelope once as
                            received and once per peer it is relayed to (default 4194304)
  --rate-byte-burst N       bytes it may send at once (default 8388608)
  --rate-strikes N          refusals a connection may collect at once (N/10 are forgiven
                            each second) before it is disconnected (default 100)
  --max-buffered-bytes N    bytes buffered for all clients together (resume buffers and send
                            queues) beyond which relayed messages are refused with
                            server_busy (default 536870912)
  --ack-timeout MS          a receiver whose buffer is full and that acknowledged nothing
                            for MS is ended with buffer_overflow (default 10000)
  --resend-after MS         what a client has not acknowledged goes again after MS without
                            an ack moving, then after twice as long each time (default 1000)
  --resend-tries N          such resends while no ack moves; then only an ack or a replay
                            request brings more (default 5)
  --resend-rate N           bytes a second all resends together may take (default 33554432)
  --echo                    conformance mode: send every message packet back to its sender
  --help                    print this help and exit

)") + std::string(kAccessUsage) +
         "\n" + std::string(kTurnUsage) +
         R"(
On start, prints "rtcwire-server listening on http://HOST:PORT" (https with TLS) to stdout, and
"rtcwire-server metrics on http://HOST:PORT/metrics" with --metrics-port. Logs go to stderr.
SIGTERM or SIGINT stops accepting, sends every client goaway, and exits once all have closed
(or after --drain-timeout). SIGHUP reloads the TLS certificate and key.
)";
}

}  // namespace rtcwire::server
