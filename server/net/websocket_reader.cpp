#include "websocket_reader.hpp"

#include <cstring>
#include <utility>

#include "rtcwire/base/utf8.hpp"

namespace rtcwire::server {

using base::is_valid_utf8;

namespace {

enum Opcode : unsigned {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

constexpr std::size_t kMaxControlPayload = 125;
constexpr std::size_t kMaskBytes = 4;

void release(std::string& bytes) { std::string().swap(bytes); }

// XORs the payload with its 4-byte key, eight bytes at a time while it lasts.
void unmask(char* payload, std::size_t length, const char* key) {
  std::uint32_t key32;
  std::memcpy(&key32, key, sizeof key32);
  const std::uint64_t key64 = (static_cast<std::uint64_t>(key32) << 32) | key32;
  std::size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, payload + i, sizeof word);
    word ^= key64;
    std::memcpy(payload + i, &word, sizeof word);
  }
  for (; i < length; ++i) payload[i] ^= key[i % kMaskBytes];
}

// Codes a client may send (RFC 6455 section 7.4 and the IANA registry): 1004-1006 and 1015 are
// reserved for reporting, never sent; 3000-4999 belong to libraries and applications.
bool is_valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace

void WebSocketReader::feed(char* bytes, std::size_t size) {
  if (finished_) return;
  if (pending_.empty()) {
    input_ = bytes;
    input_size_ = size;
  } else {
    pending_.append(bytes, size);
    input_ = pending_.data();
    input_size_ = pending_.size();
  }
  offset_ = 0;
}

WebSocketEvent WebSocketReader::next() {
  if (release_message_) {
    release_message_ = false;
    release(message_);
  }
  if (finished_) {
    release(pending_);
    release(message_);
    input_ = nullptr;
    input_size_ = offset_ = 0;
    return WebSocketNeedMore{};
  }
  for (;;) {
    const std::size_t available = input_size_ - offset_;
    if (available < 2) return wait_for_more();
    char* const frame = input_ + offset_;
    const auto first = static_cast<unsigned char>(frame[0]);
    const auto second = static_cast<unsigned char>(frame[1]);
    const bool final = (first & 0x80) != 0;
    const unsigned opcode = first & 0x0F;
    const bool control = (opcode & 0x8) != 0;
    if ((first & 0x70) != 0) return fail(WebSocketCloseCode::protocol_error, "reserved bits set");
    if (opcode != kContinuation && opcode != kText && opcode != kBinary && opcode != kClose &&
        opcode != kPing && opcode != kPong) {
      return fail(WebSocketCloseCode::protocol_error, "unknown opcode");
    }
    if ((second & 0x80) == 0) return fail(WebSocketCloseCode::protocol_error, "unmasked frame");
    const unsigned short_length = second & 0x7F;
    if (control && !final) {
      return fail(WebSocketCloseCode::protocol_error, "fragmented control frame");
    }
    if (control && short_length > kMaxControlPayload) {
      return fail(WebSocketCloseCode::protocol_error, "control frame over 125 bytes");
    }
    const std::size_t length_bytes = short_length == 126 ? 2 : short_length == 127 ? 8 : 0;
    const std::size_t header = 2 + length_bytes + kMaskBytes;
    if (available < header) return wait_for_more();
    std::uint64_t length = short_length;
    if (length_bytes > 0) {
      length = 0;
      for (std::size_t i = 0; i < length_bytes; ++i) {
        length = (length << 8) | static_cast<unsigned char>(frame[2 + i]);
      }
      // Lengths in their shortest form only (section 5.2), and the top bit of 64 clear.
      const std::uint64_t shortest = length_bytes == 2 ? 126 : 0x10000;
      if (length < shortest || (length >> 63) != 0) {
        return fail(WebSocketCloseCode::protocol_error, "frame length not in its shortest form");
      }
    }
    if (opcode == kContinuation && !in_message_) {
      return fail(WebSocketCloseCode::protocol_error, "continuation frame outside a message");
    }
    if ((opcode == kText || opcode == kBinary) && in_message_) {
      return fail(WebSocketCloseCode::protocol_error, "new message inside a fragmented one");
    }
    // Checked before the payload arrives, so no more than the limit is ever buffered.
    const std::uint64_t message_so_far = opcode == kContinuation ? message_.size() : 0;
    if (!control && (length > max_message_bytes_ ||
                     message_so_far + length > static_cast<std::uint64_t>(max_message_bytes_))) {
      return fail(WebSocketCloseCode::message_too_big, "message over maxPayload");
    }
    if (available - header < length) return wait_for_more();

    char* const payload = frame + header;
    unmask(payload, static_cast<std::size_t>(length), payload - kMaskBytes);
    const std::string_view bytes(payload, static_cast<std::size_t>(length));
    offset_ += header + static_cast<std::size_t>(length);

    switch (opcode) {
      case kPing:
        return WebSocketPing{bytes};
      case kPong:
        continue;  // unsolicited pongs are allowed (section 5.5.3) and need no answer
      case kClose: {
        if (bytes.size() == 1) {
          return fail(WebSocketCloseCode::protocol_error, "close frame with a 1-byte payload");
        }
        WebSocketClientClose close{static_cast<std::uint16_t>(WebSocketCloseCode::no_status), {}};
        if (bytes.size() >= 2) {
          close.code = static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[0]) << 8 |
                                                  static_cast<unsigned char>(bytes[1]));
          close.reason = bytes.substr(2);
          if (!is_valid_close_code(close.code)) {
            return fail(WebSocketCloseCode::protocol_error, "invalid close code");
          }
          if (!is_valid_utf8(close.reason)) {
            return fail(WebSocketCloseCode::invalid_payload, "close reason not UTF-8");
          }
        }
        finished_ = true;
        return close;
      }
      default:
        break;
    }

    if (final && !in_message_) {
      if (opcode == kText && !is_valid_utf8(bytes)) {
        return fail(WebSocketCloseCode::invalid_payload, "text message not UTF-8");
      }
      return WebSocketMessage{opcode == kBinary, bytes};
    }
    if (!in_message_) {
      in_message_ = true;
      message_binary_ = opcode == kBinary;
      message_.assign(bytes);
    } else {
      message_.append(bytes);
    }
    if (!final) continue;
    in_message_ = false;
    release_message_ = true;
    if (!message_binary_ && !is_valid_utf8(message_)) {
      return fail(WebSocketCloseCode::invalid_payload, "text message not UTF-8");
    }
    return WebSocketMessage{message_binary_, message_};
  }
}

WebSocketEvent WebSocketReader::wait_for_more() {
  const std::size_t rest = input_size_ - offset_;
  if (rest == 0) {
    release(pending_);  // nothing left over: an idle connection keeps no buffer
  } else if (input_ == pending_.data()) {
    pending_.erase(0, offset_);
  } else {
    pending_.assign(input_ + offset_, rest);
  }
  input_ = nullptr;
  input_size_ = offset_ = 0;
  return WebSocketNeedMore{};
}

WebSocketEvent WebSocketReader::fail(WebSocketCloseCode code, std::string_view reason) {
  finished_ = true;
  return WebSocketFailure{code, reason};
}

}  // namespace rtcwire::server
