// Websocket frames built from fuzzer input, for the targets that feed the server's websocket
// reader: per frame a byte of FIN/RSV/opcode bits, a length byte (up to 255) and the payload,
// masked (as a client must send frames) with a key from the input, so the bytes reach past the
// mask check.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

inline std::string frames_from(std::string_view input) {
  std::string frames;
  while (input.size() >= 2) {
    const auto head = static_cast<unsigned char>(input[0]);
    std::size_t length = static_cast<unsigned char>(input[1]);
    input.remove_prefix(2);
    length = std::min(length, input.size());
    const std::string_view payload = input.substr(0, length);
    input.remove_prefix(length);
    frames.push_back(static_cast<char>(head));
    if (payload.size() < 126) {
      frames.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
      frames.push_back(static_cast<char>(0x80 | 126));
      frames.push_back(static_cast<char>(payload.size() >> 8));
      frames.push_back(static_cast<char>(payload.size() & 0xff));
    }
    const char mask[4] = {0x5a, static_cast<char>(head), 0x13, static_cast<char>(length)};
    frames.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) frames.push_back(payload[i] ^ mask[i % 4]);
  }
  return frames;
}
