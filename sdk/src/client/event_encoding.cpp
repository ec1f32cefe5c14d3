#include "rtcwire/client/event_encoding.hpp"
#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/base/json_writer.hpp"
#include "rtcwire/base/overloaded.hpp"
#include "rtcwire/peer/file_transfer_encoding.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "rtcwire/base/json_limits.hpp"

namespace rtcwire::client {
namespace {

using namespace base::json_writer;

void put_action(std::string& out, const engineio::TransportAction& action) {
  std::visit(base::Overloaded{
                 [&](const engineio::OpenTransport& a) {
                   open_object(out, "open");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                   put_key(out, "kind");
                   put_string(out, to_string(a.kind));
                   put_key(out, "url");
                   put_string(out, a.url);
                 },
                 [&](const engineio::SendFrame& a) {
                   open_object(out, "send");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                   put_key(out, "text");
                   put_string(out, a.text);
                 },
                 [&](const engineio::HttpRequest& a) {
                   open_object(out, "http");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                   put_key(out, "id");
                   put_number(out, a.id);
                   put_key(out, "method");
                   put_string(out, a.method == engineio::HttpMethod::get ? "GET" : "POST");
                   put_key(out, "url");
                   put_string(out, a.url);
                   put_key(out, "body");
                   put_string(out, a.body);
                   put_key(out, "parting");
                   put_bool(out, a.parting);
                 },
                 [&](const engineio::CloseTransport& a) {
                   open_object(out, "close");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                 },
             },
             action);
  out += '}';
}

// An app request as the app made it: {type, room?, to?, data?} (no seq or request id).
void put_request(std::string& out, const envelope::ClientEnvelope& request) {
  std::visit(
      base::Overloaded{
          [&](const envelope::Join& r) {
            open_object(out, "join");
            put_key(out, "room");
            put_string(out, r.room);
          },
          [&](const envelope::Leave&) { open_object(out, "leave"); },
          [&](const envelope::Publish& r) {
            open_object(out, "publish");
            put_key(out, "data");
            put_json(out, r.data);
          },
          [&](const envelope::DirectTo& r) {
            open_object(out, "direct");
            put_key(out, "to");
            put_string(out, r.to);
            put_key(out, "data");
            put_json(out, r.data);
          },
          [&](const envelope::SignalTo& r) {
            open_object(out, "signal");
            put_key(out, "to");
            put_string(out, r.to);
            put_key(out, "data");
            put_json(out, r.data);
          },
          // Never kept for resending: hello, ack, refresh and ice-servers matter only when sent.
          [&](const envelope::Hello&) { open_object(out, "hello"); },
          [&](const envelope::Ack&) { open_object(out, "ack"); },
          [&](const envelope::Refresh&) { open_object(out, "refresh"); },
          [&](const envelope::IceServersRequest&) { open_object(out, "ice-servers"); },
      },
      request);
  out += '}';
}

void put_state(std::string& out, const client_event::StateChanged& e) {
  open_object(out, "state");
  put_key(out, "state");
  put_string(out, to_string(e.state));
  if (e.error) {
    put_key(out, "error");
    put_error(out, *e.error);
  }
  if (e.state == ClientState::reconnecting) {
    put_key(out, "attempt");
    put_number(out, e.attempt);
    // null while offline: the next attempt waits for the network to come back.
    put_key(out, "retryIn");
    if (e.retry_in) {
      put_number(out, e.retry_in->count());
    } else {
      out += "null";
    }
  }
  if (e.state == ClientState::connected) {
    put_key(out, "resumed");
    put_bool(out, e.resumed);
    put_key(out, "peerId");
    put_string(out, e.peer_id);
    put_key(out, "maxMessageBytes");
    put_number(out, e.max_message_bytes);
    if (e.transport) {
      put_key(out, "transport");
      put_string(out, to_string(*e.transport));
    }
  }
}

void put_optional_number(std::string& out, std::string_view name, std::optional<uint32_t> value) {
  if (!value) return;
  put_key(out, name);
  put_number(out, *value);
}

void put_peer_action(std::string& out, const peer::PeerAction& action) {
  namespace a = peer::action;
  std::visit(
      base::Overloaded{
          [&](const a::PcCreate& x) {
            open_object(out, "pc-create");
            put_key(out, "peer");
            put_string(out, x.peer);
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "config");
            put_json(out, x.config);
          },
          [&](const a::SetConfiguration& x) {
            open_object(out, "set-configuration");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "config");
            put_json(out, x.config);
          },
          [&](const a::PcClose& x) {
            open_object(out, "pc-close");
            put_key(out, "pc");
            put_number(out, x.pc);
          },
          [&](const a::SetLocal& x) {
            open_object(out, "set-local");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "op");
            put_number(out, x.op);
          },
          [&](const a::SetRemote& x) {
            open_object(out, "set-remote");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "op");
            put_number(out, x.op);
            put_key(out, "description");
            out += "{\"type\":";
            put_string(out, to_string(x.description.type));
            put_key(out, "sdp");
            put_string(out, x.description.sdp);
            out += '}';
          },
          [&](const a::AddCandidate& x) {
            open_object(out, "add-candidate");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "op");
            put_number(out, x.op);
            put_key(out, "candidate");
            if (x.candidate) {
              put_json(out, *x.candidate);
            } else {
              out += "null";
            }
          },
          [&](const a::RestartIce& x) {
            open_object(out, "restart-ice");
            put_key(out, "pc");
            put_number(out, x.pc);
          },
          [&](const a::ChannelCreate& x) {
            open_object(out, "channel-create");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "channel");
            put_number(out, x.channel);
            put_key(out, "label");
            put_string(out, x.label);
            out += ",\"options\":{\"ordered\":";
            put_bool(out, x.options.ordered);
            put_optional_number(out, "maxRetransmits", x.options.max_retransmits);
            put_optional_number(out, "maxPacketLifeTime", x.options.max_packet_life_time);
            if (x.options.id) {
              put_key(out, "negotiated");
              put_bool(out, true);
              put_key(out, "id");
              put_number(out, *x.options.id);
            }
            if (!x.options.protocol.empty()) {
              put_key(out, "protocol");
              put_string(out, x.options.protocol);
            }
            out += '}';
          },
          [&](const a::ChannelClose& x) {
            open_object(out, "channel-close");
            put_key(out, "channel");
            put_number(out, x.channel);
          },
          [&](const a::ChannelFlush& x) {
            open_object(out, "channel-flush");
            put_key(out, "channel");
            put_number(out, x.channel);
            put_key(out, "count");
            put_number(out, x.count);
          },
          [&](const a::ChannelThreshold& x) {
            open_object(out, "channel-threshold");
            put_key(out, "channel");
            put_number(out, x.channel);
            put_key(out, "bytes");
            put_number(out, x.bytes);
          },
          [&](const a::TrackAdd& x) {
            open_object(out, "track-add");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "track");
            put_number(out, x.track);
            put_key(out, "stream");
            put_number(out, x.stream);
          },
          [&](const a::TrackRemove& x) {
            open_object(out, "track-remove");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "track");
            put_number(out, x.track);
          },
          [&](const a::TrackReplace& x) {
            open_object(out, "track-replace");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "old");
            put_number(out, x.old);
            put_key(out, "new");
            put_number(out, x.replacement);
          },
          [&](const a::GetStats& x) {
            open_object(out, "get-stats");
            put_key(out, "pc");
            put_number(out, x.pc);
            put_key(out, "op");
            put_number(out, x.op);
          },
          [&](const a::FileWork& x) { peer::put_file_action_fields(out, x.work, x.channel); },
      },
      action);
  out += '}';
}

// The notice's type and fields; put_event closes the object as it does for every event.
void put_notice_fields(std::string& out, const peer::PeerNotice& notice) {
  namespace n = peer::notice;
  std::visit(base::Overloaded{
                 [&](const n::PeerAppeared& e) {
                   open_object(out, "peer");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                   if (e.user) {
                     put_key(out, "user");
                     put_string(out, *e.user);
                   }
                   put_key(out, "polite");
                   put_bool(out, e.polite);
                 },
                 [&](const n::PeerStateChanged& e) {
                   open_object(out, "peer-state");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                   put_key(out, "state");
                   put_string(out, to_string(e.state));
                 },
                 [&](const n::ChannelReady& e) {
                   open_object(out, "channel");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                   put_key(out, "channel");
                   put_number(out, e.channel);
                   put_key(out, "label");
                   put_string(out, e.label);
                   put_key(out, "ordered");
                   put_bool(out, e.ordered);
                   put_optional_number(out, "maxRetransmits", e.max_retransmits);
                   put_optional_number(out, "maxPacketLifeTime", e.max_packet_life_time);
                   put_key(out, "protocol");
                   put_string(out, e.protocol);
                   // A double in JS: exact up to 2^53, which any real limit is below.
                   put_key(out, "maxMessageSize");
                   put_number(out, static_cast<std::int64_t>(
                                       std::min<uint64_t>(e.max_message_size, (1ULL << 53) - 1)));
                 },
                 [&](const n::ChannelStateChanged& e) {
                   open_object(out, "channel-state");
                   put_key(out, "channel");
                   put_number(out, e.channel);
                   put_key(out, "state");
                   put_string(out, to_string(e.state));
                 },
                 [&](const n::TrackReceived& e) {
                   open_object(out, "track");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                   put_key(out, "track");
                   put_number(out, e.track);
                   put_key(out, "streams");
                   out += '[';
                   for (std::size_t i = 0; i < e.streams.size(); ++i) {
                     if (i != 0) out += ',';
                     put_string(out, e.streams[i]);
                   }
                   out += ']';
                 },
                 [&](const n::StatsReady& e) {
                   open_object(out, "peer-stats");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                   put_key(out, "op");
                   put_number(out, e.op);
                   put_key(out, "stats");
                   put_json(out, e.stats);
                 },
                 [&](const n::PeerError& e) {
                   open_object(out, "error");
                   put_key(out, "error");
                   put_error(out, e.error);
                   put_key(out, "peer");
                   put_string(out, e.peer);
                 },
                 [&](const n::FileNotice& e) { peer::put_file_event_fields(out, e.event, e.peer); },
             },
             notice);
}

void put_request_id(std::string& out, envelope::RequestId request) {
  if (request == 0) return;
  put_key(out, "request");
  put_number(out, request);
}

void put_event(std::string& out, const ClientEvent& event) {
  namespace ev = client_event;
  std::visit(base::Overloaded{
                 [&](const ev::StateChanged& e) { put_state(out, e); },
                 [&](const ev::RoomJoined& e) {
                   open_object(out, "joined");
                   put_key(out, "room");
                   put_string(out, e.room);
                   put_key(out, "peers");
                   out += '[';
                   for (std::size_t i = 0; i < e.peers.size(); ++i) {
                     if (i != 0) out += ',';
                     put_string(out, e.peers[i]);
                   }
                   out += ']';
                   put_key(out, "users");
                   put_json(out, e.users);
                   put_request_id(out, e.request);
                 },
                 [&](const ev::RoomLeft& e) {
                   open_object(out, "left");
                   put_key(out, "room");
                   put_string(out, e.room);
                 },
                 [&](const ev::PeerJoined& e) {
                   open_object(out, "peer-joined");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                   if (e.user) {
                     put_key(out, "user");
                     put_string(out, *e.user);
                   }
                 },
                 [&](const ev::PeerLeft& e) {
                   open_object(out, "peer-left");
                   put_key(out, "peer");
                   put_string(out, e.peer);
                 },
                 [&](const ev::MessageReceived& e) {
                   open_object(out, "message");
                   put_key(out, "from");
                   put_string(out, e.from);
                   put_key(out, "kind");
                   put_string(out, e.kind == ev::MessageKind::room ? "room" : "direct");
                   put_key(out, "data");
                   put_json(out, e.data);
                 },
                 [&](const ev::SignalReceived& e) {
                   open_object(out, "signal");
                   put_key(out, "from");
                   put_string(out, e.from);
                   put_key(out, "data");
                   put_json(out, e.data);
                 },
                 [&](const ev::TransportChanged& e) {
                   open_object(out, "transport");
                   put_key(out, "transport");
                   put_string(out, to_string(e.kind));
                 },
                 [&](const ev::RememberTransport& e) {
                   open_object(out, "remember-transport");
                   put_key(out, "server");
                   put_string(out, e.server);
                   put_key(out, "transport");
                   put_string(out, to_string(e.transport.kind));
                   put_key(out, "until");
                   put_number(out, e.transport.until.count());
                 },
                 [&](const ev::Resync& e) {
                   open_object(out, "resync");
                   put_key(out, "reason");
                   put_error(out, e.reason);
                   put_key(out, "undelivered");
                   out += '[';
                   for (std::size_t i = 0; i < e.undelivered.size(); ++i) {
                     if (i != 0) out += ',';
                     put_request(out, e.undelivered[i]);
                   }
                   out += ']';
                 },
                 [&](const ev::ErrorRaised& e) {
                   open_object(out, "error");
                   put_key(out, "error");
                   put_error(out, e.error);
                   put_request_id(out, e.request);
                 },
                 [&](const ev::TokenNeeded&) { open_object(out, "token-needed"); },
                 [&](const ev::IceServersNeeded&) { open_object(out, "ice-servers-needed"); },
                 [&](const peer::PeerNotice& notice) { put_notice_fields(out, notice); },
             },
             event);
  out += '}';
}

}  // namespace

base::Result<envelope::Json> parse_app_data(std::string_view text) {
  envelope::Json data = base::parse_json(text, envelope::kMaxAppDataDepth);
  if (data.is_discarded()) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "data is not valid JSON (UTF-8, nested at most 31 levels)");
  }
  return data;
}

base::Result<peer::ChannelOptions> parse_channel_options(std::string_view text) {
  const base::Error bad =
      base::local_error(base::ErrorCode::invalid_argument,
                        "channel options are {ordered?: boolean, maxRetransmits?: "
                        "0..65535, maxPacketLifeTime?: 0..65535 (not both), protocol?}");
  const envelope::Json json = base::parse_json(text, envelope::kMaxJsonDepth);
  if (json.is_discarded() || !json.is_object()) return bad;
  peer::ChannelOptions options;
  const auto read_limit = [&](const char* name, std::optional<uint32_t>& out) {
    const envelope::Json* found = base::find_field(json, name);
    if (found == nullptr || found->is_null()) return true;
    const auto limit = base::whole_number(*found, 65535);
    if (limit) out = static_cast<uint32_t>(*limit);
    return limit.has_value();
  };
  if (!read_limit("maxRetransmits", options.max_retransmits) ||
      !read_limit("maxPacketLifeTime", options.max_packet_life_time) ||
      (options.max_retransmits && options.max_packet_life_time)) {
    return bad;
  }
  if (const envelope::Json* ordered = base::find_field(json, "ordered");
      ordered && !ordered->is_null()) {
    if (!ordered->is_boolean()) return bad;
    options.ordered = ordered->get<bool>();
  }
  if (const envelope::Json* protocol = base::find_field(json, "protocol");
      protocol && !protocol->is_null()) {
    const std::string* text = base::short_string(*protocol, 65535);
    if (text == nullptr) return bad;
    options.protocol = *text;
  }
  return options;
}

base::Result<std::vector<peer::LocalTrack>> parse_local_tracks(std::string_view text) {
  constexpr std::size_t kMaxTracks = 64;
  const base::Error bad =
      base::local_error(base::ErrorCode::invalid_argument,
                        "local tracks are up to 64 of {track, kind: 'audio' | 'video', "
                        "stream} with whole-number handles");
  const envelope::Json json = base::parse_json(text, envelope::kMaxJsonDepth);
  if (json.is_discarded() || !json.is_array() || json.size() > kMaxTracks) return bad;
  std::vector<peer::LocalTrack> tracks;
  for (const envelope::Json& entry : json) {
    const auto track = base::whole_number_field(entry, "track", UINT32_MAX);
    const std::string* kind = base::string_field(entry, "kind");
    const auto stream = base::whole_number_field(entry, "stream", UINT32_MAX);
    if (!track || *track == 0 || !stream || *stream == 0 || kind == nullptr ||
        (*kind != "audio" && *kind != "video")) {
      return bad;
    }
    tracks.push_back(
        peer::LocalTrack{static_cast<uint32_t>(*track), *kind, static_cast<uint32_t>(*stream)});
  }
  return tracks;
}

std::string encode_error(const base::Error& error) {
  std::string out;
  put_error(out, error);
  return out;
}

std::string encode_action(const engineio::TransportAction& action) {
  std::string out;
  put_action(out, action);
  return out;
}

std::string encode_event(const ClientEvent& event) {
  std::string out;
  put_event(out, event);
  return out;
}

namespace {

// `out` holds the call's answer after the opening brace, if it has one.
std::string finish_reply(Client& client, std::string out) {
  if (out.size() > 1) out += ',';
  out += "\"actions\":[";
  for (bool first = true; auto action = client.poll_action(); first = false) {
    if (!first) out += ',';
    put_action(out, *action);
  }
  out += "],\"peer\":[";
  for (bool first = true; auto action = client.poll_peer_action(); first = false) {
    if (!first) out += ',';
    put_peer_action(out, *action);
  }
  out += "],\"events\":[";
  for (bool first = true; auto event = client.poll_event(); first = false) {
    if (!first) out += ',';
    put_event(out, *event);
  }
  out += "],\"timeout\":";
  if (const auto deadline = client.poll_timeout()) {
    put_number(out, deadline->count());
  } else {
    out += "null";
  }
  out += '}';
  return out;
}

}  // namespace

std::string encode_reply(Client& client) { return finish_reply(client, "{"); }

std::string encode_reply(Client& client, const base::Error& error) {
  std::string out = "{\"error\":";
  put_error(out, error);
  return finish_reply(client, std::move(out));
}

std::string encode_result_reply(Client& client, std::string_view result_json) {
  std::string out = "{\"result\":";
  out += result_json;
  return finish_reply(client, std::move(out));
}

}  // namespace rtcwire::client
