#include "turn_credentials.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace rtcwire::server {

std::string turn_credential(std::string_view secret, std::string_view username) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac.data(),
            &length)) {
    return {};  // OpenSSL without SHA-1: coturn refuses the empty credential, nothing breaks here
  }
  // Base64 of n bytes takes 4 * ceil(n / 3) characters, plus the NUL EVP_EncodeBlock writes.
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> text{};
  const int written = EVP_EncodeBlock(text.data(), mac.data(), static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(written));
}

envelope::IceServersGrant mint_turn_credentials(const TurnSettings& settings, std::string_view peer,
                                                std::int64_t unix_now) {
  envelope::Json stun = envelope::Json::array();
  envelope::Json turn = envelope::Json::array();
  for (const std::string& uri : settings.uris) {
    (uri.starts_with("stun:") ? stun : turn).push_back(uri);
  }
  envelope::Json servers = envelope::Json::array();
  if (!stun.empty()) servers.push_back({{"urls", std::move(stun)}});
  if (!turn.empty()) {
    const std::string username =
        std::to_string(unix_now + settings.ttl.count()) + ":" + std::string(peer);
    servers.push_back({{"urls", std::move(turn)},
                       {"username", username},
                       {"credential", turn_credential(settings.secret, username)}});
  }
  const auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(settings.ttl);
  return envelope::IceServersGrant{std::move(servers), static_cast<std::uint64_t>(ttl_ms.count())};
}

envelope::IceServersGrant WallClockTurnCredentials::mint(std::string_view peer) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return mint_turn_credentials(settings_, peer,
                               std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

}  // namespace rtcwire::server
