// The embind surface of the client core: events in, actions out, nothing else.
// Everything crosses as plain values: strings, numbers, and JSON text for structured data, so JS
// never holds a C++ object other than the ClientCore itself and C++ never holds a JS object.
// Errors come back as JSON text {code, origin, message} ("" when the call succeeded).
#include <emscripten/bind.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "rtcwire/client/client.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/base/error.hpp"
#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/engineio/transport_action.hpp"

namespace rtcwire::bindings {
namespace {

using envelope::Json;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Invalid UTF-8 in strings is replaced: the strict default would abort without exceptions.
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json error_json(const Error& error) {
  return Json{{"code", to_string(error.code)},
              {"origin", to_string(error.origin)},
              {"message", error.message}};
}

std::string status_text(const Status& status) {
  return status ? std::string() : dump(error_json(status.error()));
}

// JS time (performance.now(), fractional) as the core's Millis; a non-finite value becomes 0
// rather than undefined behaviour in the conversion.
Millis to_millis(double now) { return Millis(std::isfinite(now) ? static_cast<int64_t>(now) : 0); }

// App data arrives as JSON text produced by JSON.stringify; it is still checked, since a lone
// surrogate becomes invalid UTF-8 and deep nesting would exhaust the stack when encoding.
Result<Json> parse_app_data(const std::string& text) {
  if (json_nesting_depth(text, envelope::kMaxJsonDepth) < 0) {
    return local_error(
        ErrorCode::invalid_argument,
        "data is nested deeper than " + std::to_string(envelope::kMaxJsonDepth) + " levels");
  }
  Json data = Json::parse(std::string_view(text), nullptr, false);
  if (data.is_discarded()) {
    return local_error(ErrorCode::invalid_argument, "data is not valid JSON (or not valid UTF-8)");
  }
  return data;
}

// {initialDelayMs?, factor?, maxDelayMs?, maxAttempts? (0: never reconnect; absent: unlimited)}.
Result<ReconnectPolicy> parse_reconnect_policy(const Json& json) {
  const Error bad = local_error(ErrorCode::invalid_argument,
                                "'reconnect' must be {initialDelayMs, factor, maxDelayMs, "
                                "maxAttempts} with initialDelayMs 1..600000, factor 1..10, "
                                "maxDelayMs >= initialDelayMs and <= 3600000, maxAttempts >= 0");
  if (!json.is_object()) return bad;
  ReconnectPolicy policy;
  const auto read_ms = [&](const char* name, Millis& out, uint64_t low, uint64_t high) {
    if (!json.contains(name)) return true;
    const Json& value = json[name];
    if (!value.is_number_unsigned() || value.get<uint64_t>() < low || value.get<uint64_t>() > high)
      return false;
    out = Millis(value.get<int64_t>());
    return true;
  };
  if (!read_ms("initialDelayMs", policy.initial, 1, 600000) ||
      !read_ms("maxDelayMs", policy.cap, 1, 3600000) || policy.cap < policy.initial) {
    return bad;
  }
  if (json.contains("factor")) {
    const Json& factor = json["factor"];
    if (!factor.is_number() || factor.get<double>() < 1 || factor.get<double>() > 10) return bad;
    policy.factor = factor.get<double>();
  }
  if (json.contains("maxAttempts")) {
    const Json& attempts = json["maxAttempts"];
    if (!attempts.is_number_unsigned() || attempts.get<uint64_t>() > 1000000) return bad;
    policy.max_attempts = static_cast<uint32_t>(attempts.get<uint64_t>());
  }
  return policy;
}

// The config JSON: {url: string, sdk?: string, handshakeTimeoutMs?: number,
// transports?: string[], remembered?: {transport: string, until: number}, randomSeed?: number,
// resumeBufferBytes?: number}.
Result<ClientConfig> parse_config(const std::string& text) {
  const Json json = Json::parse(std::string_view(text), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return local_error(ErrorCode::invalid_argument, "client config is not a JSON object");
  }
  ClientConfig config;
  const auto url = json.find("url");
  if (url == json.end() || !url->is_string()) {
    return local_error(ErrorCode::invalid_argument, "client config needs a string 'url'");
  }
  config.url = url->get<std::string>();
  if (const auto sdk = json.find("sdk"); sdk != json.end()) {
    if (!sdk->is_string())
      return local_error(ErrorCode::invalid_argument, "'sdk' must be a string");
    config.sdk = sdk->get<std::string>();
  }
  if (const auto timeout = json.find("handshakeTimeoutMs"); timeout != json.end()) {
    if (!timeout->is_number_unsigned() || timeout->get<uint64_t>() == 0 ||
        timeout->get<uint64_t>() > 3'600'000) {
      return local_error(ErrorCode::invalid_argument,
                         "'handshakeTimeoutMs' must be an integer from 1 to 3600000");
    }
    config.handshake_timeout = Millis(timeout->get<int64_t>());
  }
  if (const auto transports = json.find("transports"); transports != json.end()) {
    if (!transports->is_array() || transports->empty() || transports->size() > 3) {
      return local_error(ErrorCode::invalid_argument,
                         "'transports' must list 1 to 3 of 'websocket', 'sse', 'polling'");
    }
    config.transports.clear();
    for (const auto& name : *transports) {
      const auto kind =
          name.is_string() ? transport_kind_from_string(name.get<std::string>()) : std::nullopt;
      if (!kind || std::find(config.transports.begin(), config.transports.end(), *kind) !=
                       config.transports.end()) {
        return local_error(ErrorCode::invalid_argument,
                           "'transports' must list distinct names of 'websocket', 'sse', "
                           "'polling'");
      }
      config.transports.push_back(*kind);
    }
  }
  if (const auto remembered = json.find("remembered"); remembered != json.end()) {
    std::optional<TransportKind> kind;
    std::optional<double> until;
    if (remembered->is_object()) {
      const Json& entry = *remembered;
      if (entry.contains("transport") && entry["transport"].is_string()) {
        kind = transport_kind_from_string(entry["transport"].get<std::string>());
      }
      if (entry.contains("until") && entry["until"].is_number()) {
        until = entry["until"].get<double>();
      }
    }
    if (!kind || !until) {
      return local_error(ErrorCode::invalid_argument,
                         "'remembered' must be {transport, until} as the core reported it");
    }
    config.remembered = RememberedTransport{*kind, to_millis(*until)};
  }
  if (const auto reconnect = json.find("reconnect"); reconnect != json.end()) {
    auto policy = parse_reconnect_policy(*reconnect);
    if (!policy) return policy.error();
    config.reconnect = policy.value();
  }
  if (const auto cap = json.find("resumeBufferBytes"); cap != json.end()) {
    if (!cap->is_number_unsigned() || cap->get<uint64_t>() == 0 ||
        cap->get<uint64_t>() > 256 * 1024 * 1024) {
      return local_error(ErrorCode::invalid_argument,
                         "'resumeBufferBytes' must be an integer from 1 to 268435456");
    }
    config.resume_buffer_bytes = static_cast<std::size_t>(cap->get<uint64_t>());
  }
  if (const auto seed = json.find("randomSeed"); seed != json.end()) {
    if (!seed->is_number_unsigned()) {
      return local_error(ErrorCode::invalid_argument, "'randomSeed' must be a whole number");
    }
    config.random_seed = seed->get<uint64_t>();
  }
  return config;
}

Json action_json(TransportAction&& action) {
  return std::visit(Overloaded{
                        [](OpenTransport& a) {
                          return Json{{"type", "open"},
                                      {"generation", a.generation},
                                      {"kind", to_string(a.kind)},
                                      {"url", std::move(a.url)}};
                        },
                        [](SendFrame& a) {
                          return Json{{"type", "send"},
                                      {"generation", a.generation},
                                      {"text", std::move(a.text)}};
                        },
                        [](HttpRequest& a) {
                          return Json{{"type", "http"},
                                      {"generation", a.generation},
                                      {"id", a.id},
                                      {"method", a.method == HttpMethod::get ? "GET" : "POST"},
                                      {"url", std::move(a.url)},
                                      {"body", std::move(a.body)},
                                      {"parting", a.parting}};
                        },
                        [](CloseTransport& a) {
                          return Json{{"type", "close"}, {"generation", a.generation}};
                        },
                    },
                    action);
}

// An app request as it went on the wire, with its type as `type`: {type, room?, to?, data?}.
Json request_json(const envelope::ClientEnvelope& request) {
  // string_view: the parser instantiation the rest of the core already uses.
  Json json = Json::parse(std::string_view(envelope::encode(request)), nullptr, false);
  json["type"] = std::move(json["t"]);
  json.erase("t");
  json.erase("v");
  return json;
}

Json event_json(ClientEvent&& event, const Client& client) {
  namespace ev = client_event;
  return std::visit(Overloaded{
                        [&](ev::StateChanged& e) {
                          Json j{{"type", "state"}, {"state", to_string(e.state)}};
                          if (e.error) j["error"] = error_json(*e.error);
                          // The welcome that made the client connected also named it and set the
                          // size limit.
                          if (e.state == ClientState::reconnecting) {
                            j["attempt"] = e.attempt;
                            // null while offline: the next attempt waits for the network to come
                            // back.
                            j["retryIn"] = e.retry_in ? Json(e.retry_in->count()) : Json(nullptr);
                          }
                          if (e.state == ClientState::connected) {
                            j["resumed"] = e.resumed;
                            j["peerId"] = client.peer_id();
                            j["maxMessageBytes"] = client.max_message_bytes();
                            if (const auto transport = client.transport())
                              j["transport"] = to_string(*transport);
                          }
                          return j;
                        },
                        [](ev::RoomJoined& e) {
                          return Json{{"type", "joined"},
                                      {"room", std::move(e.room)},
                                      {"peers", std::move(e.peers)},
                                      {"users", std::move(e.users)}};
                        },
                        [](ev::RoomLeft& e) {
                          return Json{{"type", "left"}, {"room", std::move(e.room)}};
                        },
                        [](ev::PeerJoined& e) {
                          Json j{{"type", "peer-joined"}, {"peer", std::move(e.peer)}};
                          if (e.user) j["user"] = std::move(*e.user);
                          return j;
                        },
                        [](ev::PeerLeft& e) {
                          return Json{{"type", "peer-left"}, {"peer", std::move(e.peer)}};
                        },
                        [](ev::MessageReceived& e) {
                          return Json{{"type", "message"},
                                      {"from", std::move(e.from)},
                                      {"kind", e.kind == ev::MessageKind::room ? "room" : "direct"},
                                      {"data", std::move(e.data)}};
                        },
                        [](ev::SignalReceived& e) {
                          return Json{{"type", "signal"},
                                      {"from", std::move(e.from)},
                                      {"data", std::move(e.data)}};
                        },
                        [](ev::TransportChanged& e) {
                          return Json{{"type", "transport"}, {"transport", to_string(e.kind)}};
                        },
                        [](ev::RememberTransport& e) {
                          return Json{{"type", "remember-transport"},
                                      {"server", std::move(e.server)},
                                      {"transport", to_string(e.transport.kind)},
                                      {"until", e.transport.until.count()}};
                        },
                        [](ev::Resync& e) {
                          Json undelivered = Json::array();
                          for (const auto& request : e.undelivered)
                            undelivered.push_back(request_json(request));
                          return Json{{"type", "resync"},
                                      {"reason", error_json(e.reason)},
                                      {"undelivered", std::move(undelivered)}};
                        },
                        [](ev::ErrorRaised& e) {
                          return Json{{"type", "error"}, {"error", error_json(e.error)}};
                        },
                        [](ev::TokenNeeded&) {
                          return Json{{"type", "token-needed"}};
                        },
                    },
                    event);
}

class ClientCore {
 public:
  explicit ClientCore(const std::string& config_json) : ClientCore(parse_config(config_json)) {}

  std::string connect(double now) {
    if (config_error_) return dump(error_json(*config_error_));
    return status_text(client_.connect(to_millis(now)));
  }
  std::string join(std::string room, double now) {
    return status_text(client_.join(std::move(room), to_millis(now)));
  }
  std::string leave(double now) { return status_text(client_.leave(to_millis(now))); }
  std::string publish(const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return dump(error_json(data.error()));
    return status_text(client_.publish(std::move(data.value()), to_millis(now)));
  }
  std::string send(std::string peer, const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return dump(error_json(data.error()));
    return status_text(client_.send(std::move(peer), std::move(data.value()), to_millis(now)));
  }
  std::string signal(std::string peer, const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return dump(error_json(data.error()));
    return status_text(client_.signal(std::move(peer), std::move(data.value()), to_millis(now)));
  }
  void close(double now) { client_.close(to_millis(now)); }
  std::string setToken(std::string token, double now) {
    return status_text(client_.set_token(std::move(token), to_millis(now)));
  }
  // Bytes of requests the server has not acknowledged yet.
  double bufferedAmount() const { return static_cast<double>(client_.buffered_bytes()); }

  void transportOpen(uint32_t generation, double now) {
    client_.handle_transport_open(generation, to_millis(now));
  }
  void transportText(uint32_t generation, const std::string& frame, double now) {
    client_.handle_transport_text(generation, frame, to_millis(now));
  }
  void transportBinary(uint32_t generation, const std::string& frame, double now) {
    client_.handle_transport_binary(generation, frame, to_millis(now));
  }
  void transportClosed(uint32_t generation, double now) {
    client_.handle_transport_closed(generation, to_millis(now));
  }
  void transportError(uint32_t generation, const std::string& reason, double now) {
    client_.handle_transport_error(generation, reason, to_millis(now));
  }
  // status 0: the request failed without a response.
  void httpResponse(uint32_t generation, uint32_t id, int status, const std::string& body,
                    double now) {
    client_.handle_http_response(generation, id, status, body, to_millis(now));
  }
  void timerFired(double now) { client_.handle_timeout(to_millis(now)); }
  void networkChange(bool online, double now) {
    client_.handle_network_change(online, to_millis(now));
  }

  // Everything the core produced since the last call, as JSON text:
  // {actions: [...], events: [...], timeout: deadline-in-ms | null}.
  std::string takeOutputs() {
    Json actions = Json::array();
    while (auto action = client_.poll_action()) actions.push_back(action_json(std::move(*action)));
    Json events = Json::array();
    while (auto event = client_.poll_event())
      events.push_back(event_json(std::move(*event), client_));
    const auto deadline = client_.poll_timeout();
    return dump(Json{{"actions", std::move(actions)},
                     {"events", std::move(events)},
                     {"timeout", deadline ? Json(deadline->count()) : Json(nullptr)}});
  }

 private:
  explicit ClientCore(Result<ClientConfig> config)
      : client_(config ? std::move(config.value()) : ClientConfig{}) {
    if (!config) config_error_ = config.error();
  }

  Client client_;
  std::optional<Error> config_error_;
};

}  // namespace
}  // namespace rtcwire::bindings

EMSCRIPTEN_BINDINGS(rtcwire_core) {
  using rtcwire::bindings::ClientCore;
  emscripten::class_<ClientCore>("ClientCore")
      .constructor<const std::string&>()
      .function("connect", &ClientCore::connect)
      .function("join", &ClientCore::join)
      .function("leave", &ClientCore::leave)
      .function("publish", &ClientCore::publish)
      .function("send", &ClientCore::send)
      .function("signal", &ClientCore::signal)
      .function("close", &ClientCore::close)
      .function("setToken", &ClientCore::setToken)
      .function("bufferedAmount", &ClientCore::bufferedAmount)
      .function("transportOpen", &ClientCore::transportOpen)
      .function("transportText", &ClientCore::transportText)
      .function("transportBinary", &ClientCore::transportBinary)
      .function("transportClosed", &ClientCore::transportClosed)
      .function("transportError", &ClientCore::transportError)
      .function("httpResponse", &ClientCore::httpResponse)
      .function("timerFired", &ClientCore::timerFired)
      .function("networkChange", &ClientCore::networkChange)
      .function("takeOutputs", &ClientCore::takeOutputs);
}
