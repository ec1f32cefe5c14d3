// The control messages of file transfer: small JSON texts on the `rtcwire-files` data channel
// (docs/protocol.md, "File transfer"). The file's bytes travel as binary frames that JS builds and
// reads; only these messages reach the core, and every one is checked here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "rtcwire/base/error.hpp"

namespace rtcwire::peer {

inline constexpr std::size_t max_file_control_bytes = 4096;
inline constexpr std::size_t max_file_name_bytes = 255;
inline constexpr std::size_t max_file_type_bytes = 127;
// JS numbers are exact up to 2^53 - 1, and offsets and sizes cross into JS as numbers.
inline constexpr std::uint64_t max_file_size = (std::uint64_t{1} << 53) - 1;

// `transfer` is always the sender's id for the transfer (its handle), whichever side writes.
namespace file_control {
// Sender -> receiver.
struct Offer {
  std::uint32_t transfer;
  std::string name;
  std::uint64_t size;
  std::string type;  // MIME type, may be empty
  bool operator==(const Offer&) const = default;
};
struct Done {  // every byte was sent; the sender's SHA-256 of the whole file
  std::uint32_t transfer;
  std::string sha256;
  bool operator==(const Done&) const = default;
};
struct CancelSend {
  std::uint32_t transfer;
  base::ErrorCode code;
  bool operator==(const CancelSend&) const = default;
};
// Receiver -> sender.
struct Accept {
  std::uint32_t transfer;
  bool operator==(const Accept&) const = default;
};
struct Ack {  // bytes [0, offset) are stored
  std::uint32_t transfer;
  std::uint64_t offset;
  bool operator==(const Ack&) const = default;
};
struct Resume {  // bytes [0, offset) are stored: send again from there
  std::uint32_t transfer;
  std::uint64_t offset;
  bool operator==(const Resume&) const = default;
};
struct Confirm {  // the digests matched: the file is delivered
  std::uint32_t transfer;
  bool operator==(const Confirm&) const = default;
};
struct CancelReceive {  // rejected, cancelled, or failed (hash_mismatch, ...)
  std::uint32_t transfer;
  base::ErrorCode code;
  bool operator==(const CancelReceive&) const = default;
};
}  // namespace file_control

using FileControl = std::variant<file_control::Offer, file_control::Done, file_control::CancelSend,
                                 file_control::Accept, file_control::Ack, file_control::Resume,
                                 file_control::Confirm, file_control::CancelReceive>;

// Errors (origin remote): message_too_large (over max_file_control_bytes), malformed_json (not
// one flat JSON object), unknown_type, invalid_transfer (a field missing, mistyped or out of
// range). Unknown fields are ignored.
base::Result<FileControl> decode_file_control(std::string_view text);
std::string encode_file_control(const FileControl& message);

// Names and types shown to the other app: visible UTF-8 of 1..255 bytes; printable ASCII up to
// 127 bytes. Errors: invalid_argument (origin local, for the app's own send).
base::Status check_file_name(std::string_view name);
base::Status check_file_type(std::string_view type);
// 64 lowercase hex digits.
bool is_sha256_hex(std::string_view text);
// The codes a cancel may carry on the wire.
bool is_transfer_end_code(base::ErrorCode code);

}  // namespace rtcwire::peer
