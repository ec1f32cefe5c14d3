#include "rtcwire/peer/file_transfer_control.hpp"

#include <optional>

#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/base/json_writer.hpp"
#include "rtcwire/base/overloaded.hpp"
#include "rtcwire/base/unicode_text.hpp"

namespace rtcwire::peer {

using base::ErrorCode;
using base::json_writer::put_number;
using base::json_writer::put_string;

namespace {

using Json = nlohmann::json;

base::Error invalid(std::string message) {
  return base::remote_error(ErrorCode::invalid_transfer, "file control: " + std::move(message));
}

void open_message(std::string& out, std::string_view type, std::uint32_t transfer) {
  out += "{\"t\":\"";
  out += type;
  out += "\",\"transfer\":";
  put_number(out, transfer);
}

void put_field(std::string& out, std::string_view key, std::uint64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  put_number(out, value);
}

void put_field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  put_string(out, value);
}

base::Result<ErrorCode> end_code(const Json& object) {
  const std::string* name = base::string_field(object, "code");
  if (name == nullptr) return invalid("code missing");
  const auto code = base::error_code_from_string(*name);
  if (!code || !is_transfer_end_code(*code)) return invalid("code not a transfer end code");
  return *code;
}

}  // namespace

base::Status check_file_name(std::string_view name) {
  if (name.empty() || name.size() > max_file_name_bytes || !base::is_visible_utf8(name)) {
    return base::local_error(ErrorCode::invalid_argument,
                             "file name must be 1..255 bytes of visible UTF-8");
  }
  return base::ok();
}

base::Status check_file_type(std::string_view type) {
  if (type.size() > max_file_type_bytes) {
    return base::local_error(ErrorCode::invalid_argument, "file type longer than 127 bytes");
  }
  for (const char c : type) {
    if (c < 0x20 || c > 0x7e) {
      return base::local_error(ErrorCode::invalid_argument, "file type must be printable ASCII");
    }
  }
  return base::ok();
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_transfer_end_code(ErrorCode code) {
  return code == ErrorCode::transfer_cancelled || code == ErrorCode::transfer_rejected ||
         code == ErrorCode::hash_mismatch || code == ErrorCode::invalid_transfer ||
         code == ErrorCode::too_many_transfers;
}

base::Result<FileControl> decode_file_control(std::string_view text) {
  if (text.size() > max_file_control_bytes) {
    return base::remote_error(ErrorCode::message_too_large, "file control over 4096 bytes");
  }
  // One flat object: nothing nested is expected, so nothing nested is parsed.
  const Json object = base::parse_json(text, 1);
  if (object.is_discarded() || !object.is_object()) {
    return base::remote_error(ErrorCode::malformed_json, "file control is not a flat JSON object");
  }
  const std::string* type = base::string_field(object, "t");
  if (type == nullptr) return invalid("t missing");
  const auto transfer = base::whole_number_field(object, "transfer", UINT32_MAX);
  if (!transfer || *transfer == 0) return invalid("transfer must be 1..2^32-1");
  const auto id = static_cast<std::uint32_t>(*transfer);

  if (*type == "offer") {
    const std::string* name = base::string_field(object, "name");
    const auto size = base::whole_number_field(object, "size", max_file_size);
    const std::string* mime = base::string_field(object, "mime");
    if (name == nullptr || !check_file_name(*name)) return invalid("bad name");
    if (!size) return invalid("size must be 0..2^53-1");
    if (mime == nullptr || !check_file_type(*mime)) return invalid("bad mime");
    return FileControl{file_control::Offer{id, *name, *size, *mime}};
  }
  if (*type == "done") {
    const std::string* sha256 = base::string_field(object, "sha256");
    if (sha256 == nullptr || !is_sha256_hex(*sha256)) return invalid("sha256 must be 64 hex");
    return FileControl{file_control::Done{id, *sha256}};
  }
  if (*type == "ack" || *type == "resume") {
    const auto offset = base::whole_number_field(object, "offset", max_file_size);
    if (!offset) return invalid("offset must be 0..2^53-1");
    if (*type == "ack") return FileControl{file_control::Ack{id, *offset}};
    return FileControl{file_control::Resume{id, *offset}};
  }
  if (*type == "cancel-send" || *type == "cancel-receive") {
    auto code = end_code(object);
    if (!code) return code.error();
    if (*type == "cancel-send") return FileControl{file_control::CancelSend{id, code.value()}};
    return FileControl{file_control::CancelReceive{id, code.value()}};
  }
  if (*type == "accept") return FileControl{file_control::Accept{id}};
  if (*type == "confirm") return FileControl{file_control::Confirm{id}};
  return base::remote_error(ErrorCode::unknown_type, "file control type unknown");
}

std::string encode_file_control(const FileControl& message) {
  std::string out;
  std::visit(base::Overloaded{
                 [&](const file_control::Offer& m) {
                   open_message(out, "offer", m.transfer);
                   put_field(out, "name", m.name);
                   put_field(out, "size", m.size);
                   put_field(out, "mime", m.type);
                 },
                 [&](const file_control::Done& m) {
                   open_message(out, "done", m.transfer);
                   put_field(out, "sha256", m.sha256);
                 },
                 [&](const file_control::CancelSend& m) {
                   open_message(out, "cancel-send", m.transfer);
                   put_field(out, "code", to_string(m.code));
                 },
                 [&](const file_control::Accept& m) { open_message(out, "accept", m.transfer); },
                 [&](const file_control::Ack& m) {
                   open_message(out, "ack", m.transfer);
                   put_field(out, "offset", m.offset);
                 },
                 [&](const file_control::Resume& m) {
                   open_message(out, "resume", m.transfer);
                   put_field(out, "offset", m.offset);
                 },
                 [&](const file_control::Confirm& m) { open_message(out, "confirm", m.transfer); },
                 [&](const file_control::CancelReceive& m) {
                   open_message(out, "cancel-receive", m.transfer);
                   put_field(out, "code", to_string(m.code));
                 },
             },
             message);
  out += '}';
  return out;
}

}  // namespace rtcwire::peer
