#include "rtcwire/client/event_encoding.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/base/overloaded.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "rtcwire/base/json_limits.hpp"

namespace rtcwire {
namespace {

// A JSON string, by the envelope encoder's serializer: invalid UTF-8 becomes U+FFFD there too.
void put_string(std::string& out, std::string_view text) {
  out += envelope::Json(text).dump(-1, ' ', false, envelope::Json::error_handler_t::replace);
}

// Every number here fits: ids and counts up to 2^53, times in milliseconds.
void put_number(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void put_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

void put_json(std::string& out, const envelope::Json& value) {
  out += value.dump(-1, ' ', false, envelope::Json::error_handler_t::replace);
}

// `,"name":` — every object starts with its type, so each later field follows a comma.
void put_key(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void open_object(std::string& out, std::string_view type) {
  out += "{\"type\":";
  put_string(out, type);
}

void put_error(std::string& out, const Error& error) {
  out += "{\"code\":";
  put_string(out, to_string(error.code));
  put_key(out, "origin");
  put_string(out, to_string(error.origin));
  put_key(out, "message");
  put_string(out, error.message);
  out += '}';
}

void put_action(std::string& out, const TransportAction& action) {
  std::visit(Overloaded{
                 [&](const OpenTransport& a) {
                   open_object(out, "open");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                   put_key(out, "kind");
                   put_string(out, to_string(a.kind));
                   put_key(out, "url");
                   put_string(out, a.url);
                 },
                 [&](const SendFrame& a) {
                   open_object(out, "send");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                   put_key(out, "text");
                   put_string(out, a.text);
                 },
                 [&](const HttpRequest& a) {
                   open_object(out, "http");
                   put_key(out, "generation");
                   put_number(out, a.generation);
                   put_key(out, "id");
                   put_number(out, a.id);
                   put_key(out, "method");
                   put_string(out, a.method == HttpMethod::get ? "GET" : "POST");
                   put_key(out, "url");
                   put_string(out, a.url);
                   put_key(out, "body");
                   put_string(out, a.body);
                   put_key(out, "parting");
                   put_bool(out, a.parting);
                 },
                 [&](const CloseTransport& a) {
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
  std::visit(Overloaded{
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
                 // Never kept for resending: hello, ack and refresh matter only when sent.
                 [&](const envelope::Hello&) { open_object(out, "hello"); },
                 [&](const envelope::Ack&) { open_object(out, "ack"); },
                 [&](const envelope::Refresh&) { open_object(out, "refresh"); },
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

void put_request_id(std::string& out, envelope::RequestId request) {
  if (request == 0) return;
  put_key(out, "request");
  put_number(out, request);
}

void put_event(std::string& out, const ClientEvent& event) {
  namespace ev = client_event;
  std::visit(Overloaded{
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
             },
             event);
  out += '}';
}

}  // namespace

Result<envelope::Json> parse_app_data(std::string_view text) {
  if (json_nesting_depth(text, envelope::kMaxJsonDepth) < 0) {
    return local_error(
        ErrorCode::invalid_argument,
        "data is nested deeper than " + std::to_string(envelope::kMaxJsonDepth) + " levels");
  }
  envelope::Json data = parse_json(text);
  if (data.is_discarded()) {
    return local_error(ErrorCode::invalid_argument, "data is not valid JSON (or not valid UTF-8)");
  }
  return data;
}

std::string encode_error(const Error& error) {
  std::string out;
  put_error(out, error);
  return out;
}

std::string encode_action(const TransportAction& action) {
  std::string out;
  put_action(out, action);
  return out;
}

std::string encode_event(const ClientEvent& event) {
  std::string out;
  put_event(out, event);
  return out;
}

std::string encode_outputs(Client& client) {
  std::string out = "{\"actions\":[";
  for (bool first = true; auto action = client.poll_action(); first = false) {
    if (!first) out += ',';
    put_action(out, *action);
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

}  // namespace rtcwire
