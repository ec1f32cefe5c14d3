// The server's websocket reader on untrusted client bytes. The first byte chooses the message
// size limit and how the bytes are cut into reads; the rest is either raw bytes or, when the
// first byte is odd, frames built from the input (masked, as a client must send them, so the
// fuzzer reaches past the mask check). Checked: the reader never crashes; the events are the same
// whether the bytes come in one read or in pieces; no message is over the limit, no text message
// or close reason is invalid UTF-8, no ping is over 125 bytes; after a close or a failure nothing
// more is read; between reads the reader holds no more than an unfinished frame and message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtcwire/base/utf8.hpp"
#include "websocket_frames.hpp"
#include "websocket_reader.hpp"

namespace {

using namespace rtcwire::server;
using rtcwire::base::is_valid_utf8;

#define check(condition) \
  ((condition) ? void() : (std::fprintf(stderr, "check failed: %s\n", #condition), std::abort()))

std::vector<std::string> read(std::string bytes, std::size_t piece, std::size_t limit) {
  WebSocketReader reader(limit);
  std::vector<std::string> events;
  bool finished = false;
  for (std::size_t start = 0; start < bytes.size(); start += piece) {
    std::string chunk = bytes.substr(start, piece);
    reader.feed(chunk.data(), chunk.size());
    for (;;) {
      const WebSocketEvent event = reader.next();
      if (std::holds_alternative<WebSocketNeedMore>(event)) break;
      check(!finished);
      if (const auto* message = std::get_if<WebSocketMessage>(&event)) {
        check(message->payload.size() <= limit);
        check(message->binary || is_valid_utf8(message->payload));
        events.push_back((message->binary ? "b" : "t") + std::string(message->payload));
      } else if (const auto* ping = std::get_if<WebSocketPing>(&event)) {
        check(ping->payload.size() <= 125);
        events.push_back("p" + std::string(ping->payload));
      } else if (const auto* close = std::get_if<WebSocketClientClose>(&event)) {
        check(is_valid_utf8(close->reason) && close->reason.size() <= 123);
        events.push_back("c" + std::to_string(close->code) + std::string(close->reason));
        finished = true;
      } else if (const auto* failure = std::get_if<WebSocketFailure>(&event)) {
        check(!failure->reason.empty());
        events.push_back("f" + std::to_string(static_cast<int>(failure->code)));
        finished = true;
      }
    }
    // Held between reads: at most an unfinished frame (a message's within the limit, a control
    // frame's within 125 bytes) and an unfinished message; string capacities grow by doubling.
    const std::size_t largest_frame = std::max<std::size_t>(limit, 125) + 14;
    check(reader.buffered_bytes() <= 2 * largest_frame + 2 * limit + 64);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string bytes = (control & 1) ? frames_from(input) : std::string(input);
  const std::size_t limit = std::size_t{16} << ((control >> 1) & 7);  // 16 .. 2048 bytes
  const std::size_t piece = 1 + (control >> 4);                       // 1 .. 16 bytes
  const auto whole = read(bytes, bytes.empty() ? 1 : bytes.size(), limit);
  check(read(bytes, piece, limit) == whole);
  return 0;
}
