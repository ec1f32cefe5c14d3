// Which transport the client tries next, and when: the ordered ladder of one connect round with
// its happy-eyeballs head start and the jittered step down after a failure. It decides; the Client
// owns the attempts (their connections and handshake deadlines) and reports what became of them.
// Models: centrifuge-js transport fallback, RFC 8305 (happy eyeballs), h11 _state.py.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/random_source.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/engineio/transport_kind.hpp"

namespace rtcwire::client {

enum class LadderState {
  idle,      // no connect round under way
  opening,   // the newest attempt is opening (earlier ones may still race it)
  stepping,  // the newest attempt failed: the next rung starts at deadline()
  opened,    // an attempt delivered the Engine.IO open packet: the round is over
};

std::string_view to_string(LadderState state);

struct LadderTiming {
  base::Millis handshake_timeout;  // no attempt starts later than this after the round began
  base::Millis race_head_start;
  // A repeat of the same transport starts after a few of this server's handshakes instead, within
  // [repeat_head_start_min, race_head_start]: each dead pooled connection costs it that long.
  base::Millis repeat_head_start_min;
  base::Millis step_delay_min;
  base::Millis step_delay_max;
};

namespace ladder_step {
struct StepDown {};        // the next rung starts after a jittered delay
struct WaitForEarlier {};  // the newest attempt is out; an earlier one still opening takes over
struct Exhausted {};       // every rung failed: the round is lost
}  // namespace ladder_step

using LadderStep =
    std::variant<ladder_step::StepDown, ladder_step::WaitForEarlier, ladder_step::Exhausted>;

class TransportLadder {
 public:
  TransportLadder(std::vector<engineio::TransportKind> transports, LadderTiming timing);

  LadderState state() const { return state_; }
  // When the next attempt starts: the head start of the newest, or the end of a step-down wait.
  std::optional<base::Millis> deadline() const;

  // A new round, from the top (a transport that worked recently first): the transport to open.
  // `reconnecting`: past the last rung an HTTP transport is tried again alongside, for an attempt
  // stuck on a pooled connection that died with the last one.
  base::Result<engineio::TransportKind> start(base::Millis now,
                                              std::optional<engineio::TransportKind> remembered,
                                              bool reconnecting);
  // The deadline passed: the transport to open now (the newest attempt keeps running alongside
  // when it is still opening), or nothing.
  std::optional<engineio::TransportKind> handle_timeout(base::Millis now);
  // The newest attempt failed before the Engine.IO open packet.
  base::Result<LadderStep> attempt_failed(bool earlier_still_opening, base::Millis now,
                                          base::RandomSource& random);
  // An attempt (the newest or an earlier one) opened after `handshake`: the round is won.
  base::Status opened(base::Millis handshake);
  // The connection is given up or closed.
  void stop();

 private:
  base::Status transition(LadderState next);
  // The attempt on the current rung begins now: arms its head start when a next one exists.
  void begin_attempt(base::Millis now);
  // How long an attempt on `current` runs alone before `next` starts alongside it.
  base::Millis head_start_before(engineio::TransportKind current,
                                 engineio::TransportKind next) const;
  // A repeat starts after this many times the last handshake took: a fresh connection costs a
  // round trip more than a pooled one.
  static constexpr int kRepeatHeadStartHandshakes = 2;

  std::vector<engineio::TransportKind> configured_;
  LadderTiming timing_;
  std::vector<engineio::TransportKind> order_;  // this round's ladder
  std::size_t rung_ = 0;
  bool reconnecting_ = false;
  LadderState state_ = LadderState::idle;
  base::Millis round_deadline_{0};          // no attempt of this round starts after it
  std::optional<base::Millis> head_start_;  // opening: when the next rung starts alongside
  base::Millis next_rung_at_{0};            // stepping: when the next rung starts
  // From opening an attempt to the server's open packet, the last time one opened.
  std::optional<base::Millis> last_handshake_;
};

}  // namespace rtcwire::client
