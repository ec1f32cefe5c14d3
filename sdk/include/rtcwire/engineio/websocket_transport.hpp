// Engine.IO over one WebSocket: one frame per packet, binary messages as binary frames.
#pragma once

#include "rtcwire/engineio/client_transport.hpp"

namespace rtcwire::engineio {

class WebSocketTransport final : public ClientTransport {
 public:
  using ClientTransport::ClientTransport;

  TransportKind kind() const override { return TransportKind::websocket; }
  void open(std::string_view sid) override;
  void send(std::vector<Packet> packets) override;
  void pause() override;
  void close() override;

  void handle_open() override;
  void handle_text(std::string_view text) override;
  void handle_binary(std::string_view bytes) override;
};

}  // namespace rtcwire::engineio
