// File transfers at the Wasm boundary: their actions and events as the JSON text js/ reads
// (docs/architecture.md, "File transfer"), written directly like the client's other outputs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rtcwire/peer/file_transfer_outputs.hpp"
#include "rtcwire/peer/file_transfers.hpp"

namespace rtcwire::peer {

// {type:'file-read', channel, transfer, offset, length} | {type:'file-control', channel, text}.
// `channel`: the handle of the peer's `rtcwire-files` channel, where the chunk or text goes.
std::string encode_file_action(const FileAction& action, std::uint32_t files_channel);
// {type:'transfer' | 'transfer-progress' | 'transfer-done' | 'transfer-failed', peer, transfer,
// ...}.
std::string encode_file_event(const FileEvent& event, std::string_view peer);
// The same, appended to `out` without the closing brace (the client's encoder closes its objects).
void put_file_action_fields(std::string& out, const FileAction& action,
                            std::uint32_t files_channel);
void put_file_event_fields(std::string& out, const FileEvent& event, std::string_view peer);
// {verdict:'store' | 'duplicate' | 'refused', transfer}: what fileChunk answers.
std::string encode_chunk_answer(const ChunkAnswer& answer);

}  // namespace rtcwire::peer
