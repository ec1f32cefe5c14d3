// Identifiers handed out by the server. An interface so the hub's tests can use predictable ids.
#pragma once

#include <random>
#include <string>

namespace rtcwire::server {

class IdSource {
 public:
  virtual ~IdSource() = default;
  // Public name of a peer, seen by the other peers of its room.
  virtual std::string peer_id() = 0;
  // Unguessable: session ids and Engine.IO sids are what a resume would present.
  virtual std::string session_id() = 0;
  // Unguessable and never shown to anyone but the session's client: proves a resume is genuine.
  virtual std::string token() = 0;
};

class RandomIdSource final : public IdSource {
 public:
  static constexpr std::size_t kPeerIdLength = 16;
  static constexpr std::size_t kSessionIdLength = 22;  // 22 base62 digits hold about 131 bits

  RandomIdSource();

  std::string peer_id() override;
  std::string session_id() override;
  std::string token() override;

 private:
  std::random_device entropy_;
  std::mt19937_64 peer_generator_;
};

}  // namespace rtcwire::server
