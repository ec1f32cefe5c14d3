#include "rtcwire/base/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace rtcwire::base {

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Engine.IO text is almost all ASCII: eight bytes at a time while no high bit is set.
    if (text.size() - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const Utf8Sequence sequence = utf8_sequence(text.substr(i));
    if (!sequence.well_formed) return false;
    i += sequence.length;
  }
  return true;
}

}  // namespace rtcwire::base
