// The Wasm boundary's JSON text: the client core's outputs for the JS layer, one string per batch,
// written directly (no JSON document is built), and app data coming in from JS, checked.
// The shapes are those js/client.js reads; docs/architecture.md lists them.
#pragma once

#include <string>
#include <string_view>

#include "rtcwire/base/error.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/engineio/transport_action.hpp"
#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire {

// App data as JSON.stringify produced it. Still checked: a lone surrogate becomes invalid UTF-8,
// and deep nesting would exhaust the stack when encoding. Errors: local invalid_argument.
Result<envelope::Json> parse_app_data(std::string_view text);

// {code, origin, message}.
std::string encode_error(const Error& error);
// {type: 'open' | 'send' | 'http' | 'close', generation, ...}.
std::string encode_action(const TransportAction& action);
// {type: 'state' | 'joined' | 'message' | ..., ...}.
std::string encode_event(const ClientEvent& event);
// Everything `client` produced since the last call: {actions: [...], events: [...],
// timeout: deadline-in-ms | null}.
std::string encode_outputs(Client& client);

}  // namespace rtcwire
