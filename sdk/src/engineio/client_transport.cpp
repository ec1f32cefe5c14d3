#include "rtcwire/engineio/client_transport.hpp"

#include "rtcwire/engineio/polling_transport.hpp"
#include "rtcwire/engineio/sse_transport.hpp"
#include "rtcwire/engineio/websocket_transport.hpp"

namespace rtcwire::engineio {

void ClientTransport::start_session(const std::string& sid, int64_t max_payload) {
  sid_ = sid;
  max_payload_ = max_payload;
}

void ClientTransport::handle_binary(std::string_view /*bytes*/) {
  fail(base::remote_error(base::ErrorCode::malformed_packet,
                          "binary frame on a " + std::string(to_string(kind())) + " transport"));
}

void ClientTransport::handle_http_response(uint32_t /*id*/, int /*status*/,
                                           std::string_view /*body*/) {
  // Transports without HTTP requests ignore stray responses.
}

void ClientTransport::handle_closed() {
  if (finished_) return;
  fail(base::transport_error(base::ErrorCode::transport_closed,
                             std::string(to_string(kind())) + " transport closed"));
}

void ClientTransport::handle_error(std::string_view reason) {
  if (finished_) return;
  std::string message = std::string(to_string(kind())) + " transport error";
  if (!reason.empty()) message += ": " + std::string(reason.substr(0, 200));
  fail(base::transport_error(base::ErrorCode::transport_error, std::move(message)));
}

void ClientTransport::fail(base::Error error) {
  if (finished_) return;
  finish();
  signal(transport_signal::Failed{std::move(error)});
}

void ClientTransport::finish() {
  if (finished_) return;
  finished_ = true;
  emit(CloseTransport{generation_});
}

std::optional<TransportAction> ClientTransport::poll_action() {
  if (actions_.empty()) return std::nullopt;
  TransportAction action = std::move(actions_.front());
  actions_.pop_front();
  return action;
}

std::optional<TransportSignal> ClientTransport::poll_signal() {
  if (signals_.empty()) return std::nullopt;
  TransportSignal next = std::move(signals_.front());
  signals_.pop_front();
  return next;
}

std::unique_ptr<ClientTransport> make_transport(TransportKind kind, uint32_t generation,
                                                const ServerUrl& url, uint64_t random_seed) {
  switch (kind) {
    case TransportKind::websocket:
      return std::make_unique<WebSocketTransport>(generation, url);
    case TransportKind::sse:
      return std::make_unique<SseTransport>(generation, url, random_seed);
    case TransportKind::polling:
      return std::make_unique<PollingTransport>(generation, url, random_seed);
  }
  return std::make_unique<WebSocketTransport>(generation, url);
}

}  // namespace rtcwire::engineio
