// The rtcwire envelope v1 session logic of the server: peers, rooms, presence and relay.
// Socket-free: the caller feeds it what each connection sent and delivers what it returns, so the
// whole protocol is testable without a network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "id_source.hpp"
#include "rtcwire/envelope.hpp"
#include "rtcwire/error.hpp"

namespace rtcwire::server {

using ConnectionId = std::uint64_t;

// One encoded server envelope for one connection.
struct Delivery {
  ConnectionId to = 0;
  std::string text;

  bool operator==(const Delivery&) const = default;
};

// What one input produced.
struct HubOutput {
  std::vector<Delivery> deliveries;
  // Set when the input was refused; the matching error envelope is among the deliveries.
  std::optional<Error> rejection;
};

class SignallingHub {
 public:
  SignallingHub(IdSource& ids, std::size_t max_message_bytes);

  // A transport session opened; the connection may now say hello.
  ConnectionId connect();
  // One Engine.IO text message from `from`. Unknown connections are ignored.
  HubOutput receive_text(ConnectionId from, std::string_view text);
  // One Engine.IO binary message: never a valid envelope.
  HubOutput receive_binary(ConnectionId from);
  // The transport session closed: the room learns that the peer left.
  HubOutput disconnect(ConnectionId connection);

  std::size_t connection_count() const { return connections_.size(); }
  // Empty until the connection's hello was welcomed.
  std::string_view peer_id(ConnectionId connection) const;
  std::string_view room_of(ConnectionId connection) const;

 private:
  struct Connection {
    std::string peer;  // empty until welcomed
    std::string room;  // empty when in no room
  };
  class Outbox;

  void on_hello(ConnectionId from, Connection& connection, const envelope::Hello& hello,
                Outbox& out);
  void on_join(ConnectionId from, Connection& connection, const envelope::Join& join, Outbox& out);
  void on_leave(ConnectionId from, Connection& connection, Outbox& out);
  void on_publish(ConnectionId from, const Connection& connection, const envelope::Publish& publish,
                  Outbox& out);
  // Signal and direct: relayed only to a peer of the sender's own room.
  std::optional<ConnectionId> room_peer(const Connection& sender, std::string_view peer) const;

  // Removes the connection from its room, telling the others; no reply to the connection itself.
  void leave_room(ConnectionId connection_id, Connection& connection, Outbox& out);

  IdSource& ids_;
  std::size_t max_message_bytes_;
  ConnectionId next_connection_ = 1;
  std::unordered_map<ConnectionId, Connection> connections_;
  std::unordered_map<std::string, ConnectionId> connection_by_peer_;
  // Members in join order, so `joined.peers` lists the room oldest first.
  std::unordered_map<std::string, std::vector<ConnectionId>> rooms_;
};

}  // namespace rtcwire::server
