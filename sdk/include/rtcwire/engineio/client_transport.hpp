// One client transport (websocket, sse or polling) behind one interface: it turns Engine.IO
// packets into platform actions and platform events back into packets. Engine.IO itself
// (handshake, heartbeat, upgrade) lives in EngineIoConnection, above every transport.
// Model: centrifuge-js transport_*.ts, engine.io-client transports/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/fifo.hpp"
#include "rtcwire/base/random_source.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "rtcwire/engineio/server_url.hpp"
#include "rtcwire/engineio/transport_action.hpp"

namespace rtcwire::engineio {

namespace transport_signal {
struct Opened {};  // the WebSocket or EventSource is open (before any packet)
struct Received {
  std::vector<Packet> packets;
};
struct Paused {};  // drained after pause(): nothing more will arrive on this transport
struct Failed {
  base::Error error;
};
}  // namespace transport_signal

using TransportSignal = std::variant<transport_signal::Opened, transport_signal::Received,
                                     transport_signal::Paused, transport_signal::Failed>;

class ClientTransport {
 public:
  ClientTransport(uint32_t generation, ServerUrl url)
      : generation_(generation), url_(std::move(url)) {}
  virtual ~ClientTransport() = default;
  ClientTransport(const ClientTransport&) = delete;
  ClientTransport& operator=(const ClientTransport&) = delete;

  virtual TransportKind kind() const = 0;
  uint32_t generation() const { return generation_; }
  bool finished() const { return finished_; }

  // Starts the transport; with a sid it joins that session (an upgrade probe).
  virtual void open(std::string_view sid) = 0;
  // The open packet arrived: the session id and the largest payload the server accepts.
  virtual void start_session(const std::string& sid, int64_t max_payload);
  virtual void send(std::vector<Packet> packets) = 0;
  // Stops receiving for an upgrade; Paused follows once nothing more can arrive here.
  virtual void pause() = 0;
  // Undoes pause() after a failed upgrade.
  virtual void resume() {}
  // Ends the transport on our side; no signal follows.
  virtual void close() = 0;

  virtual void handle_open() {}
  virtual void handle_text(std::string_view text) = 0;
  virtual void handle_binary(std::string_view bytes);
  virtual void handle_http_response(uint32_t id, int status, std::string_view body);
  void handle_closed();
  void handle_error(std::string_view reason);

  std::optional<TransportAction> poll_action();
  std::optional<TransportSignal> poll_signal();

 protected:
  void emit(TransportAction action) { actions_.push_back(std::move(action)); }
  void signal(TransportSignal signal) { signals_.push_back(std::move(signal)); }
  // Ends the transport with an error: closes what the platform holds and reports Failed once.
  void fail(base::Error error);
  // Ends the transport quietly (closing what the platform holds).
  void finish();

  uint32_t generation_;
  ServerUrl url_;
  std::string sid_;
  int64_t max_payload_ = 1000000;
  bool finished_ = false;

 private:
  base::Fifo<TransportAction> actions_;
  base::Fifo<TransportSignal> signals_;
};

// Creates the transport of `kind`; the random seed feeds its cache-busting tokens.
std::unique_ptr<ClientTransport> make_transport(TransportKind kind, uint32_t generation,
                                                const ServerUrl& url, uint64_t random_seed);

}  // namespace rtcwire::engineio
