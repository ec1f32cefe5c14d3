#include "rtcwire/peer/peer_registry.hpp"

#include <utility>

#include "rtcwire/base/overloaded.hpp"
#include "rtcwire/peer/peer_signal.hpp"

namespace rtcwire::peer {

using base::Status;

namespace {

base::Error no_peer(const std::string& peer) {
  return base::local_error(base::ErrorCode::peer_not_found, "no peer '" + peer.substr(0, 64) + "'");
}

}  // namespace

PeerRegistry::PeerRegistry(PeerConfig config) : config_(std::move(config)) {}

const RemotePeer* PeerRegistry::find(const std::string& peer) const {
  const auto found = peers_.find(peer);
  return found == peers_.end() ? nullptr : found->second.get();
}

RemotePeer* PeerRegistry::find_mutable(const std::string& peer) {
  const auto found = peers_.find(peer);
  return found == peers_.end() ? nullptr : found->second.get();
}

std::vector<std::string> PeerRegistry::ids() const {
  std::vector<std::string> all;
  for (const auto& [id, peer] : peers_) all.push_back(id);
  return all;
}

RemotePeer& PeerRegistry::add(const std::string& self, const std::string& peer,
                              std::optional<std::string> user) {
  if (auto* old = find_mutable(peer)) old->close(false);
  auto created = std::make_unique<RemotePeer>(peer, user, self > peer, config_, outputs_);
  outputs_.notices.push_back(notice::PeerAppeared{peer, std::move(user), created->polite()});
  RemotePeer& added = *created;
  peers_[peer] = std::move(created);
  return added;
}

void PeerRegistry::joined(const std::string& self, const std::vector<std::string>& peers,
                          const nlohmann::json& users) {
  close_all();
  for (const std::string& peer : peers) {
    std::optional<std::string> user;
    if (const auto found = users.is_object() ? users.find(peer) : users.end();
        found != users.end() && found->is_string()) {
      user = found->get<std::string>();
    }
    RemotePeer& added = add(self, peer, std::move(user));
    if (config_.auto_connect) added.connect(tracks_);
  }
}

void PeerRegistry::peer_joined(const std::string& self, const std::string& peer,
                               std::optional<std::string> user) {
  (void)add(self, peer, std::move(user));
}

void PeerRegistry::peer_left(const std::string& peer) {
  const auto found = peers_.find(peer);
  if (found == peers_.end()) return;
  found->second->close(false);
  peers_.erase(found);
}

void PeerRegistry::close_all() {
  for (auto& [id, peer] : peers_) peer->close(false);
  peers_.clear();
}

void PeerRegistry::signal(const std::string& from, const nlohmann::json& data) {
  RemotePeer* peer = find_mutable(from);
  if (!peer) {
    ++outputs_.stale;
    return;
  }
  auto decoded = decode_peer_signal(data);
  if (!decoded) {
    outputs_.notices.push_back(notice::PeerError{from, decoded.error()});
    return;
  }
  peer->on_signal(decoded.value(), tracks_);
}

RemotePeer* PeerRegistry::owner_of_pc(uint32_t pc) {
  for (auto& [id, peer] : peers_) {
    if (pc != 0 && peer->pc() == pc) return peer.get();
  }
  return nullptr;
}

RemotePeer* PeerRegistry::owner_of_channel(uint32_t channel) {
  for (auto& [id, peer] : peers_) {
    if (peer->owns_channel(channel)) return peer.get();
  }
  return nullptr;
}

RemotePeer* PeerRegistry::owner_of_transfer(uint32_t transfer) {
  for (auto& [id, peer] : peers_) {
    if (peer->files().owns(transfer)) return peer.get();
  }
  return nullptr;
}

template <typename Call>
Status PeerRegistry::with_transfer(uint32_t transfer, Call call) {
  RemotePeer* owner = owner_of_transfer(transfer);
  if (!owner) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "no active file transfer " + std::to_string(transfer));
  }
  Status done = call(owner->files());
  owner->take_file_outputs();
  return done;
}

base::Result<uint32_t> PeerRegistry::send_file(const std::string& peer, std::string name,
                                               uint64_t size, std::string type) {
  RemotePeer* target = find_mutable(peer);
  if (!target) return base::local_error(base::ErrorCode::peer_not_found, "no peer " + peer);
  if (target->state() == PeerState::closed) {
    return base::local_error(base::ErrorCode::peer_closed, "the peer is closed");
  }
  auto sent = target->files().send(std::move(name), size, std::move(type));
  target->take_file_outputs();
  return sent;
}

Status PeerRegistry::accept_file(uint32_t transfer, base::Millis now) {
  return with_transfer(transfer, [&](FileTransfers& files) { return files.accept(transfer, now); });
}

Status PeerRegistry::reject_file(uint32_t transfer) {
  return with_transfer(transfer, [&](FileTransfers& files) { return files.reject(transfer); });
}

Status PeerRegistry::cancel_file(uint32_t transfer) {
  return with_transfer(transfer, [&](FileTransfers& files) { return files.cancel(transfer); });
}

Status PeerRegistry::file_control(uint32_t channel, std::string_view text, base::Millis now) {
  RemotePeer* owner = owner_of_channel(channel);
  if (!owner) {
    ++outputs_.stale;
    return base::ok();
  }
  Status handled = owner->files().handle_control(text, now);
  owner->take_file_outputs();
  return handled;
}

base::Result<ChunkAnswer> PeerRegistry::file_chunk(uint32_t channel, uint32_t sender_id,
                                                   uint64_t offset, uint32_t length,
                                                   base::Millis now) {
  RemotePeer* owner = owner_of_channel(channel);
  if (!owner) {
    ++outputs_.stale;
    return ChunkAnswer{ChunkVerdict::refused, 0};
  }
  auto answer = owner->files().handle_chunk(sender_id, offset, length, now);
  owner->take_file_outputs();
  return answer;
}

Status PeerRegistry::file_sent(uint32_t transfer, uint64_t offset, uint32_t length) {
  if (!owner_of_transfer(transfer)) return base::ok();
  return with_transfer(
      transfer, [&](FileTransfers& files) { return files.handle_sent(transfer, offset, length); });
}

Status PeerRegistry::file_digest(uint32_t transfer, std::string_view sha256) {
  if (!owner_of_transfer(transfer)) return base::ok();
  return with_transfer(transfer,
                       [&](FileTransfers& files) { return files.handle_digest(transfer, sha256); });
}

void PeerRegistry::handle_event(const PeerEvent& event, base::Millis now) {
  const uint32_t* channel = std::visit(base::Overloaded{
                                           [](const event::ChannelOpened& e) { return &e.channel; },
                                           [](const event::ChannelClosed& e) { return &e.channel; },
                                           [](const event::ChannelLow& e) { return &e.channel; },
                                           [](const auto&) -> const uint32_t* { return nullptr; },
                                       },
                                       event);
  RemotePeer* owner = nullptr;
  if (channel) {
    owner = owner_of_channel(*channel);
  } else {
    const uint32_t pc = std::visit(
        [](const auto& e) -> uint32_t {
          if constexpr (requires { e.pc; }) {
            return e.pc;
          } else {
            return 0;
          }
        },
        event);
    owner = owner_of_pc(pc);
  }
  if (!owner) {
    ++outputs_.stale;
    return;
  }
  owner->handle_event(event, now);
}

bool PeerRegistry::set_ice_configuration(nlohmann::json ice_servers, bool relay_only) {
  if (ice_servers == config_.ice_servers && relay_only == config_.relay_only) return false;
  config_.ice_servers = std::move(ice_servers);
  config_.relay_only = relay_only;
  for (auto& [id, peer] : peers_) peer->reconfigure();
  return true;
}

Status PeerRegistry::connect(const std::string& peer) {
  RemotePeer* found = find_mutable(peer);
  if (!found) return no_peer(peer);
  found->connect(tracks_);
  return base::ok();
}

Status PeerRegistry::close(const std::string& peer) {
  RemotePeer* found = find_mutable(peer);
  if (!found) return no_peer(peer);
  found->close(true);
  return base::ok();
}

Status PeerRegistry::restart_ice(const std::string& peer) {
  RemotePeer* found = find_mutable(peer);
  if (!found) return no_peer(peer);
  return found->restart_ice();
}

base::Result<uint32_t> PeerRegistry::open_channel(const std::string& peer, std::string label,
                                                  ChannelOptions options) {
  RemotePeer* found = find_mutable(peer);
  if (!found) return no_peer(peer);
  return found->open_channel(std::move(label), std::move(options));
}

Status PeerRegistry::close_channel(uint32_t channel) {
  RemotePeer* owner = owner_of_channel(channel);
  if (!owner) return base::local_error(base::ErrorCode::channel_closed, "no such channel");
  return owner->close_channel(channel);
}

Status PeerRegistry::enqueue(uint32_t channel, uint64_t bytes) {
  RemotePeer* owner = owner_of_channel(channel);
  if (!owner) return base::local_error(base::ErrorCode::channel_closed, "the channel is closed");
  return owner->enqueue(channel, bytes);
}

Status PeerRegistry::set_local_tracks(std::vector<LocalTrack> tracks) {
  auto changes = tracks_.set(std::move(tracks));
  if (!changes) return changes.error();
  for (auto& [id, peer] : peers_) peer->apply_tracks(changes.value());
  return base::ok();
}

Status PeerRegistry::replace_track(uint32_t old, uint32_t replacement) {
  auto changes = tracks_.replace(old, replacement);
  if (!changes) return changes.error();
  for (auto& [id, peer] : peers_) peer->apply_tracks(changes.value());
  return base::ok();
}

base::Result<uint32_t> PeerRegistry::request_stats(const std::string& peer) {
  RemotePeer* found = find_mutable(peer);
  if (!found) return no_peer(peer);
  return found->request_stats();
}

std::optional<base::Millis> PeerRegistry::poll_timeout() const {
  std::optional<base::Millis> earliest;
  for (const auto& [id, peer] : peers_) {
    const auto deadline = peer->deadline();
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  }
  return earliest;
}

void PeerRegistry::handle_timeout(base::Millis now) {
  for (auto& [id, peer] : peers_) peer->handle_timeout(now);
}

}  // namespace rtcwire::peer
