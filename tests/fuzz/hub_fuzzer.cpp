// Drives the signalling hub (the server's envelope handling) with untrusted input: a script of
// connects, texts, binaries, disconnects, departures, clock steps, timeouts and a goaway, decoded
// from the bytes. Small limits make overflows, session limits and expiries reachable; TURN is on,
// so welcomes and ice-servers answers carry credentials. Besides crashes and sanitizer reports:
// everything the hub sends must decode as a server envelope, and its counts must stay consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/envelope/envelope.hpp"
#include "signalling_hub.hpp"
#include "turn_credentials.hpp"

namespace {

using namespace rtcwire;
using namespace rtcwire::server;

class CountingIds final : public IdSource {
 public:
  std::string peer_id() override { return "peer" + std::to_string(++count_); }
  std::string session_id() override { return "session" + std::to_string(++count_); }
  std::string token() override { return "token" + std::to_string(++count_); }

 private:
  int count_ = 0;
};

// TURN credentials on a fixed clock, so a run is reproducible.
class FixedClockTurn final : public TurnCredentials {
 public:
  envelope::IceServersGrant mint(std::string_view peer) const override {
    return mint_turn_credentials(settings_, peer, 1700000000);
  }

 private:
  TurnSettings settings_{"fuzz-turn-secret-0123456789",
                         {"stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp"},
                         std::chrono::seconds(600)};
};

void require(bool holds) {
  if (!holds) std::abort();
}

class Script {
 public:
  explicit Script(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return bytes_.empty(); }
  std::uint8_t byte() {
    if (bytes_.empty()) return 0;
    const auto value = static_cast<std::uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return value;
  }
  // Text up to the next 0xff byte (or the end).
  std::string_view text() {
    const std::size_t end = std::min(bytes_.find('\xff'), bytes_.size());
    const std::string_view text = bytes_.substr(0, end);
    bytes_.remove_prefix(std::min(end + 1, bytes_.size()));
    return text;
  }

 private:
  std::string_view bytes_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CountingIds ids;
  HubSettings settings{512, base::Millis{1000}, 2048, 3};
  settings.turn = std::make_shared<FixedClockTurn>();
  SignallingHub hub(ids, std::move(settings));
  std::vector<ConnectionId> live;  // connections the server would still hold
  base::Millis now{1};
  // As the server does: what the hub closes ends that connection, which the hub then hears of.
  const auto apply = [&](const HubOutput& output) {
    for (const Delivery& delivery : output.deliveries) {
      require(envelope::decode_server(delivery.text).ok());
    }
    for (const ConnectionClose& close : output.closes) {
      if (std::erase(live, close.connection) != 0) hub.disconnect(close.connection, now);
    }
  };
  const auto take = [&](std::uint8_t index) -> std::optional<ConnectionId> {
    if (live.empty()) return std::nullopt;
    const auto at = live.begin() + index % live.size();
    const ConnectionId connection = *at;
    live.erase(at);
    return connection;
  };
  const auto pick = [&](std::uint8_t index) -> ConnectionId {
    return live.empty() ? 0 : live[index % live.size()];
  };
  Script script(std::string_view(reinterpret_cast<const char*>(data), size));
  while (!script.done()) {
    switch (script.byte() % 9) {
      case 0:
        live.push_back(hub.connect(std::string(1, char('a' + script.byte() % 3))));
        break;
      case 1:
      case 2: {
        const ConnectionId to = pick(script.byte());
        apply(hub.receive_text(to, script.text(), now));
        break;
      }
      case 3:
        apply(hub.receive_binary(pick(script.byte())));
        break;
      case 4:
        if (const auto connection = take(script.byte())) hub.disconnect(*connection, now);
        break;
      case 5:
        if (const auto connection = take(script.byte())) apply(hub.depart(*connection));
        break;
      case 6:
        now += base::Millis{script.byte() * 16};
        break;
      case 7:
        if (const auto due = hub.poll_timeout(); due && *due <= now) apply(hub.handle_timeout(now));
        break;
      case 8:
        if (script.byte() == 0x42) apply(hub.go_away(1000));
        break;
    }
    require(hub.connection_count() <= live.size());
  }
  // Time runs out for everything that is left.
  for (const ConnectionId connection : live) hub.disconnect(connection, now);
  now += base::Millis{10000};
  while (const auto due = hub.poll_timeout()) {
    if (*due > now) break;
    apply(hub.handle_timeout(now));
  }
  require(hub.session_count() == 0);
  return 0;
}
