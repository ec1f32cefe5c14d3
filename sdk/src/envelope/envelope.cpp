#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/base/json_writer.hpp"
#include "rtcwire/base/overloaded.hpp"

#include <type_traits>

#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/base/unicode_text.hpp"

namespace rtcwire::envelope {

using base::ErrorCode;
using base::Result;

namespace {

base::Error invalid(std::string message) {
  return base::remote_error(ErrorCode::invalid_envelope, std::move(message));
}

Json header(std::string_view type) { return Json{{"v", kVersion}, {"t", type}}; }

// Parses text into a JSON object and checks version and type; yields the object and its type.
struct Parsed {
  Json object;
  std::string type;
};

Result<Parsed> parse_object(std::string_view text) {
  // Too deep is a valid JSON text the protocol refuses, not a malformed one.
  if (base::json_nesting_depth(text, kMaxJsonDepth) < 0) {
    return invalid("envelope nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  Json json = base::parse_json(text, kMaxJsonDepth);
  if (json.is_discarded())
    return base::remote_error(ErrorCode::malformed_json, "envelope is not JSON");
  if (!json.is_object()) return invalid("envelope is not a JSON object");
  const auto version = json.find("v");
  if (version == json.end() || !version->is_number_integer()) {
    return invalid("envelope has no integer version 'v'");
  }
  if (version->get<int64_t>() != kVersion) {
    std::string message = "envelope version ";
    base::json_writer::put_json(message, *version);
    return base::remote_error(ErrorCode::unsupported_version, message + " is not supported");
  }
  const auto type = json.find("t");
  if (type == json.end() || !type->is_string()) return invalid("envelope has no string type 't'");
  std::string type_name = type->get<std::string>();
  return Parsed{std::move(json), std::move(type_name)};
}

// Reads a required string field that must satisfy `valid`.
template <class Valid>
Result<std::string> read_string(const Json& object, const char* name, Valid valid,
                                ErrorCode code_if_invalid) {
  const std::string* text = base::string_field(object, name);
  if (text == nullptr) return invalid(std::string("field '") + name + "' must be a string");
  std::string value = *text;
  if (!valid(value)) {
    std::string message = std::string("field '") + name + "' is not valid";
    if (code_if_invalid == ErrorCode::invalid_room) message += ": " + std::string(kRoomNameRule);
    return base::remote_error(code_if_invalid, std::move(message));
  }
  return value;
}

Result<std::string> read_peer(const Json& object, const char* name) {
  return read_string(object, name, is_valid_peer_id, ErrorCode::invalid_peer);
}

Result<Json> read_data(const Json& object) {
  const auto field = object.find("data");
  if (field == object.end()) return invalid("field 'data' is missing");
  return *field;
}

// A sequence number or an ack: an integer from `min` to kMaxSeq.
Result<Seq> read_seq_value(const Json& field, const char* name, Seq min) {
  const auto value = base::whole_number(field, kMaxSeq);
  if (!value || *value < min) {
    return invalid(std::string("field '") + name + "' must be an integer from " +
                   std::to_string(min) + " to 2^53-1");
  }
  return *value;
}

// An optional request id, 0 when absent.
Result<RequestId> read_request_id(const Json& object) {
  const auto field = object.find("id");
  if (field == object.end()) return RequestId{0};
  return read_seq_value(*field, "id", 1);
}

Json& put_request_id(Json& json, RequestId id) {
  if (id != 0) json["id"] = id;
  return json;
}

// The envelope's own `seq`: 0 when absent and allowed to be.
Result<Seq> read_seq(const Json& object, bool required) {
  const auto field = object.find("seq");
  if (field == object.end()) {
    if (required) return invalid("field 'seq' is missing");
    return Seq{0};
  }
  return read_seq_value(*field, "seq", 1);
}

// An optional ack count, 0 when absent.
Result<Seq> read_ack(const Json& object) {
  const auto field = object.find("ack");
  if (field == object.end()) return Seq{0};
  return read_seq_value(*field, "ack", 0);
}

// The ack envelope, the same both ways.
Result<Ack> read_ack_envelope(const Json& object) {
  if (!object.contains("ack")) return invalid("field 'ack' is missing");
  auto ack = read_ack(object);
  if (!ack) return ack.error();
  const auto replay = object.find("replay");
  if (replay != object.end() && !replay->is_boolean()) {
    return invalid("field 'replay' must be a boolean");
  }
  return Ack{ack.value(), replay != object.end() && replay->get<bool>()};
}

std::string truncated(std::string_view message) {
  return std::string(message.substr(0, kMaxErrorMessageBytes));
}

// Builds an envelope carrying a peer id and data, e.g. signal{to,data} or publish{from,data}.
template <class T>
Result<T> read_addressed(const Json& object, const char* peer_field) {
  auto peer = read_peer(object, peer_field);
  if (!peer) return peer.error();
  auto data = read_data(object);
  if (!data) return data.error();
  return T{std::move(peer.value()), std::move(data.value())};
}

template <class Variant, class T>
Result<Variant> widen(Result<T> result) {
  if (!result) return result.error();
  return Variant{std::move(result.value())};
}

// Pairs a decoded envelope with its seq, read per `is_sequenced` and `required`.
template <class Variant>
Result<Sequenced<Variant>> with_seq_of(const Json& object, Result<Variant> envelope,
                                       bool required) {
  if (!envelope) return envelope.error();
  if (!is_sequenced(envelope.value())) return Sequenced<Variant>{std::move(envelope.value()), 0};
  auto seq = read_seq(object, required);
  if (!seq) return seq.error();
  return Sequenced<Variant>{std::move(envelope.value()), seq.value()};
}

std::string written(const Json& json) {
  std::string text;
  base::json_writer::put_json(text, json);
  return text;
}

Json ack_json(const Ack& ack) {
  Json j = header("ack");
  j["ack"] = ack.seq;
  if (ack.replay) j["replay"] = true;
  return j;
}

Json& put_seq(Json& json, Seq seq) {
  if (seq != 0) json["seq"] = seq;
  return json;
}

void put_ice_servers(Json& json, const IceServersGrant& grant) {
  json["iceServers"] = grant.ice_servers;
  json["iceServersExpireInMs"] = grant.expires_in_ms;
}

base::Error unknown_type(const std::string& type) {
  return base::remote_error(ErrorCode::unknown_type,
                            "unknown envelope type '" + truncated(type) + "'");
}

}  // namespace

bool is_valid_room(std::string_view room) {
  // Others see the name (presence, logs): nothing invisible, reordering or line-breaking in it.
  return !room.empty() && room.size() <= kMaxRoomBytes && base::is_visible_utf8(room);
}

bool is_valid_peer_id(std::string_view peer) {
  if (peer.empty() || peer.size() > kMaxPeerIdBytes) return false;
  for (char c : peer) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_sequenced(const ClientEnvelope& envelope) {
  return !std::holds_alternative<Hello>(envelope) && !std::holds_alternative<Ack>(envelope) &&
         !std::holds_alternative<Refresh>(envelope) &&
         !std::holds_alternative<IceServersRequest>(envelope);
}

bool is_sequenced(const ServerEnvelope& envelope) {
  return !std::holds_alternative<Welcome>(envelope) && !std::holds_alternative<Ack>(envelope) &&
         !std::holds_alternative<GoAway>(envelope) &&
         !std::holds_alternative<Refreshed>(envelope) &&
         !std::holds_alternative<IceServersGrant>(envelope);
}

std::string with_seq(std::string_view encoded, Seq seq) {
  // Every encoded envelope is a non-empty JSON object, so the seq can open it.
  std::string text = "{\"seq\":" + std::to_string(seq) + ",";
  text.append(encoded.substr(1));
  return text;
}

std::string with_ack(std::string_view encoded, Seq ack) {
  std::string text = "{\"ack\":" + std::to_string(ack) + ",";
  text.append(encoded.substr(1));
  return text;
}

// A client envelope is written as text directly (it is encoded for every request the client
// sends), its keys in the order nlohmann's object (a std::map) dumps them: byte for byte the text a
// JSON document of it would give, without building one or copying the app's data into it.
std::string encode(const ClientEnvelope& envelope, Seq seq) {
  using namespace base::json_writer;
  std::string out = "{";
  const auto key = [&](std::string_view name) -> std::string& {
    if (out.size() > 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    return out;
  };
  const auto number = [&](std::string_view name, uint64_t value) { put_number(key(name), value); };
  const auto text = [&](std::string_view name, std::string_view value) {
    put_string(key(name), value);
  };
  // The keys after the type-specific ones that sort before "seq": seq, t, then `to` if any, v.
  const auto tail = [&](std::string_view type, const std::string* to) {
    if (seq != 0) number("seq", seq);
    text("t", type);
    if (to != nullptr) text("to", *to);
    number("v", kVersion);
  };
  std::visit(base::Overloaded{
                 [&](const Hello& e) {
                   if (e.auth) text("auth", *e.auth);
                   if (e.resume) {
                     key("resume") += "{\"ack\":";
                     put_number(out, e.resume->ack);
                     out += ",\"session\":";
                     put_string(out, e.resume->session);
                     out += ",\"token\":";
                     put_string(out, e.resume->token);
                     out += '}';
                   }
                   text("sdk", e.sdk);
                   tail("hello", nullptr);
                 },
                 [&](const Refresh& e) {
                   text("auth", e.auth);
                   tail("refresh", nullptr);
                 },
                 [&](const Join& e) {
                   if (e.id != 0) number("id", e.id);
                   text("room", e.room);
                   tail("join", nullptr);
                 },
                 [&](const Leave&) { tail("leave", nullptr); },
                 [&](const SignalTo& e) {
                   put_json(key("data"), e.data);
                   tail("signal", &e.to);
                 },
                 [&](const Publish& e) {
                   put_json(key("data"), e.data);
                   tail("publish", nullptr);
                 },
                 [&](const DirectTo& e) {
                   put_json(key("data"), e.data);
                   tail("direct", &e.to);
                 },
                 [&](const Ack& e) {
                   number("ack", e.seq);
                   if (e.replay) key("replay") += "true";
                   tail("ack", nullptr);
                 },
                 [&](const IceServersRequest&) { tail("ice-servers", nullptr); },
             },
             envelope);
  out += '}';
  return out;
}

std::string encode(const ServerEnvelope& envelope, Seq seq) {
  Json json = std::visit(base::Overloaded{
                             [](const Welcome& e) {
                               Json j = header("welcome");
                               j["peer"] = e.peer;
                               j["session"] = e.session;
                               j["token"] = e.token;
                               j["maxMessageBytes"] = e.max_message_bytes;
                               j["resumed"] = e.resumed;
                               j["ack"] = e.ack;
                               if (e.resume_error) j["resumeError"] = to_string(*e.resume_error);
                               if (e.auth_expires_in_ms)
                                 j["authExpiresInMs"] = *e.auth_expires_in_ms;
                               if (e.ice_servers) put_ice_servers(j, *e.ice_servers);
                               return j;
                             },
                             [](const IceServersGrant& e) {
                               Json j = header("ice-servers");
                               put_ice_servers(j, e);
                               return j;
                             },
                             [](const Refreshed& e) {
                               Json j = header("refreshed");
                               j["authExpiresInMs"] = e.auth_expires_in_ms;
                               return j;
                             },
                             [](const Joined& e) {
                               Json j = header("joined");
                               j["room"] = e.room;
                               j["peers"] = e.peers;
                               if (!e.users.empty()) j["users"] = e.users;
                               return put_request_id(j, e.id);
                             },
                             [](const Left& e) {
                               Json j = header("left");
                               j["room"] = e.room;
                               return j;
                             },
                             [](const PeerJoined& e) {
                               Json j = header("peer-joined");
                               j["peer"] = e.peer;
                               if (e.user) j["user"] = *e.user;
                               return j;
                             },
                             [](const PeerLeft& e) {
                               Json j = header("peer-left");
                               j["peer"] = e.peer;
                               return j;
                             },
                             [](const SignalFrom& e) {
                               Json j = header("signal");
                               j["from"] = e.from;
                               j["data"] = e.data;
                               return j;
                             },
                             [](const Published& e) {
                               Json j = header("publish");
                               j["from"] = e.from;
                               j["data"] = e.data;
                               return j;
                             },
                             [](const DirectFrom& e) {
                               Json j = header("direct");
                               j["from"] = e.from;
                               j["data"] = e.data;
                               return j;
                             },
                             [](const ErrorReply& e) {
                               Json j = header("error");
                               j["code"] = to_string(e.code);
                               j["message"] = truncated(e.message);
                               return put_request_id(j, e.id);
                             },
                             [](const Ack& e) { return ack_json(e); },
                             [](const GoAway& e) {
                               Json j = header("goaway");
                               j["reconnectInMs"] = e.reconnect_in_ms;
                               j["ack"] = e.ack;
                               return j;
                             },
                         },
                         envelope);
  return written(put_seq(json, seq));
}

namespace {

Result<std::string> read_bounded(const Json& object, const char* name, std::size_t max_bytes) {
  return read_string(
      object, name,
      [max_bytes](const std::string& s) { return !s.empty() && s.size() <= max_bytes; },
      ErrorCode::invalid_envelope);
}

bool is_valid_user(const Json& user) {
  return user.is_string() && !user.get_ref<const std::string&>().empty() &&
         user.get_ref<const std::string&>().size() <= kMaxUserBytes;
}

Result<ResumeRequest> read_resume(const Json& resume) {
  if (!resume.is_object()) return invalid("field 'resume' must be an object");
  auto session = read_bounded(resume, "session", kMaxSessionBytes);
  if (!session) return session.error();
  auto token = read_bounded(resume, "token", kMaxTokenBytes);
  if (!token) return token.error();
  auto ack = read_ack(resume);
  if (!ack) return ack.error();
  return ResumeRequest{std::move(session.value()), std::move(token.value()), ack.value()};
}

Result<ClientEnvelope> decode_client_body(const Json& j, const std::string& type) {
  if (type == "hello") {
    auto sdk = read_string(
        j, "sdk", [](const std::string& s) { return s.size() <= kMaxSdkNameBytes; },
        ErrorCode::invalid_envelope);
    if (!sdk) return sdk.error();
    Hello hello{std::move(sdk.value()), std::nullopt, std::nullopt};
    if (const auto resume = j.find("resume"); resume != j.end()) {
      auto request = read_resume(*resume);
      if (!request) return request.error();
      hello.resume = std::move(request.value());
    }
    if (j.contains("auth")) {
      auto auth = read_bounded(j, "auth", kMaxAuthBytes);
      if (!auth) return auth.error();
      hello.auth = std::move(auth.value());
    }
    return ClientEnvelope{std::move(hello)};
  }
  if (type == "refresh") {
    auto auth = read_bounded(j, "auth", kMaxAuthBytes);
    if (!auth) return auth.error();
    return ClientEnvelope{Refresh{std::move(auth.value())}};
  }
  if (type == "join") {
    auto room = read_string(j, "room", is_valid_room, ErrorCode::invalid_room);
    if (!room) return room.error();
    auto id = read_request_id(j);
    if (!id) return id.error();
    return ClientEnvelope{Join{std::move(room.value()), id.value()}};
  }
  if (type == "leave") return ClientEnvelope{Leave{}};
  if (type == "signal") return widen<ClientEnvelope>(read_addressed<SignalTo>(j, "to"));
  if (type == "direct") return widen<ClientEnvelope>(read_addressed<DirectTo>(j, "to"));
  if (type == "publish") {
    auto data = read_data(j);
    if (!data) return data.error();
    return ClientEnvelope{Publish{std::move(data.value())}};
  }
  if (type == "ack") return widen<ClientEnvelope>(read_ack_envelope(j));
  if (type == "ice-servers") return ClientEnvelope{IceServersRequest{}};
  return unknown_type(type);
}

// iceServers (any JSON: the client checks the list) and iceServersExpireInMs, both required.
Result<IceServersGrant> read_ice_servers(const Json& j) {
  const Json* servers = base::find_field(j, "iceServers");
  if (servers == nullptr) return invalid("field 'iceServers' is missing");
  const auto expires = base::whole_number_field(j, "iceServersExpireInMs", UINT64_MAX);
  if (!expires) return invalid("field 'iceServersExpireInMs' must be a non-negative integer");
  return IceServersGrant{*servers, *expires};
}

Result<ServerEnvelope> decode_welcome(const Json& j) {
  auto peer = read_peer(j, "peer");
  if (!peer) return peer.error();
  auto session = read_bounded(j, "session", kMaxSessionBytes);
  if (!session) return session.error();
  auto token = read_bounded(j, "token", kMaxTokenBytes);
  if (!token) return token.error();
  const auto limit = base::whole_number_field(j, "maxMessageBytes", UINT64_MAX);
  if (!limit || *limit == 0) return invalid("field 'maxMessageBytes' must be a positive integer");
  Welcome welcome{std::move(peer.value()),
                  std::move(session.value()),
                  std::move(token.value()),
                  static_cast<std::size_t>(*limit),
                  false,
                  0,
                  std::nullopt,
                  std::nullopt};
  if (const auto resumed = j.find("resumed"); resumed != j.end()) {
    if (!resumed->is_boolean()) return invalid("field 'resumed' must be a boolean");
    welcome.resumed = resumed->get<bool>();
  }
  auto ack = read_ack(j);
  if (!ack) return ack.error();
  welcome.ack = ack.value();
  if (const auto refused = j.find("resumeError"); refused != j.end()) {
    if (!refused->is_string()) return invalid("field 'resumeError' must be a string");
    welcome.resume_error = base::error_code_from_string(refused->get_ref<const std::string&>())
                               .value_or(ErrorCode::internal);
  }
  if (const Json* expires = base::find_field(j, "authExpiresInMs")) {
    welcome.auth_expires_in_ms = base::whole_number(*expires, UINT64_MAX);
    if (!welcome.auth_expires_in_ms) {
      return invalid("field 'authExpiresInMs' must be a non-negative integer");
    }
  }
  if (j.contains("iceServers")) {
    auto grant = read_ice_servers(j);
    if (!grant) return grant.error();
    welcome.ice_servers = std::move(grant.value());
  }
  return ServerEnvelope{std::move(welcome)};
}

Result<ServerEnvelope> decode_server_body(const Json& j, const std::string& type) {
  if (type == "welcome") return decode_welcome(j);
  if (type == "joined") {
    auto room = read_string(j, "room", is_valid_room, ErrorCode::invalid_room);
    if (!room) return room.error();
    const auto peers = j.find("peers");
    if (peers == j.end() || !peers->is_array()) return invalid("field 'peers' must be an array");
    auto id = read_request_id(j);
    if (!id) return id.error();
    Joined joined{std::move(room.value()), {}, {}, id.value()};
    for (const auto& peer : *peers) {
      if (!peer.is_string() || !is_valid_peer_id(peer.get_ref<const std::string&>())) {
        return base::remote_error(ErrorCode::invalid_peer,
                                  "field 'peers' holds an invalid peer id");
      }
      joined.peers.push_back(peer.get<std::string>());
    }
    if (const auto users = j.find("users"); users != j.end()) {
      if (!users->is_object()) return invalid("field 'users' must be an object");
      for (const auto& [peer, user] : users->items()) {
        if (!is_valid_peer_id(peer) || !is_valid_user(user)) {
          return invalid("field 'users' is malformed");
        }
        joined.users[peer] = user;
      }
    }
    return ServerEnvelope{std::move(joined)};
  }
  if (type == "left") {
    auto room = read_string(j, "room", is_valid_room, ErrorCode::invalid_room);
    if (!room) return room.error();
    return ServerEnvelope{Left{std::move(room.value())}};
  }
  if (type == "peer-joined" || type == "peer-left") {
    auto peer = read_peer(j, "peer");
    if (!peer) return peer.error();
    if (type == "peer-joined") {
      PeerJoined joined{std::move(peer.value()), std::nullopt};
      if (const auto user = j.find("user"); user != j.end()) {
        if (!is_valid_user(*user)) return invalid("field 'user' is malformed");
        joined.user = user->get<std::string>();
      }
      return ServerEnvelope{std::move(joined)};
    }
    return ServerEnvelope{PeerLeft{std::move(peer.value())}};
  }
  if (type == "signal") return widen<ServerEnvelope>(read_addressed<SignalFrom>(j, "from"));
  if (type == "publish") return widen<ServerEnvelope>(read_addressed<Published>(j, "from"));
  if (type == "direct") return widen<ServerEnvelope>(read_addressed<DirectFrom>(j, "from"));
  if (type == "error") {
    auto code = read_string(
        j, "code", [](const std::string& s) { return !s.empty() && s.size() <= 64; },
        ErrorCode::invalid_envelope);
    if (!code) return code.error();
    const auto message = j.find("message");
    std::string text_message =
        message != j.end() && message->is_string() ? truncated(message->get<std::string>()) : "";
    // A code this version does not know (from a newer server) still reaches the app, as internal.
    const ErrorCode known =
        base::error_code_from_string(code.value()).value_or(ErrorCode::internal);
    if (known == ErrorCode::internal && code.value() != "internal") {
      text_message = code.value() + ": " + text_message;
    }
    auto id = read_request_id(j);
    if (!id) return id.error();
    return ServerEnvelope{ErrorReply{known, std::move(text_message), id.value()}};
  }
  if (type == "ack") return widen<ServerEnvelope>(read_ack_envelope(j));
  if (type == "goaway") {
    const auto within = base::whole_number_field(j, "reconnectInMs", UINT64_MAX);
    if (!within) return invalid("field 'reconnectInMs' must be a non-negative integer");
    auto ack = read_ack(j);
    if (!ack) return ack.error();
    return ServerEnvelope{GoAway{*within, ack.value()}};
  }
  if (type == "refreshed") {
    const auto expires = base::whole_number_field(j, "authExpiresInMs", UINT64_MAX);
    if (!expires) return invalid("field 'authExpiresInMs' must be a non-negative integer");
    return ServerEnvelope{Refreshed{*expires}};
  }
  if (type == "ice-servers") return widen<ServerEnvelope>(read_ice_servers(j));
  return unknown_type(type);
}

}  // namespace

namespace {

// A top-level integer field from 1 to kMaxSeq of text that may be no valid envelope; 0 without.
std::uint64_t peek_counter(std::string_view text, const char* name) {
  const Json json = base::parse_json(text, kMaxJsonDepth);
  if (!json.is_object()) return 0;
  const auto field = json.find(name);
  if (field == json.end()) return 0;
  auto value = read_seq_value(*field, name, 1);
  return value ? value.value() : 0;
}

}  // namespace

Seq peek_seq(std::string_view text) { return peek_counter(text, "seq"); }

RequestId peek_request_id(std::string_view text) { return peek_counter(text, "id"); }

Result<Sequenced<ClientEnvelope>> decode_client(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  const Json& j = parsed.value().object;
  return with_seq_of(j, decode_client_body(j, parsed.value().type), false);
}

Result<Sequenced<ServerEnvelope>> decode_server(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  const Json& j = parsed.value().object;
  auto body = decode_server_body(j, parsed.value().type);
  // Refusals outside a session (before hello) have no seq; everything else sequenced must.
  const bool required = !(body && std::holds_alternative<ErrorReply>(body.value()));
  auto sequenced = with_seq_of(j, std::move(body), required);
  if (!sequenced || sequenced.value().seq == 0) return sequenced;
  auto ack = read_ack(j);
  if (!ack) return ack.error();
  sequenced.value().ack = ack.value();
  return sequenced;
}

}  // namespace rtcwire::envelope
