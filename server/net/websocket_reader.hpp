// Client-to-server websocket frames (RFC 6455 section 5), sans-I/O: bytes from the socket in,
// whole messages and control frames out, every rule the server enforces checked here. Client
// frames must be masked; no extension is negotiated, so reserved bits are refused; control frames
// are final and at most 125 bytes; text messages must be UTF-8; messages over the size limit are
// refused before their payload is buffered. Between messages the reader holds no buffer: a
// message that arrived whole in one read is unmasked where it lies and handed out as a view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace rtcwire::server {

// The close codes the server sends (RFC 6455 section 7.4.1).
enum class WebSocketCloseCode : std::uint16_t {
  normal = 1000,
  protocol_error = 1002,
  no_status = 1005,  // never sent: what a close frame without a code reports
  invalid_payload = 1007,
  message_too_big = 1009,
};

// Views into the reader's or the caller's bytes, valid until the next call of next() or feed().
struct WebSocketNeedMore {};
struct WebSocketMessage {
  bool binary = false;
  std::string_view payload;
};
struct WebSocketPing {
  std::string_view payload;
};
// The client's close frame; `code` is 1005 (no_status) when it carried none.
struct WebSocketClientClose {
  std::uint16_t code = 0;
  std::string_view reason;
};
// The client broke the protocol: close with `code`; `reason` says why (for the log).
struct WebSocketFailure {
  WebSocketCloseCode code = WebSocketCloseCode::protocol_error;
  std::string_view reason;
};

using WebSocketEvent = std::variant<WebSocketNeedMore, WebSocketMessage, WebSocketPing,
                                    WebSocketClientClose, WebSocketFailure>;

class WebSocketReader {
 public:
  explicit WebSocketReader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Takes bytes read from the socket. Call it only once next() has returned WebSocketNeedMore (or
  // before the first next()). Until then `bytes` must stay valid: payloads are unmasked in place.
  // The part of an unfinished frame is copied when next() runs out of whole frames.
  void feed(char* bytes, std::size_t size);

  // The next event of the bytes fed so far. After a WebSocketClientClose or a WebSocketFailure
  // the reader is finished: it reads nothing more and returns WebSocketNeedMore.
  WebSocketEvent next();

  // The heap bytes it holds between calls (an unfinished frame or message); 0 when idle.
  std::size_t buffered_bytes() const { return heap_bytes(pending_) + heap_bytes(message_); }

 private:
  static std::size_t heap_bytes(const std::string& bytes) {
    return bytes.capacity() > std::string().capacity() ? bytes.capacity() : 0;
  }
  WebSocketEvent wait_for_more();
  WebSocketEvent fail(WebSocketCloseCode code, std::string_view reason);

  std::size_t max_message_bytes_;
  // The bytes being parsed: the caller's, or pending_'s once a frame straddled reads.
  char* input_ = nullptr;
  std::size_t input_size_ = 0;
  std::size_t offset_ = 0;
  std::string pending_;  // an unfinished frame, kept across reads
  // The fragments so far of a fragmented message.
  std::string message_;
  bool in_message_ = false;
  bool message_binary_ = false;
  bool release_message_ = false;  // message_ was handed out: released at the next call
  bool finished_ = false;
};

}  // namespace rtcwire::server
