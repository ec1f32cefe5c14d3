#include "metrics.hpp"

#include <cstdio>

#include "rtcwire/engineio/transport_kind.hpp"

namespace rtcwire::server {

using engineio::TransportKind;

namespace {

void bump(std::map<std::string, std::uint64_t, std::less<>>& counters, std::string_view key) {
  const auto found = counters.find(key);
  if (found == counters.end()) {
    counters.emplace(std::string(key), 1);
  } else {
    ++found->second;
  }
}

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    text_ += help;
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
  }
  void sample(std::string_view name, std::uint64_t value, std::string_view label = {},
              std::string_view label_value = {}) {
    text_ += name;
    if (!label.empty()) {
      text_ += '{';
      text_ += label;
      text_ += "=\"";
      text_ += label_value;  // label values here are fixed names: nothing to escape
      text_ += "\"}";
    }
    text_ += ' ';
    text_ += std::to_string(value);
    text_ += '\n';
  }
  void seconds(std::string_view name, Millis value) {
    char formatted[32];
    std::snprintf(formatted, sizeof formatted, "%.3f", static_cast<double>(value.count()) / 1000);
    text_ += name;
    text_ += ' ';
    text_ += formatted;
    text_ += '\n';
  }
  void labelled(std::string_view name, std::string_view label,
                const std::map<std::string, std::uint64_t, std::less<>>& counters) {
    for (const auto& [key, value] : counters) sample(name, value, label, key);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace

void Metrics::message_received(std::size_t bytes) {
  ++messages_received_;
  bytes_received_ += bytes;
}

void Metrics::message_sent(std::size_t bytes) {
  ++messages_sent_;
  bytes_sent_ += bytes;
}

void Metrics::resume(std::string_view outcome) { bump(resumes_, outcome); }
void Metrics::eviction(std::string_view reason) { bump(evictions_, reason); }
void Metrics::rate_limited(std::string_view limit) { bump(rate_limited_, limit); }
void Metrics::refused_request(RefusedRequest kind) {
  ++refused_requests_[static_cast<std::size_t>(kind)];
}
void Metrics::refused_token(std::string_view code) { bump(refused_tokens_, code); }
void Metrics::tls_handshake_failed() { ++tls_handshake_failures_; }

void Metrics::loop_lag(Millis lag) {
  loop_lag_ = lag;
  if (lag > loop_lag_max_) loop_lag_max_ = lag;
}

std::string Metrics::render(const Gauges& gauges) const {
  Exposition out;
  out.family("rtcwire_sessions", "gauge", "Live sessions, attached or awaiting a resume.");
  out.sample("rtcwire_sessions", gauges.sessions);
  out.family("rtcwire_connections", "gauge", "Open Engine.IO connections by transport.");
  for (const TransportKind kind :
       {TransportKind::websocket, TransportKind::sse, TransportKind::polling}) {
    out.sample("rtcwire_connections", gauges.connections[static_cast<std::size_t>(kind)],
               "transport", to_string(kind));
  }
  out.family("rtcwire_messages_received_total", "counter", "Engine.IO messages from clients.");
  out.sample("rtcwire_messages_received_total", messages_received_);
  out.family("rtcwire_messages_sent_total", "counter", "Envelopes delivered to clients.");
  out.sample("rtcwire_messages_sent_total", messages_sent_);
  out.family("rtcwire_received_bytes_total", "counter", "Bytes of messages from clients.");
  out.sample("rtcwire_received_bytes_total", bytes_received_);
  out.family("rtcwire_sent_bytes_total", "counter", "Bytes of envelopes delivered to clients.");
  out.sample("rtcwire_sent_bytes_total", bytes_sent_);
  out.family("rtcwire_resumes_total", "counter",
             "Hellos that asked to resume, by outcome (resumed, or why a new session began).");
  out.labelled("rtcwire_resumes_total", "outcome", resumes_);
  out.family("rtcwire_evictions_total", "counter", "Sessions the server ended, by reason.");
  out.labelled("rtcwire_evictions_total", "reason", evictions_);
  out.family("rtcwire_rate_limited_total", "counter", "Requests refused by a limit.");
  out.labelled("rtcwire_rate_limited_total", "limit", rate_limited_);
  out.family("rtcwire_refused_requests_total", "counter",
             "HTTP requests refused by the Origin or Host allow-list.");
  out.sample("rtcwire_refused_requests_total", refused_requests_[0], "reason", "origin");
  out.sample("rtcwire_refused_requests_total", refused_requests_[1], "reason", "host");
  out.family("rtcwire_refused_tokens_total", "counter",
             "Connection tokens refused at hello, refresh or join, by error code.");
  out.labelled("rtcwire_refused_tokens_total", "code", refused_tokens_);
  out.family("rtcwire_tls_handshake_failures_total", "counter", "TLS handshakes that failed.");
  out.sample("rtcwire_tls_handshake_failures_total", tls_handshake_failures_);
  out.family("rtcwire_buffered_bytes", "gauge", "Unacknowledged bytes kept for resumes.");
  out.sample("rtcwire_buffered_bytes", gauges.buffered_bytes);
  out.family("rtcwire_websocket_reads_paused", "gauge",
             "Websockets not read until the client reads the pongs owed to it.");
  out.sample("rtcwire_websocket_reads_paused", gauges.paused_websocket_reads);
  out.family("rtcwire_event_loop_lag_seconds", "gauge",
             "How late the event loop last ran a timer it was due to run.");
  out.seconds("rtcwire_event_loop_lag_seconds", loop_lag_);
  out.family("rtcwire_event_loop_lag_max_seconds", "gauge", "The largest event loop lag seen.");
  out.seconds("rtcwire_event_loop_lag_max_seconds", loop_lag_max_);
  return out.take();
}

}  // namespace rtcwire::server
