// The client's configuration as the app gives it across the Wasm boundary: JSON text, checked
// field by field, so a bad option is an invalid_argument error naming it, never a crash.
#pragma once

#include <string_view>

#include "rtcwire/base/error.hpp"
#include "rtcwire/client/client.hpp"

namespace rtcwire::client {

// {url: string, sdk?: string, handshakeTimeoutMs?: number, transports?: string[],
//  remembered?: {transport: string, until: number}, reconnect?: {initialDelayMs?, factor?,
//  maxDelayMs?, maxAttempts?}, resumeBufferBytes?: number, randomSeed?: number,
//  peers?: {autoConnect?, iceServers?, iceServersProvider?, iceTransportPolicy?, restartGraceMs?,
//  maxIceRestarts?}}.
// Unknown fields are ignored. Errors have ErrorOrigin::local and ErrorCode::invalid_argument.
base::Result<ClientConfig> parse_client_config(std::string_view json);

// A time from JS (performance.now(), fractional) as the core's Millis: a non-finite or negative
// value becomes 0 and a huge one 2^53-1, rather than undefined behaviour in the conversion.
base::Millis millis_from_js(double now);

}  // namespace rtcwire::client
