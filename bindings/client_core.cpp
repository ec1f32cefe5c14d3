// The embind surface of the client core: events in, actions out, nothing else.
// Everything crosses as plain values: strings, numbers, and JSON text for structured data, so JS
// never holds a C++ object other than the ClientCore itself and C++ never holds a JS object.
// Errors come back as JSON text {code, origin, message} ("" when the call succeeded). Parsing the
// config, checking app data and encoding the outputs live in the sdk (client/config,
// client/event_encoding).
#include <emscripten/bind.h>

#include <optional>
#include <string>
#include <utility>

#include "rtcwire/base/error.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/client/config.hpp"
#include "rtcwire/client/event_encoding.hpp"

namespace rtcwire::bindings {
namespace {

std::string status_text(const Status& status) {
  return status ? std::string() : encode_error(status.error());
}

Millis to_millis(double now) { return millis_from_js(now); }

class ClientCore {
 public:
  explicit ClientCore(const std::string& config_json)
      : ClientCore(parse_client_config(config_json)) {}

  std::string connect(double now) {
    if (config_error_) return encode_error(*config_error_);
    return status_text(client_.connect(to_millis(now)));
  }
  // {"request": id} naming the `joined` or `error` event that will answer it, or an error.
  std::string join(std::string room, double now) {
    auto request = client_.join(std::move(room), to_millis(now));
    if (!request) return encode_error(request.error());
    return "{\"request\":" + std::to_string(request.value()) + "}";
  }
  std::string leave(double now) { return status_text(client_.leave(to_millis(now))); }
  std::string publish(const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return encode_error(data.error());
    return status_text(client_.publish(std::move(data.value()), to_millis(now)));
  }
  std::string send(std::string peer, const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return encode_error(data.error());
    return status_text(client_.send(std::move(peer), std::move(data.value()), to_millis(now)));
  }
  std::string signal(std::string peer, const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return encode_error(data.error());
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

  // Everything the core produced since the last call (see encode_outputs).
  std::string takeOutputs() { return encode_outputs(client_); }

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
