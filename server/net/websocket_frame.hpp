// Server-to-client websocket framing (RFC 6455 section 5.2): unmasked, unfragmented frames, so the
// transport can lay several messages (and its pongs and close frame) into one buffer and send them
// together.
#pragma once

#include <cstdint>
#include <string>

namespace rtcwire::server {

enum class WebSocketOpcode : std::uint8_t { text = 0x1, binary = 0x2, close = 0x8, pong = 0xA };

// Appends the header of a final, unmasked frame carrying `payload_length` bytes; the payload
// follows it in `out`.
void append_frame_header(std::string& out, WebSocketOpcode opcode, std::uint64_t payload_length);

}  // namespace rtcwire::server
