// Feeds untrusted bytes to every decoder (envelopes, Engine.IO, the client config and app data of
// the Wasm boundary, file transfer control, peer events and signals), to a connected client core
// as server frames, as JS peer events and as peer signals, and to one peer's file transfers, whose
// outputs must encode as valid JSON. Any crash, sanitizer
// report, uncaught exception or hang is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rtcwire/client/client.hpp"
#include "rtcwire/client/config.hpp"
#include "rtcwire/client/event_encoding.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"
#include "rtcwire/envelope/envelope.hpp"
#include "rtcwire/peer/file_transfer_control.hpp"
#include "rtcwire/peer/file_transfer_encoding.hpp"
#include "rtcwire/peer/file_transfers.hpp"
#include "rtcwire/peer/peer_event.hpp"

namespace {

using namespace rtcwire;

// A client that has completed its handshake, so frames reach every envelope handler.
// Heap-allocated: a Client stays where it was made (its connections call back into it).
std::unique_ptr<client::Client> connected_client() {
  client::ClientConfig config;
  config.url = "http://127.0.0.1:9";
  auto made = std::make_unique<client::Client>(config);
  client::Client& client = *made;
  (void)client.connect(base::Millis(0));
  client.handle_transport_open(1, base::Millis(0));
  client.handle_transport_text(
      1, R"(0{"sid":"s","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})",
      base::Millis(0));
  client.handle_transport_text(
      1, R"(4{"v":1,"t":"welcome","peer":"me","session":"s","token":"t","maxMessageBytes":65536})",
      base::Millis(0));
  client.handle_transport_text(1, R"(4{"seq":1,"v":1,"t":"joined","room":"r","peers":["p"]})",
                               base::Millis(0));
  while (client.poll_action()) {
  }
  while (client.poll_event()) {
  }
  return made;
}

// Answers the client's newest GET (polling) with `body`; returns false when none is pending.
bool answer_poll(client::Client& client, std::optional<engineio::HttpRequest>& pending,
                 std::string_view body, base::Millis now) {
  if (!pending) return false;
  const engineio::HttpRequest request = *pending;
  pending.reset();
  client.handle_http_response(request.generation, request.id, 200, body, now);
  return true;
}

// The outputs as the Wasm boundary encodes them: always JSON that parses (valid UTF-8 included).
void encode_reply_checked(client::Client& client) {
  if (envelope::Json::parse(client::encode_reply(client), nullptr, false).is_discarded()) {
    __builtin_trap();
  }
}

// A config that parses must make a client that connects or refuses with an error value.
void fuzz_config(std::string_view input) {
  auto config = client::parse_client_config(input);
  if (!config) return;
  client::Client client(std::move(config.value()));
  (void)client.connect(base::Millis(0));
  encode_reply_checked(client);
}

void take_outputs(client::Client& client, std::optional<engineio::HttpRequest>& pending) {
  while (auto action = client.poll_action()) {
    if (auto* request = std::get_if<engineio::HttpRequest>(&*action)) {
      if (request->method == engineio::HttpMethod::get) {
        pending = *request;
      } else {
        client.handle_http_response(request->generation, request->id, 200, "ok", base::Millis(0));
      }
    }
  }
  while (client.poll_event()) {
  }
}

// Feeds each line as a polling response (and, alternately, as a websocket upgrade probe frame)
// to a client connected over polling with an upgrade offered.
void fuzz_polling_client(std::string_view input) {
  client::ClientConfig config;
  config.url = "http://127.0.0.1:9";
  config.transports = {engineio::TransportKind::polling, engineio::TransportKind::websocket};
  client::Client client(config);
  std::optional<engineio::HttpRequest> pending;
  (void)client.connect(base::Millis(0));
  take_outputs(client, pending);
  answer_poll(
      client, pending,
      R"(0{"sid":"s","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})",
      base::Millis(0));
  take_outputs(client, pending);
  int64_t now = 0;
  bool to_probe = false;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    if (to_probe) {
      client.handle_transport_open(2, base::Millis(now));
      client.handle_transport_text(2, line, base::Millis(now += 10));
    } else if (!answer_poll(client, pending, line, base::Millis(now += 10))) {
      client.handle_timeout(base::Millis(now += 1000));
    }
    to_probe = !to_probe;
    take_outputs(client, pending);
    start = end + 1;
  }
}

// File control: what decodes must encode and decode to the same message. Then one peer's file
// transfers (one sending, one offered by the input) take each line as a control text, or, after a
// '#', as a chunk header (transfer, offset and length from its bytes); JS's part (reports of the
// reads) is played at once. Its limits must hold and its outputs encode as JSON.
void fuzz_file_transfers(std::string_view input) {
  if (auto decoded = peer::decode_file_control(input)) {
    auto again = peer::decode_file_control(peer::encode_file_control(decoded.value()));
    if (!again || !(again.value() == decoded.value())) __builtin_trap();
  }
  std::uint32_t next_handle = 0;
  peer::FileTransfers files([&next_handle] { return ++next_handle; });
  files.channel_opened(16 * 1024);
  (void)files.send("a", 300'000, "");
  int64_t now = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    now += 7;
    if (line.size() >= 4 && line[0] == '#') {
      const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(line[i]); };
      (void)files.handle_chunk(byte(1) % 4, std::uint64_t{byte(2)} * 4093, byte(3) * 97u + 1,
                               base::Millis(now));
    } else if (line == "close") {
      files.channel_closed();
    } else if (line == "open") {
      files.channel_opened(static_cast<std::uint32_t>(now));
    } else {
      (void)files.handle_control(line, base::Millis(now));
    }
    while (auto action = files.poll_action()) {
      if (auto* read = std::get_if<peer::file_action::Read>(&*action)) {
        (void)files.handle_sent(read->transfer, read->offset, read->length);
        if (read->offset + read->length == 300'000) {
          (void)files.handle_digest(read->transfer, std::string(64, 'a'));
        }
      }
      if (envelope::Json::parse(peer::encode_file_action(*action, 1), nullptr, false)
              .is_discarded()) {
        __builtin_trap();
      }
    }
    while (auto event = files.poll_event()) {
      if (auto* offered = std::get_if<peer::file_event::Offered>(&*event)) {
        (void)files.accept(offered->transfer, base::Millis(now));
      }
      if (envelope::Json::parse(peer::encode_file_event(*event, "p"), nullptr, false)
              .is_discarded()) {
        __builtin_trap();
      }
    }
    if (files.active_incoming() > 16 || files.active_outgoing() > 16) __builtin_trap();
    start = end + 1;
  }
  files.close();
}

// The peer layer of a client in a room with peer "p" (to which it is connecting: it creates the
// connection and its channels on joining). Each line is a peer event from JS (as the Wasm boundary
// parses it), or, after a '>', the data of a signal from "p" (a JSON text, or else that text as a
// string): negotiation messages are the peer layer's. Outputs must encode as JSON throughout.
void fuzz_peers(std::string_view input) {
  const std::unique_ptr<client::Client> connected = connected_client();
  client::Client& client = *connected;
  int64_t now = 0;
  uint64_t seq = 1;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    now += 10;
    if (!line.empty() && line[0] == '>') {
      envelope::Json data = envelope::Json::parse(line.substr(1), nullptr, false);
      if (data.is_discarded()) data = std::string(line.substr(1));
      const envelope::Json signal = {
          {"v", 1}, {"seq", ++seq}, {"t", "signal"}, {"from", "p"}, {"data", std::move(data)}};
      client.handle_transport_text(
          1, "4" + signal.dump(-1, ' ', false, envelope::Json::error_handler_t::replace),
          base::Millis(now));
    } else if (auto event = peer::parse_peer_event(line)) {
      client.handle_peer_event(event.value(), base::Millis(now));
    }
    encode_reply_checked(client);
    start = end + 1;
  }
  client.handle_timeout(base::Millis(now + 60'000));
  encode_reply_checked(client);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);

  (void)engineio::decode_text_frame(input);
  (void)engineio::decode_payload(input);
  (void)engineio::decode_open_info(input);
  (void)engineio::base64_decode(input);
  // What decodes must encode and decode again to the same envelope and seq.
  if (auto decoded = envelope::decode_client(input)) {
    auto again =
        envelope::decode_client(envelope::encode(decoded.value().envelope, decoded.value().seq));
    if (!again || !(again.value() == decoded.value())) __builtin_trap();
  }
  if (auto decoded = envelope::decode_server(input)) {
    std::string encoded = envelope::encode(decoded.value().envelope, decoded.value().seq);
    if (decoded.value().ack != 0) encoded = envelope::with_ack(encoded, decoded.value().ack);
    auto again = envelope::decode_server(encoded);
    if (!again || !(again.value() == decoded.value())) __builtin_trap();
  }

  fuzz_config(input);
  if (auto data = client::parse_app_data(input)) {
    if (envelope::Json::parse(
            client::encode_event(client::client_event::SignalReceived{"p", data.value()}), nullptr,
            false)
            .is_discarded()) {
      __builtin_trap();
    }
  }

  // Split on newlines into successive server frames for one client: exercises state sequences.
  const std::unique_ptr<client::Client> connected = connected_client();
  client::Client& client = *connected;
  int64_t now = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    client.handle_transport_text(1, input.substr(start, end - start), base::Millis(now += 10));
    encode_reply_checked(client);
    start = end + 1;
  }
  client.handle_timeout(base::Millis(now + 1000));

  fuzz_polling_client(input);
  fuzz_file_transfers(input);
  fuzz_peers(input);
  return 0;
}
