// JWT verification: the RFC 7515 HS256 example, and every way a token must be refused.
#include <gtest/gtest.h>

#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt_verifier.hpp"

namespace rtcwire::server {
namespace {

// RFC 7515 appendix A.1: an HS256 JWS and its key; its exp is 1300819380.
constexpr std::string_view kRfcKey =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kRfcToken =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::int64_t kRfcExpiry = 1300819380;

std::shared_ptr<const JwtVerifier> rfc_verifier() {
  auto verifier = JwtVerifier::with_secret(*base64url_decode(kRfcKey));
  EXPECT_TRUE(verifier.ok());
  return verifier.value();
}

ErrorCode refusal(const Result<TokenGrant>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? ErrorCode::internal : result.error().code;
}

TEST(Base64url, DecodesWithoutPaddingAndRefusesEverythingElse) {
  EXPECT_EQ(base64url_decode("aGVsbG8"), "hello");
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_EQ(base64url_decode("aGVsbG8="), std::nullopt);  // padding
  EXPECT_EQ(base64url_decode("aGV+bG8"), std::nullopt);   // standard alphabet
  EXPECT_EQ(base64url_decode("a"), std::nullopt);         // impossible length
  EXPECT_EQ(base64url_decode("aGVsbG9"), std::nullopt);   // non-zero leftover bits
}

TEST(JwtVerifier, AcceptsTheRfcExampleBeforeItsExpiry) {
  const auto grant = rfc_verifier()->verify(kRfcToken, kRfcExpiry - 1);
  ASSERT_TRUE(grant.ok()) << grant.error().message;
  EXPECT_EQ(grant.value().expires, kRfcExpiry);
  EXPECT_EQ(grant.value().user, "");
  EXPECT_FALSE(grant.value().rooms);
  EXPECT_TRUE(grant.value().publish);
}

TEST(JwtVerifier, TheExpiryInstantIsAlreadyExpired) {
  EXPECT_EQ(refusal(rfc_verifier()->verify(kRfcToken, kRfcExpiry)), ErrorCode::token_expired);
}

TEST(JwtVerifier, RefusesTamperedAndMalformedTokens) {
  const auto verifier = rfc_verifier();
  const std::string token(kRfcToken);
  const std::size_t last = token.rfind('.');
  std::string tampered = token;
  tampered[last + 1] = tampered[last + 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(refusal(verifier->verify(tampered, 0)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(verifier->verify(token.substr(0, last), 0)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(verifier->verify(token + ".x", 0)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(verifier->verify("", 0)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(verifier->verify("..", 0)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(verifier->verify(token.substr(0, last + 1), 0)), ErrorCode::unauthorized);
}

TEST(JwtVerifier, RefusesAlgNoneAndOtherAlgorithms) {
  const auto verifier = rfc_verifier();
  // {"alg":"none"} . {"sub":"x"} . (empty)
  EXPECT_EQ(refusal(verifier->verify("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", 0)),
            ErrorCode::unauthorized);
  // {"alg":"RS256"} with the same payload and signature as the example.
  const std::string token(kRfcToken);
  const std::string rs256 = "eyJhbGciOiJSUzI1NiJ9" + token.substr(token.find('.'));
  EXPECT_EQ(refusal(verifier->verify(rs256, 0)), ErrorCode::unauthorized);
}

TEST(JwtVerifier, RefusesShortSecretsAndKeysThatAreNotKeys) {
  EXPECT_FALSE(JwtVerifier::with_secret("too short").ok());
  EXPECT_FALSE(JwtVerifier::with_public_key_pem("not a key").ok());
  EXPECT_FALSE(JwtVerifier::with_public_key_pem("").ok());
}

TEST(TokenGrant, ReadsClaimsAndRefusesMistypedOnes) {
  using nlohmann::json;
  const auto grant = grant_from_claims(json{{"sub", "alice"},
                                            {"exp", 200.9},
                                            {"nbf", 100},
                                            {"rooms", {"lobby", "team-*"}},
                                            {"publish", false}});
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant.value().user, "alice");
  EXPECT_EQ(grant.value().expires, 200);  // fractions round down
  EXPECT_EQ(grant.value().not_before, 100);
  EXPECT_FALSE(grant.value().publish);
  EXPECT_TRUE(grant.value().allows_room("lobby"));
  EXPECT_TRUE(grant.value().allows_room("team-"));
  EXPECT_TRUE(grant.value().allows_room("team-red"));
  EXPECT_FALSE(grant.value().allows_room("lobby2"));
  EXPECT_FALSE(grant.value().allows_room("team"));

  for (const json& bad :
       {json{{"sub", 5}}, json{{"sub", ""}}, json{{"sub", std::string(200, 'x')}},
        json{{"exp", "soon"}}, json{{"nbf", true}}, json{{"rooms", "lobby"}}, json{{"rooms", {1}}},
        json{{"rooms", {""}}}, json{{"publish", 0}}, json{{"exp", 1e300}}, json::array()}) {
    const auto refused = grant_from_claims(bad);
    ASSERT_FALSE(refused.ok()) << bad.dump();
    EXPECT_EQ(refused.error().code, ErrorCode::unauthorized);
  }
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

// An HS256 token signed here with the RFC key.
std::string signed_token(std::string_view header, std::string_view payload) {
  const std::string key = *base64url_decode(kRfcKey);
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &length);
  return signing_input + "." +
         base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

TEST(JwtVerifier, NotBeforeAndCritAreChecked) {
  const auto verifier = rfc_verifier();
  const std::string token = signed_token(R"({"alg":"HS256"})", R"({"nbf":1000,"sub":"u"})");
  EXPECT_EQ(refusal(verifier->verify(token, 999)), ErrorCode::unauthorized);
  const auto grant = verifier->verify(token, 1000);
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant.value().user, "u");
  EXPECT_EQ(refusal(verifier->verify(
                signed_token(R"({"alg":"HS256","crit":["exp"]})", R"({"sub":"u"})"), 0)),
            ErrorCode::unauthorized);
  // Deep nesting and non-object payloads are not claims.
  EXPECT_EQ(refusal(verifier->verify(signed_token(R"({"alg":"HS256"})", std::string(64, '[')), 0)),
            ErrorCode::unauthorized);
  EXPECT_EQ(refusal(verifier->verify(signed_token(R"({"alg":"HS256"})", "[1]"), 0)),
            ErrorCode::unauthorized);
}

}  // namespace
}  // namespace rtcwire::server
