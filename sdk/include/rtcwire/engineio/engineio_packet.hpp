// Engine.IO protocol v4 packets and polling payloads.
// https://github.com/socketio/engine.io-protocol (v4): a packet is one type digit followed by its
// data; a polling payload joins packets with the record separator 0x1e; binary data travels as
// raw websocket binary frames, or as 'b' + base64 inside a polling payload.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/base/error.hpp"

namespace rtcwire::engineio {

enum class PacketType : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

std::string_view to_string(PacketType type);

struct Packet {
  PacketType type = PacketType::message;
  std::string data;     // text, or the raw bytes when binary
  bool binary = false;  // only message packets can be binary

  bool operator==(const Packet&) const = default;
};

inline constexpr char kRecordSeparator = '\x1e';

// Websocket text frame <-> packet.
std::string encode_text_frame(const Packet& packet);
base::Result<Packet> decode_text_frame(std::string_view frame);
// A websocket binary frame is always a binary message packet.
Packet decode_binary_frame(std::string_view frame);

// Polling payload: packets separated by 0x1e, binary as 'b' + base64.
std::string encode_payload(const std::vector<Packet>& packets);
base::Result<std::vector<Packet>> decode_payload(std::string_view payload);

// The JSON carried by the open packet.
struct OpenInfo {
  std::string sid;
  std::vector<std::string> upgrades;
  int64_t ping_interval_ms = 25000;
  int64_t ping_timeout_ms = 20000;
  int64_t max_payload = 1000000;

  bool operator==(const OpenInfo&) const = default;
};

std::string encode_open_info(const OpenInfo& info);
base::Result<OpenInfo> decode_open_info(std::string_view json_text);

std::string base64_encode(std::string_view bytes);
base::Result<std::string> base64_decode(std::string_view text);

}  // namespace rtcwire::engineio
