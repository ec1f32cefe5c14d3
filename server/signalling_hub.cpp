#include "signalling_hub.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

namespace rtcwire::server {

// Collects the deliveries of one input.
class SignallingHub::Outbox {
 public:
  void send(ConnectionId to, const envelope::ServerEnvelope& message) {
    deliveries_.push_back(Delivery{to, envelope::encode(message)});
  }
  // Encodes once for the whole room: a publish to a large room costs one JSON dump.
  void broadcast(const std::vector<ConnectionId>& members, ConnectionId except,
                 const envelope::ServerEnvelope& message) {
    const std::string text = envelope::encode(message);
    for (ConnectionId member : members) {
      if (member != except) deliveries_.push_back(Delivery{member, text});
    }
  }
  void fail(ConnectionId to, ErrorCode code, std::string message) {
    send(to, envelope::ErrorReply{code, message});
    rejection_ = remote_error(code, std::move(message));
  }
  HubOutput take() { return HubOutput{std::move(deliveries_), std::move(rejection_)}; }

 private:
  std::vector<Delivery> deliveries_;
  std::optional<Error> rejection_;
};

SignallingHub::SignallingHub(IdSource& ids, std::size_t max_message_bytes)
    : ids_(ids), max_message_bytes_(max_message_bytes) {}

ConnectionId SignallingHub::connect() {
  const ConnectionId id = next_connection_++;
  connections_.emplace(id, Connection{});
  return id;
}

HubOutput SignallingHub::receive_text(ConnectionId from, std::string_view text) {
  Outbox out;
  const auto found = connections_.find(from);
  if (found == connections_.end()) return out.take();
  Connection& connection = found->second;

  // Checked before parsing, so an oversize message costs no JSON work.
  if (text.size() > max_message_bytes_) {
    out.fail(from, ErrorCode::message_too_large,
             "envelope of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                 std::to_string(max_message_bytes_));
    return out.take();
  }
  auto decoded = envelope::decode_client(text);
  if (!decoded) {
    out.fail(from, decoded.error().code, decoded.error().message);
    return out.take();
  }
  const envelope::ClientEnvelope& message = decoded.value();
  const bool welcomed = !connection.peer.empty();
  const bool is_hello = std::holds_alternative<envelope::Hello>(message);
  if (welcomed == is_hello) {
    out.fail(from, ErrorCode::invalid_state,
             welcomed ? "hello was already answered" : "the first envelope must be hello");
    return out.take();
  }

  std::visit(
      [&](const auto& envelope) {
        using T = std::decay_t<decltype(envelope)>;
        if constexpr (std::is_same_v<T, envelope::Hello>) {
          on_hello(from, connection, envelope, out);
        } else if constexpr (std::is_same_v<T, envelope::Join>) {
          on_join(from, connection, envelope, out);
        } else if constexpr (std::is_same_v<T, envelope::Leave>) {
          on_leave(from, connection, out);
        } else if constexpr (std::is_same_v<T, envelope::Publish>) {
          on_publish(from, connection, envelope, out);
        } else {
          static_assert(std::is_same_v<T, envelope::SignalTo> ||
                        std::is_same_v<T, envelope::DirectTo>);
          const auto target = room_peer(connection, envelope.to);
          if (!target) {
            out.fail(from, ErrorCode::peer_not_found,
                     "peer '" + envelope.to + "' is not in your room");
          } else if constexpr (std::is_same_v<T, envelope::SignalTo>) {
            out.send(*target, envelope::SignalFrom{connection.peer, envelope.data});
          } else {
            out.send(*target, envelope::DirectFrom{connection.peer, envelope.data});
          }
        }
      },
      message);
  return out.take();
}

HubOutput SignallingHub::receive_binary(ConnectionId from) {
  Outbox out;
  if (connections_.contains(from)) {
    out.fail(from, ErrorCode::invalid_envelope, "envelopes are JSON text, not binary messages");
  }
  return out.take();
}

HubOutput SignallingHub::disconnect(ConnectionId connection_id) {
  Outbox out;
  const auto found = connections_.find(connection_id);
  if (found == connections_.end()) return out.take();
  leave_room(connection_id, found->second, out);
  connection_by_peer_.erase(found->second.peer);
  connections_.erase(found);
  return out.take();
}

std::string_view SignallingHub::peer_id(ConnectionId connection) const {
  const auto found = connections_.find(connection);
  return found == connections_.end() ? std::string_view{} : found->second.peer;
}

std::string_view SignallingHub::room_of(ConnectionId connection) const {
  const auto found = connections_.find(connection);
  return found == connections_.end() ? std::string_view{} : found->second.room;
}

void SignallingHub::on_hello(ConnectionId from, Connection& connection, const envelope::Hello&,
                             Outbox& out) {
  std::string peer = ids_.peer_id();
  // Peer ids address relayed messages, so two live connections must never share one.
  while (connection_by_peer_.contains(peer)) peer = ids_.peer_id();
  connection.peer = peer;
  connection_by_peer_.emplace(std::move(peer), from);
  out.send(from, envelope::Welcome{connection.peer, ids_.session_id(), max_message_bytes_});
}

void SignallingHub::on_join(ConnectionId from, Connection& connection, const envelope::Join& join,
                            Outbox& out) {
  // Joining the room one is already in changes nothing for the others: no presence churn.
  if (connection.room != join.room) {
    leave_room(from, connection, out);
    std::vector<ConnectionId>& members = rooms_[join.room];
    out.broadcast(members, from, envelope::PeerJoined{connection.peer});
    members.push_back(from);
    connection.room = join.room;
  }
  envelope::Joined joined{join.room, {}};
  for (ConnectionId member : rooms_[join.room]) {
    if (member != from) joined.peers.push_back(connections_.at(member).peer);
  }
  out.send(from, joined);
}

void SignallingHub::on_leave(ConnectionId from, Connection& connection, Outbox& out) {
  if (connection.room.empty()) {
    out.fail(from, ErrorCode::not_in_room, "leave while in no room");
    return;
  }
  std::string room = connection.room;
  leave_room(from, connection, out);
  out.send(from, envelope::Left{std::move(room)});
}

void SignallingHub::on_publish(ConnectionId from, const Connection& connection,
                               const envelope::Publish& publish, Outbox& out) {
  if (connection.room.empty()) {
    out.fail(from, ErrorCode::not_in_room, "publish while in no room");
    return;
  }
  out.broadcast(rooms_.at(connection.room), from,
                envelope::Published{connection.peer, publish.data});
}

std::optional<ConnectionId> SignallingHub::room_peer(const Connection& sender,
                                                     std::string_view peer) const {
  if (sender.room.empty() || peer == sender.peer) return std::nullopt;
  const auto found = connection_by_peer_.find(std::string(peer));
  if (found == connection_by_peer_.end()) return std::nullopt;
  if (connections_.at(found->second).room != sender.room) return std::nullopt;
  return found->second;
}

void SignallingHub::leave_room(ConnectionId connection_id, Connection& connection, Outbox& out) {
  if (connection.room.empty()) return;
  const auto room = rooms_.find(connection.room);
  std::vector<ConnectionId>& members = room->second;
  std::erase(members, connection_id);
  out.broadcast(members, connection_id, envelope::PeerLeft{connection.peer});
  if (members.empty()) rooms_.erase(room);
  connection.room.clear();
}

}  // namespace rtcwire::server
