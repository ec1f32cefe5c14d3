// Command-line options of rtcwire-server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "access_options.hpp"
#include "log.hpp"
#include "sender_limits.hpp"
#include "static_files.hpp"
#include "transport_set.hpp"
#include "trusted_proxies.hpp"
#include "turn_options.hpp"

namespace rtcwire::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: the OS picks a free port
  std::vector<StaticMount> static_mounts;
  std::size_t max_message_bytes = 65536;  // largest rtcwire envelope accepted
  // Engine.IO maxPayload: the largest websocket message and the largest POST body read.
  std::size_t max_payload = 1000000;
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  TransportSet transports = TransportSet::all();
  std::size_t max_sessions_per_ip = 100;
  // Open TCP connections in total (0: the open-file limit less a reserve for files, logs and
  // accepting under pressure) and per client address.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_ip = 256;
  // How long a connection may take to send a request header, and stay idle between requests.
  std::chrono::milliseconds http_idle_timeout{5000};
  // Peers whose X-Forwarded-For (or Forwarded) header names the client.
  TrustedProxies trusted_proxies;
  LogFormat log_format = LogFormat::text;
  // Comment lines on idle SSE streams, so proxies do not time them out.
  std::chrono::milliseconds sse_heartbeat_interval{15000};
  // How long a session outlives its connection, waiting for a resume (docs/protocol.md §2.1).
  std::chrono::milliseconds resume_window{120000};
  // Unacknowledged bytes kept per session for a resume; overflowing ends the session.
  std::size_t resume_buffer_bytes = 1024 * 1024;
  // What each connection may send (docs/server.md, "Fairness").
  RateLimits rate_limits;
  // Bytes buffered for all clients together beyond which relayed messages are refused.
  std::size_t max_buffered_bytes = 512 * 1024 * 1024;
  // A receiver with a full buffer that acknowledges nothing for this long is ended.
  std::chrono::milliseconds ack_timeout{10000};
  // Resends of what a client has not acknowledged (docs/server.md, "Resends"): the first wait,
  // the timer resends while no ack moves, and the bytes a second all resends may take.
  std::chrono::milliseconds resend_after{1000};
  std::size_t resend_tries = 5;
  std::size_t resend_rate = 32 * 1024 * 1024;
  // Shutdown: clients reconnect after a random delay in [0, goaway_spread].
  std::chrono::milliseconds goaway_spread{10000};
  // Shutdown: how long sessions may take to close after their goaway.
  std::chrono::milliseconds drain_timeout{15000};
  // Conformance mode: every message packet goes straight back to its sender; no envelopes.
  bool echo = false;
  // TLS, Origin and Host allow-lists, connection tokens, metrics.
  AccessOptions access;
  // TURN credentials minted for clients.
  TurnOptions turn;

  bool operator==(const ServerOptions&) const = default;
};

struct HelpRequested {};

struct OptionsError {
  std::string message;  // one line, for stderr
};

using ParsedOptions = std::variant<ServerOptions, HelpRequested, OptionsError>;

// `arguments` excludes the program name. Accepts `--flag value` and `--flag=value`. Static mount
// directories must exist; they are stored canonical.
ParsedOptions parse_options(std::span<const std::string_view> arguments);

std::string usage_text();

}  // namespace rtcwire::server
