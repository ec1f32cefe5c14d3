// When to try again after losing the connection: exponential backoff with full jitter, as a pure
// function of a context (which attempt, how long since the loss, why) and an injected random
// source. Models: livekit ReconnectPolicy (ReconnectContext), centrifuge-js backoff, AWS "full
// jitter".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/random_source.hpp"
#include "rtcwire/base/time.hpp"

namespace rtcwire::client {

enum class ReconnectReason {
  connection_lost,  // the transport failed or closed
  silent_drop,      // the client noticed the path had gone silent: no ping from the server in time
  going_away,       // the server is shutting down and asked clients to come back within a spread
};

std::string_view to_string(ReconnectReason reason);

// Why an established connection was lost, from the error that ended it.
ReconnectReason reconnect_reason(base::ErrorCode code);

struct ReconnectContext {
  uint32_t attempt = 1;     // 1 for the first retry
  base::Millis elapsed{0};  // since the established connection was lost
  ReconnectReason reason = ReconnectReason::connection_lost;
  // going_away: the server's window (already capped); clients spread uniformly over it rather than
  // all coming back on the same backoff step.
  base::Millis going_away_within{0};
};

struct ReconnectPolicy {
  base::Millis initial{500};
  double factor = 2.0;
  base::Millis cap{10000};
  std::optional<uint32_t> max_attempts;     // empty: never give up
  std::optional<base::Millis> max_elapsed;  // empty: no time limit since the loss

  // The first retry after a silent drop waits at most this (and never more than `initial`): the
  // ping timeout has already cost pingInterval + pingTimeout, and a fleet that lost a path
  // together is spread already, since each client's ping deadline keeps the phase of its own
  // connection.
  static constexpr base::Millis kSilentDropSpread{50};

  // The delay before attempt `context.attempt`: uniform in [0, going_away_within] for going_away,
  // uniform in [0, min(initial, kSilentDropSpread)] for the first retry after a silent drop,
  // otherwise uniform in [0, min(cap, initial * factor^(attempt-1))]; empty once max_attempts or
  // max_elapsed is used up.
  std::optional<base::Millis> next_delay(const ReconnectContext& context,
                                         base::RandomSource& random) const;
};

}  // namespace rtcwire::client
