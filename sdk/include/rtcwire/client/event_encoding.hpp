// The Wasm boundary's JSON text: the client core's outputs for the JS layer, one string per call,
// written directly (no JSON document is built), and app data coming in from JS, checked.
// The shapes are those js/client.js reads; docs/architecture.md lists them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/engineio/transport_action.hpp"
#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::client {

// App data as JSON.stringify produced it. Still checked: a lone surrogate becomes invalid UTF-8,
// and deep nesting would exhaust the stack when encoding; at most kMaxAppDataDepth levels, so its
// envelope stays within the protocol's limit. Errors: local invalid_argument.
base::Result<envelope::Json> parse_app_data(std::string_view text);

// channelOpen's options: {ordered?, maxRetransmits?, maxPacketLifeTime?, protocol?}; not both
// limits. Errors: local invalid_argument.
base::Result<peer::ChannelOptions> parse_channel_options(std::string_view text);
// setLocalTracks' set: [{track, kind: 'audio' | 'video', stream}], up to 64 tracks.
base::Result<std::vector<peer::LocalTrack>> parse_local_tracks(std::string_view text);

// {code, origin, message}.
std::string encode_error(const base::Error& error);
// {type: 'open' | 'send' | 'http' | 'close', generation, ...}.
std::string encode_action(const engineio::TransportAction& action);
// {type: 'state' | 'joined' | 'message' | ..., ...}.
std::string encode_event(const ClientEvent& event);
// A core call's reply to JS, in one JSON text: the call's own answer (`error`, or a `result` given
// as JSON text) and everything `client` produced during the call:
// {error?, result?, actions: [...], peer: [...], events: [...], timeout: deadline-in-ms | null}.
// JS runs the transport actions, then the peer actions, then the events.
std::string encode_reply(Client& client);
std::string encode_reply(Client& client, const base::Error& error);
std::string encode_result_reply(Client& client, std::string_view result_json);

}  // namespace rtcwire::client
