// Randomness is an input: the platform seeds this generator (crypto.getRandomValues in the
// browser, a fixed seed in tests), so the core stays deterministic under test.
#pragma once

#include <cstdint>
#include <string>

namespace rtcwire::base {

// SplitMix64: small, fast, and good enough for jitter and cache-busting tokens (not for secrets).
class RandomSource {
 public:
  explicit RandomSource(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [low, high); low when the range is empty.
  int64_t uniform(int64_t low, int64_t high) {
    if (high <= low) return low;
    return low + static_cast<int64_t>(next() % static_cast<uint64_t>(high - low));
  }

  // A short base-36 token, e.g. for unique query parameters.
  std::string token() {
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    uint64_t value = next();
    std::string out;
    for (int i = 0; i < 10; ++i) {
      out.push_back(kDigits[value % 36]);
      value /= 36;
    }
    return out;
  }

 private:
  uint64_t state_;
};

}  // namespace rtcwire::base
