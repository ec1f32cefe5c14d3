#include "websocket_frame.hpp"

namespace rtcwire::server {

void append_frame_header(std::string& out, WebSocketOpcode opcode, std::uint64_t payload_length) {
  constexpr std::uint8_t kFinal = 0x80;
  out.push_back(static_cast<char>(kFinal | static_cast<std::uint8_t>(opcode)));
  // 7-bit lengths up to 125; 126 and 127 announce a 16-bit or 64-bit length in network order.
  int length_bytes = 0;
  if (payload_length <= 125) {
    out.push_back(static_cast<char>(payload_length));
  } else if (payload_length <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    length_bytes = 2;
  } else {
    out.push_back(static_cast<char>(127));
    length_bytes = 8;
  }
  for (int shift = 8 * (length_bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((payload_length >> shift) & 0xFF));
  }
}

}  // namespace rtcwire::server
