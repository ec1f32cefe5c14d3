#include "rtcwire/base/shortest_double.hpp"

#include <charconv>

namespace rtcwire::base {

char* write_shortest_double(char* out, double value) {
  return std::to_chars(out, out + kShortestDoubleChars, value).ptr;
}

}  // namespace rtcwire::base
