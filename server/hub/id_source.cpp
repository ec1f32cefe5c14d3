#include "id_source.hpp"

#include <array>
#include <string_view>

namespace rtcwire::server {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

template <class Generator>
std::string base62(Generator& generator, std::size_t length) {
  // The distribution rejects out-of-range draws, so every digit is equally likely.
  std::uniform_int_distribution<std::size_t> digit(0, kBase62.size() - 1);
  std::string id(length, '0');
  for (char& c : id) c = kBase62[digit(generator)];
  return id;
}

// A mt19937_64 seeded from one 32-bit value would have only 2^32 possible id sequences.
std::mt19937_64 seeded_generator(std::random_device& entropy) {
  std::array<std::random_device::result_type, 8> seed{};
  for (auto& word : seed) word = entropy();
  std::seed_seq sequence(seed.begin(), seed.end());
  return std::mt19937_64(sequence);
}

}  // namespace

RandomIdSource::RandomIdSource() : peer_generator_(seeded_generator(entropy_)) {}

std::string RandomIdSource::peer_id() { return base62(peer_generator_, kPeerIdLength); }

std::string RandomIdSource::session_id() { return base62(entropy_, kSessionIdLength); }

std::string RandomIdSource::token() { return base62(entropy_, kSessionIdLength); }

}  // namespace rtcwire::server
