#include "turn_credentials.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

using envelope::Json;

constexpr std::string_view kSecret = "a-turn-secret-of-32-bytes-length";

TEST(TurnCredentials, CredentialIsBase64OfHmacSha1) {
  // Known answer from `printf %s 1700003600:peerA | openssl dgst -sha1 -hmac SECRET -binary |
  // base64` (and node's crypto.createHmac('sha1', SECRET)).
  EXPECT_EQ(turn_credential(kSecret, "1700003600:peerA"), "Rr4fd/d7Hs/YI3/b4swIgiMcIPo=");
  EXPECT_NE(turn_credential(kSecret, "1700003601:peerA"), "Rr4fd/d7Hs/YI3/b4swIgiMcIPo=");
  EXPECT_NE(turn_credential("another-secret-of-enough-bytes", "1700003600:peerA"),
            "Rr4fd/d7Hs/YI3/b4swIgiMcIPo=");
}

TEST(TurnCredentials, MintsStunFirstThenEveryTurnUriWithOneCredential) {
  const TurnSettings settings{std::string(kSecret),
                              {"turn:turn.example.com:3478?transport=udp", "stun:stun.example.com",
                               "turns:turn.example.com:443?transport=tcp", "stun:[::1]:3478"},
                              std::chrono::seconds(3600)};
  const envelope::IceServersGrant grant = mint_turn_credentials(settings, "peerA", 1700000000);
  EXPECT_EQ(grant.expires_in_ms, 3600000u);
  const Json expected = Json::parse(R"([
    {"urls":["stun:stun.example.com","stun:[::1]:3478"]},
    {"urls":["turn:turn.example.com:3478?transport=udp","turns:turn.example.com:443?transport=tcp"],
     "username":"1700003600:peerA","credential":"Rr4fd/d7Hs/YI3/b4swIgiMcIPo="}])");
  EXPECT_EQ(grant.ice_servers, expected) << grant.ice_servers.dump();
}

TEST(TurnCredentials, WithoutStunUrisOneEntry) {
  const TurnSettings settings{
      std::string(kSecret), {"turn:127.0.0.1:3478"}, std::chrono::seconds(10)};
  const envelope::IceServersGrant grant = mint_turn_credentials(settings, "p", 100);
  ASSERT_EQ(grant.ice_servers.size(), 1u);
  EXPECT_EQ(grant.ice_servers[0]["username"], "110:p");
  EXPECT_EQ(grant.ice_servers[0]["credential"], turn_credential(kSecret, "110:p"));
  EXPECT_EQ(grant.expires_in_ms, 10000u);
}

TEST(TurnCredentials, TheWallClockExpiryIsNowPlusTtl) {
  const WallClockTurnCredentials minter(
      TurnSettings{std::string(kSecret), {"turn:127.0.0.1"}, std::chrono::seconds(600)});
  const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const envelope::IceServersGrant grant = minter.mint("peerZ");
  const auto after = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const std::string username = grant.ice_servers[0]["username"];
  const auto expiry = std::stoll(username.substr(0, username.find(':')));
  EXPECT_GE(expiry, before + 600);
  EXPECT_LE(expiry, after + 600);
  EXPECT_EQ(username.substr(username.find(':')), ":peerZ");
}

}  // namespace
}  // namespace rtcwire::server
