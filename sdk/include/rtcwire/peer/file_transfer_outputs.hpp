// What file transfers ask of the JS layer (actions) and tell the app (events). `transfer` is the
// local handle: an outgoing transfer's id, or the handle the receiving core gave an incoming one.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/fifo.hpp"
#include "rtcwire/peer/file_transfer_control.hpp"

namespace rtcwire::peer {

namespace file_action {
// Sender: slice [offset, offset + length) of the Blob, send it as one chunk frame, then report
// it with FileTransfers::handle_sent.
struct Read {
  std::uint32_t transfer;
  std::uint64_t offset;
  std::uint32_t length;
  bool operator==(const Read&) const = default;
};
// Send this text on the peer's `rtcwire-files` channel.
struct SendControl {
  std::string text;
  bool operator==(const SendControl&) const = default;
};
}  // namespace file_action

using FileAction = std::variant<file_action::Read, file_action::SendControl>;

namespace file_event {
struct Offered {  // the remote app offers a file: accept or reject it
  std::uint32_t transfer;
  std::string name;
  std::uint64_t size;
  std::string type;
  bool operator==(const Offered&) const = default;
};
struct Progress {  // bytes acknowledged (sender) or stored (receiver)
  std::uint32_t transfer;
  std::uint64_t bytes;
  std::uint64_t total;
  std::uint64_t rate;  // bytes per second since the transfer was accepted
  bool operator==(const Progress&) const = default;
};
struct Done {  // delivered: the receiver's digest matched the sender's
  std::uint32_t transfer;
  std::uint64_t bytes;
  std::string sha256;
  bool operator==(const Done&) const = default;
};
struct Failed {  // the transfer is over without the file: rejected, cancelled, hash_mismatch, ...
  std::uint32_t transfer;
  base::Error error;
  bool operator==(const Failed&) const = default;
};
}  // namespace file_event

using FileEvent =
    std::variant<file_event::Offered, file_event::Progress, file_event::Done, file_event::Failed>;

// The queues the transfers of one peer write to, and the channel their messages go out on.
struct FileOutputs {
  base::Fifo<FileAction> actions;
  base::Fifo<FileEvent> events;
  bool channel_open = false;
  std::uint32_t chunk_bytes = 0;  // file bytes per chunk frame on the open channel

  // While the channel is closed a message is dropped: on the next channel the sender offers
  // again and the receiver answers with where it stands, which says all that was lost.
  void send(const FileControl& message) {
    if (channel_open) actions.push_back(file_action::SendControl{encode_file_control(message)});
  }
};

}  // namespace rtcwire::peer
