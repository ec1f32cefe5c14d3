#include "rtcwire/peer/peer_event.hpp"

#include <array>
#include <utility>

#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::peer {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxLabelBytes = 65535;  // RTCDataChannel labels and protocols
constexpr std::size_t kMaxNameBytes = 256;     // DOMException names, state names, kinds
constexpr std::size_t kMaxMessageBytes = 1024;
constexpr std::size_t kMaxDiagnosticBytes = 1024;  // candidate-error url and errorText
constexpr std::size_t kMaxStreams = 16;

base::Error bad(std::string what) {
  return base::local_error(base::ErrorCode::invalid_argument, std::move(what));
}

// The JSON field `name` of `json`, or null when absent.
const Json& field(const Json& json, const char* name) {
  static const Json absent;
  const Json* found = base::find_field(json, name);
  return found == nullptr ? absent : *found;
}

std::optional<uint32_t> read_u32(const Json& json, const char* name) {
  const auto value = base::whole_number(field(json, name), UINT32_MAX);
  if (!value) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

std::optional<std::string> read_string(const Json& json, const char* name, std::size_t max) {
  const std::string* value = base::short_string(field(json, name), max);
  if (value == nullptr) return std::nullopt;
  return *value;
}

// Absent or null leave `out` empty; false when present and not a u32.
bool read_optional_u32(const Json& json, const char* name, std::optional<uint32_t>& out) {
  if (field(json, name).is_null()) return true;
  out = read_u32(json, name);
  return out.has_value();
}

base::Result<uint32_t> require_u32(const Json& json, const char* name) {
  if (auto value = read_u32(json, name)) return *value;
  return bad(std::string("'") + name + "' must be a whole number below 2^32");
}

base::Result<Description> read_description(const Json& json) {
  const base::Error wrong =
      bad("a description must be {type: 'offer' | 'answer', sdp: string <= 64 KiB}");
  if (!json.is_object()) return wrong;
  const auto type = read_string(json, "type", kMaxNameBytes);
  const auto sdp = read_string(json, "sdp", kMaxSdpBytes);
  if (!type || !sdp || (*type != "offer" && *type != "answer")) return wrong;
  return Description{*type == "offer" ? DescriptionType::offer : DescriptionType::answer, *sdp};
}

constexpr std::array kConnectionStates{
    std::pair{event::ConnectionState::new_, std::string_view{"new"}},
    std::pair{event::ConnectionState::connecting, std::string_view{"connecting"}},
    std::pair{event::ConnectionState::connected, std::string_view{"connected"}},
    std::pair{event::ConnectionState::disconnected, std::string_view{"disconnected"}},
    std::pair{event::ConnectionState::failed, std::string_view{"failed"}},
    std::pair{event::ConnectionState::closed, std::string_view{"closed"}},
};

base::Result<PeerEvent> parse_object(const Json& json) {
  const auto type = read_string(json, "type", kMaxNameBytes);
  if (!type) return bad("a peer event needs a string 'type'");
  const auto channel_of = [&]() { return require_u32(json, "channel"); };
  if (*type == "channel-open" || *type == "channel-closed" || *type == "channel-low") {
    auto channel = channel_of();
    if (!channel) return channel.error();
    if (*type == "channel-closed") return PeerEvent{event::ChannelClosed{channel.value()}};
    const char* amount = *type == "channel-open" ? "maxMessageSize" : "bufferedAmount";
    const auto bytes = base::whole_number(field(json, amount), UINT64_MAX);
    if (!bytes) return bad(std::string("'") + amount + "' must be a whole number");
    if (*type == "channel-open") return PeerEvent{event::ChannelOpened{channel.value(), *bytes}};
    return PeerEvent{event::ChannelLow{channel.value(), *bytes}};
  }
  auto pc = require_u32(json, "pc");
  if (!pc) return pc.error();
  if (*type == "negotiation-needed") return PeerEvent{event::NegotiationNeeded{pc.value()}};
  if (*type == "op-done" || *type == "op-failed") {
    auto op = require_u32(json, "op");
    if (!op) return op.error();
    if (*type == "op-failed") {
      const Json& error = field(json, "error");
      const auto name =
          error.is_object() ? read_string(error, "name", kMaxNameBytes) : std::nullopt;
      auto message = error.is_object() ? read_string(error, "message", 64 * 1024) : std::nullopt;
      if (!name || !message) return bad("'error' must be {name, message} strings");
      if (message->size() > kMaxMessageBytes) message->resize(kMaxMessageBytes);
      return PeerEvent{event::OpFailed{pc.value(), op.value(), *name, std::move(*message)}};
    }
    event::OpDone done{pc.value(), op.value(), std::nullopt, std::nullopt, std::nullopt};
    if (const Json& state = field(json, "signalingState"); !state.is_null()) {
      done.signaling_state =
          state.is_string() ? signaling_state_from_string(state.get<std::string>()) : std::nullopt;
      if (!done.signaling_state) return bad("'signalingState' is not a signalling state");
    }
    if (const Json& description = field(json, "description"); !description.is_null()) {
      auto read = read_description(description);
      if (!read) return read.error();
      done.description = std::move(read.value());
    }
    if (const Json& stats = field(json, "stats"); !stats.is_null()) {
      if (!stats.is_object()) return bad("'stats' must be an object");
      done.stats = stats;
    }
    return PeerEvent{std::move(done)};
  }
  if (*type == "signaling-state") {
    const auto name = read_string(json, "state", kMaxNameBytes);
    const auto state = name ? signaling_state_from_string(*name) : std::nullopt;
    if (!state) return bad("'state' is not a signalling state");
    return PeerEvent{event::SignalingChanged{pc.value(), *state}};
  }
  if (*type == "ice-candidate") {
    const Json& candidate = field(json, "candidate");
    if (!json.contains("candidate")) return bad("'ice-candidate' needs a candidate (or null)");
    if (candidate.is_null()) return PeerEvent{event::IceCandidate{pc.value(), std::nullopt}};
    if (!is_valid_candidate(candidate)) {
      return bad(
          "'candidate' must be null or {candidate, sdpMid, sdpMLineIndex, usernameFragment}");
    }
    return PeerEvent{event::IceCandidate{pc.value(), candidate}};
  }
  if (*type == "candidate-error") {
    auto url = read_string(json, "url", kMaxDiagnosticBytes);
    const auto code = base::whole_number(field(json, "errorCode"), 999);
    auto text = read_string(json, "errorText", kMaxDiagnosticBytes);
    if (!url || !code || !text) {
      return bad("'candidate-error' needs url and errorText (<= 1024 bytes) and errorCode 0..999");
    }
    return PeerEvent{event::CandidateError{pc.value(), std::move(*url),
                                           static_cast<uint32_t>(*code), std::move(*text)}};
  }
  if (*type == "ice-state") {
    auto state = read_string(json, "state", kMaxNameBytes);
    if (!state) return bad("'state' must be a string");
    return PeerEvent{event::IceStateChanged{pc.value(), std::move(*state)}};
  }
  if (*type == "connection-state") {
    const auto name = read_string(json, "state", kMaxNameBytes);
    for (const auto& [value, known] : kConnectionStates) {
      if (name && *name == known) return PeerEvent{event::ConnectionChanged{pc.value(), value}};
    }
    return bad("'state' is not a connection state");
  }
  if (*type == "channel-remote") {
    auto channel = channel_of();
    if (!channel) return channel.error();
    if (channel.value() < 0x80000000u) return bad("a remote channel's handle starts at 2^31");
    event::ChannelRemote remote{pc.value(), channel.value(), {}, true, {}, {}, {}};
    const auto label = read_string(json, "label", kMaxLabelBytes);
    const Json& ordered = field(json, "ordered");
    const bool numbers = read_optional_u32(json, "maxRetransmits", remote.max_retransmits) &&
                         read_optional_u32(json, "maxPacketLifeTime", remote.max_packet_life_time);
    const Json& protocol = field(json, "protocol");
    if (!label || !(ordered.is_boolean() || ordered.is_null()) || !numbers ||
        !(protocol.is_null() || base::short_string(protocol, kMaxLabelBytes))) {
      return bad(
          "'channel-remote' needs label, ordered, maxRetransmits, maxPacketLifeTime, protocol");
    }
    remote.label = *label;
    remote.ordered = ordered.is_null() || ordered.get<bool>();
    if (protocol.is_string()) remote.protocol = protocol.get<std::string>();
    return PeerEvent{std::move(remote)};
  }
  if (*type == "track-remote") {
    auto track = require_u32(json, "track");
    if (!track) return track.error();
    const auto kind = read_string(json, "kind", kMaxNameBytes);
    const Json& streams = field(json, "streams");
    if (!kind || (*kind != "audio" && *kind != "video") || !streams.is_array() ||
        streams.size() > kMaxStreams) {
      return bad("'track-remote' needs kind 'audio' | 'video' and streams (up to 16 ids)");
    }
    event::TrackRemote remote{pc.value(), track.value(), *kind, {}};
    for (const Json& stream : streams) {
      const std::string* id = base::short_string(stream, kMaxNameBytes);
      if (id == nullptr) return bad("stream ids must be strings up to 256 bytes");
      remote.streams.push_back(*id);
    }
    return PeerEvent{std::move(remote)};
  }
  return bad("unknown peer event type '" + type->substr(0, 64) + "'");
}

}  // namespace

std::string_view event::to_string(ConnectionState state) {
  for (const auto& [value, name] : kConnectionStates) {
    if (value == state) return name;
  }
  return "closed";
}

bool is_valid_candidate(const Json& candidate) {
  if (!candidate.is_object()) return false;
  if (base::short_string(field(candidate, "candidate"), kMaxCandidateBytes) == nullptr)
    return false;
  const Json& mid = field(candidate, "sdpMid");
  const Json& index = field(candidate, "sdpMLineIndex");
  const Json& ufrag = field(candidate, "usernameFragment");
  const auto short_string_or_null = [](const Json& value) {
    return value.is_null() || base::short_string(value, kMaxNameBytes) != nullptr;
  };
  return short_string_or_null(mid) && short_string_or_null(ufrag) &&
         (index.is_null() || base::whole_number(index, 65535)) && candidate.size() <= 8;
}

base::Result<PeerEvent> parse_peer_event(std::string_view text) {
  const Json json = base::parse_json(text, envelope::kMaxJsonDepth);
  if (json.is_discarded() || !json.is_object()) {
    return bad("a peer event must be a JSON object nested at most 32 levels");
  }
  return parse_object(json);
}

}  // namespace rtcwire::peer
