#include "rtcwire/engineio/engineio_packet.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/base/json_writer.hpp"

#include <nlohmann/json.hpp>

#include "rtcwire/base/json_limits.hpp"

namespace rtcwire::engineio {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

base::Error malformed(std::string message) {
  return base::remote_error(base::ErrorCode::malformed_packet, std::move(message));
}

// Session ids go into URLs unescaped, so only URL-safe ids are accepted.
bool is_valid_sid(const std::string& sid) {
  if (sid.empty() || sid.size() > 128) return false;
  for (char c : sid) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_positive_integer(const nlohmann::json& value) {
  return value.is_number_integer() && value.get<int64_t>() > 0;
}

}  // namespace

std::string_view to_string(PacketType type) {
  switch (type) {
    case PacketType::open:
      return "open";
    case PacketType::close:
      return "close";
    case PacketType::ping:
      return "ping";
    case PacketType::pong:
      return "pong";
    case PacketType::message:
      return "message";
    case PacketType::upgrade:
      return "upgrade";
    case PacketType::noop:
      return "noop";
  }
  return "unknown";
}

std::string encode_text_frame(const Packet& packet) {
  std::string frame;
  frame.reserve(packet.data.size() + 1);
  frame.push_back(static_cast<char>(packet.type));
  frame.append(packet.data);
  return frame;
}

base::Result<Packet> decode_text_frame(std::string_view frame) {
  if (frame.empty()) return malformed("empty Engine.IO packet");
  const char type = frame.front();
  if (type < '0' || type > '6') {
    return malformed("unknown Engine.IO packet type '" + std::string(1, type) + "'");
  }
  return Packet{static_cast<PacketType>(type), std::string(frame.substr(1)), false};
}

Packet decode_binary_frame(std::string_view frame) {
  return Packet{PacketType::message, std::string(frame), true};
}

std::string encode_payload(const std::vector<Packet>& packets) {
  std::string payload;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i > 0) payload.push_back(kRecordSeparator);
    const Packet& packet = packets[i];
    if (packet.binary) {
      payload.push_back('b');
      payload.append(base64_encode(packet.data));
    } else {
      payload.append(encode_text_frame(packet));
    }
  }
  return payload;
}

base::Result<std::vector<Packet>> decode_payload(std::string_view payload) {
  std::vector<Packet> packets;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = payload.find(kRecordSeparator, start);
    const std::string_view record =
        payload.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!record.empty() && record.front() == 'b') {
      auto bytes = base64_decode(record.substr(1));
      if (!bytes) return bytes.error();
      packets.push_back(Packet{PacketType::message, std::move(bytes.value()), true});
    } else {
      auto packet = decode_text_frame(record);
      if (!packet) return packet.error();
      packets.push_back(std::move(packet.value()));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

std::string encode_open_info(const OpenInfo& info) {
  using base::json_writer::put_number;
  using base::json_writer::put_string;
  std::string out = "{\"maxPayload\":";
  put_number(out, info.max_payload);
  out += ",\"pingInterval\":";
  put_number(out, info.ping_interval_ms);
  out += ",\"pingTimeout\":";
  put_number(out, info.ping_timeout_ms);
  out += ",\"sid\":";
  put_string(out, info.sid);
  out += ",\"upgrades\":[";
  for (const std::string& upgrade : info.upgrades) {
    if (&upgrade != &info.upgrades.front()) out += ',';
    put_string(out, upgrade);
  }
  out += "]}";
  return out;
}

base::Result<OpenInfo> decode_open_info(std::string_view json_text) {
  const auto json = base::parse_json(json_text, 4);
  if (json.is_discarded() || !json.is_object())
    return malformed("open packet is not a JSON object nested at most 4 levels");
  OpenInfo info;
  const auto sid = json.find("sid");
  if (sid == json.end() || !sid->is_string() || !is_valid_sid(sid->get_ref<const std::string&>())) {
    return malformed("open packet without a valid sid");
  }
  info.sid = sid->get<std::string>();
  if (const auto upgrades = json.find("upgrades"); upgrades != json.end()) {
    if (!upgrades->is_array()) return malformed("open packet upgrades is not an array");
    for (const auto& upgrade : *upgrades) {
      if (!upgrade.is_string()) return malformed("open packet upgrade is not a string");
      info.upgrades.push_back(upgrade.get<std::string>());
    }
  }
  const auto read_positive = [&](const char* name, int64_t& out) {
    const auto field = json.find(name);
    if (field == json.end()) return true;  // optional: keep the protocol default
    if (!is_positive_integer(*field)) return false;
    out = field->get<int64_t>();
    return true;
  };
  if (!read_positive("pingInterval", info.ping_interval_ms) ||
      !read_positive("pingTimeout", info.ping_timeout_ms) ||
      !read_positive("maxPayload", info.max_payload)) {
    return malformed("open packet timing or size field is not a positive integer");
  }
  return info;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint32_t(uint8_t(bytes[i + 2]));
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

base::Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return malformed("base64 length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (padding == 1 && text[i + 2] == '=') return malformed("misplaced base64 padding");
    uint32_t n = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int value = 0;
      if (j >= 4 - padding) {
        value = 0;  // padding position
      } else {
        value = base64_value(c);
        if (value < 0) return malformed("invalid base64 character");
      }
      n = (n << 6) | uint32_t(value);
    }
    out.push_back(char((n >> 16) & 0xff));
    if (padding < 2) out.push_back(char((n >> 8) & 0xff));
    if (padding < 1) out.push_back(char(n & 0xff));
  }
  return out;
}

}  // namespace rtcwire::engineio
