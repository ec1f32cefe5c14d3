#include "jwt_verifier.hpp"

#include <array>
#include <optional>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <nlohmann/json.hpp>

#include "rtcwire/base/json_parse.hpp"

namespace rtcwire::server {
namespace {

constexpr std::size_t kMinSecretBytes = 32;
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kEs256SignatureBytes = 64;  // r and s, 32 bytes each (RFC 7518 §3.4)

Error refused(std::string why) { return remote_error(ErrorCode::unauthorized, std::move(why)); }

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* signature) const { ECDSA_SIG_free(signature); }
};

// JWS carries r || s; OpenSSL verifies the DER form.
std::optional<std::vector<unsigned char>> es256_der(std::string_view raw) {
  if (raw.size() != kEs256SignatureBytes) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> signature(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!signature || !r || !s || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::vector<unsigned char> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(signature.get(), &out) != length) return std::nullopt;
  return der;
}

std::optional<nlohmann::json> decode_json_part(std::string_view part) {
  const auto text = base64url_decode(part);
  if (!text) return std::nullopt;
  auto json = base::parse_json(*text, 16);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

}  // namespace

struct JwtVerifier::Key {
  std::string secret;                                 // HS256
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> public_key;  // RS256, ES256
};

std::string_view to_string(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::hs256:
      return "HS256";
    case JwtAlgorithm::rs256:
      return "RS256";
    case JwtAlgorithm::es256:
      return "ES256";
  }
  return "HS256";
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  // The leftover bits of the last character must be zero, so each text has one decoding.
  if ((bits & ((1U << count) - 1)) != 0) return std::nullopt;
  return out;
}

JwtVerifier::JwtVerifier(JwtAlgorithm algorithm, std::unique_ptr<Key> key)
    : algorithm_(algorithm), key_(std::move(key)) {}

JwtVerifier::~JwtVerifier() = default;

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::with_secret(std::string secret) {
  if (secret.size() < kMinSecretBytes) {
    return local_error(ErrorCode::invalid_argument, "the HS256 secret must be at least " +
                                                        std::to_string(kMinSecretBytes) + " bytes");
  }
  auto key = std::make_unique<Key>();
  key->secret = std::move(secret);
  return std::shared_ptr<const JwtVerifier>(new JwtVerifier(JwtAlgorithm::hs256, std::move(key)));
}

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::with_public_key_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> public_key(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!public_key) {
    return local_error(ErrorCode::invalid_argument,
                       "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  JwtAlgorithm algorithm;
  if (EVP_PKEY_get_base_id(public_key.get()) == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(public_key.get()) < kMinRsaBits) {
      return local_error(ErrorCode::invalid_argument,
                         "RSA keys must have at least " + std::to_string(kMinRsaBits) + " bits");
    }
    algorithm = JwtAlgorithm::rs256;
  } else if (EVP_PKEY_get_base_id(public_key.get()) == EVP_PKEY_EC) {
    std::array<char, 64> curve{};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(public_key.get(), curve.data(), curve.size(), &length) != 1 ||
        std::string_view(curve.data(), length) != "prime256v1") {
      return local_error(ErrorCode::invalid_argument, "EC keys must be on P-256 (ES256)");
    }
    algorithm = JwtAlgorithm::es256;
  } else {
    return local_error(ErrorCode::invalid_argument, "the public key must be RSA or EC P-256");
  }
  auto key = std::make_unique<Key>();
  key->public_key = std::move(public_key);
  return std::shared_ptr<const JwtVerifier>(new JwtVerifier(algorithm, std::move(key)));
}

bool JwtVerifier::signature_matches(std::string_view signed_part,
                                    std::string_view signature) const {
  const auto* data = reinterpret_cast<const unsigned char*>(signed_part.data());
  if (algorithm_ == JwtAlgorithm::hs256) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key_->secret.data(), static_cast<int>(key_->secret.size()), data,
              signed_part.size(), mac.data(), &length)) {
      return false;
    }
    return signature.size() == length && CRYPTO_memcmp(mac.data(), signature.data(), length) == 0;
  }
  std::vector<unsigned char> der;
  if (algorithm_ == JwtAlgorithm::es256) {
    auto converted = es256_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
  } else {
    der.assign(signature.begin(), signature.end());
  }
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr,
                                       key_->public_key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(context.get(), der.data(), der.size(), data, signed_part.size()) == 1;
}

Result<TokenGrant> JwtVerifier::verify(std::string_view token, std::int64_t now) const {
  const std::size_t first = token.find('.');
  const std::size_t second = first == token.npos ? token.npos : token.find('.', first + 1);
  if (second == token.npos || token.find('.', second + 1) != token.npos) {
    return refused("the token is not a compact JWS (header.payload.signature)");
  }
  const auto header = decode_json_part(token.substr(0, first));
  if (!header) return refused("the token header is not base64url JSON");
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() ||
      alg->get_ref<const std::string&>() != to_string(algorithm_)) {
    return refused("the token must be signed with " + std::string(to_string(algorithm_)));
  }
  // Extensions this verifier does not implement must not be ignored (RFC 7515 §4.1.11).
  if (header->contains("crit")) return refused("the token header has 'crit' extensions");
  const auto signature = base64url_decode(token.substr(second + 1));
  if (!signature || !signature_matches(token.substr(0, second), *signature)) {
    return refused("the token signature does not verify");
  }
  const auto claims = decode_json_part(token.substr(first + 1, second - first - 1));
  if (!claims) return refused("the token payload is not base64url JSON");
  auto grant = grant_from_claims(*claims);
  if (!grant) return grant.error();
  if (grant.value().not_before && now < *grant.value().not_before) {
    return refused("the token is not valid yet (nbf)");
  }
  if (grant.value().expires && now >= *grant.value().expires) {
    return remote_error(ErrorCode::token_expired, "the token expired");
  }
  return grant;
}

}  // namespace rtcwire::server
