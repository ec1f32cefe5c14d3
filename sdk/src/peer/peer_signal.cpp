#include "rtcwire/peer/peer_signal.hpp"

#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/overloaded.hpp"
#include "rtcwire/peer/peer_event.hpp"

namespace rtcwire::peer {
namespace {

using Json = nlohmann::json;

base::Error invalid(std::string what) {
  return base::remote_error(base::ErrorCode::invalid_signal, std::move(what));
}

}  // namespace

bool is_peer_signal(const Json& data) { return data.is_object() && data.contains("rtcwire"); }

base::Result<PeerSignal> decode_peer_signal(const Json& data) {
  if (!is_peer_signal(data) || *data.find("rtcwire") != 1) {
    return invalid("peer signal of an unknown version");
  }
  const auto conn = base::whole_number_field(data, "conn", UINT32_MAX);
  if (!conn || *conn == 0) return invalid("peer signal without a valid 'conn'");
  PeerSignal signal{static_cast<uint32_t>(*conn), signal::Bye{}};
  if (const Json* description = base::find_field(data, "description")) {
    const Json* type = base::find_field(*description, "type");
    const std::string* sdp = base::string_field(*description, "sdp", kMaxSdpBytes);
    if (type == nullptr || sdp == nullptr || (*type != "offer" && *type != "answer")) {
      return invalid("a description must be {type: 'offer' | 'answer', sdp} with sdp <= 64 KiB");
    }
    signal.body =
        Description{*type == "offer" ? DescriptionType::offer : DescriptionType::answer, *sdp};
  } else if (const auto candidate = data.find("candidate"); candidate != data.end()) {
    if (candidate->is_null()) {
      signal.body = signal::Candidate{std::nullopt};
    } else if (is_valid_candidate(*candidate)) {
      signal.body = signal::Candidate{*candidate};
    } else {
      return invalid(
          "a candidate must be null or {candidate <= 1 KiB, sdpMid, sdpMLineIndex, "
          "usernameFragment}");
    }
  } else if (const auto bye = data.find("bye"); bye == data.end() || *bye != true) {
    return invalid("peer signal with neither description, candidate nor bye");
  }
  return signal;
}

Json encode_peer_signal(const PeerSignal& signal) {
  Json data = {{"rtcwire", 1}, {"conn", signal.conn}};
  std::visit(base::Overloaded{
                 [&](const Description& d) {
                   data["description"] = {{"type", to_string(d.type)}, {"sdp", d.sdp}};
                 },
                 [&](const signal::Candidate& c) {
                   data["candidate"] = c.candidate ? *c.candidate : Json(nullptr);
                 },
                 [&](const signal::Bye&) { data["bye"] = true; },
             },
             signal.body);
  return data;
}

}  // namespace rtcwire::peer
