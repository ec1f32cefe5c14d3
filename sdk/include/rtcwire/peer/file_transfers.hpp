// The file transfers with one remote peer, both ways, over its `rtcwire-files` channel (id 1,
// negotiated, reliable and ordered). The peer layer holds one per remote peer and feeds it the
// app's calls, the channel's open/close and control texts, and JS's reports; it polls actions
// (reads for JS, control texts to send) and app events. Bounded: at most
// `max_transfers_each_way` active transfers per direction, `window_bytes` read ahead of the
// receiver's ack per outgoing transfer, `remembered_finished` finished ones remembered.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/peer/file_transfer_control.hpp"
#include "rtcwire/peer/file_transfer_incoming.hpp"
#include "rtcwire/peer/file_transfer_limits.hpp"
#include "rtcwire/peer/file_transfer_outgoing.hpp"
#include "rtcwire/peer/file_transfer_outputs.hpp"

namespace rtcwire::peer {

// The answer for a chunk frame: what to do with its bytes, and the local handle they belong to.
struct ChunkAnswer {
  ChunkVerdict verdict;
  std::uint32_t transfer;
};

class FileTransfers {
 public:
  // `next_handle` gives transfer handles unique within the client (they are the app's ids, and
  // an outgoing transfer's id on the wire).
  explicit FileTransfers(std::function<std::uint32_t()> next_handle,
                         FileTransferLimits limits = {});

  // The app. send: errors invalid_argument (name, type, size over 2^53 - 1), too_many_transfers.
  // The others: invalid_argument for a handle this peer does not hold, invalid_state for an
  // answer to an offer that is no longer open.
  base::Result<std::uint32_t> send(std::string name, std::uint64_t size, std::string type);
  base::Status accept(std::uint32_t transfer, base::Millis now);
  base::Status reject(std::uint32_t transfer);
  base::Status cancel(std::uint32_t transfer);
  // Whether `transfer` is one of this peer's active transfers (the peer layer routes by it).
  bool owns(std::uint32_t transfer) const;

  // The channel. `max_message_size`: the SCTP limit JS read (0 when unknown).
  void channel_opened(std::uint32_t max_message_size);
  void channel_closed();
  bool channel_open() const { return out_.channel_open; }
  // A text frame on the channel. Errors (origin remote): those of decode_file_control,
  // invalid_transfer for a transfer never heard of, too_many_transfers for an offer over the
  // limit (refused on the wire too).
  base::Status handle_control(std::string_view text, base::Millis now);
  // A chunk frame's header and length. Error invalid_transfer (origin remote) for a transfer that
  // is not receiving here: drop the bytes.
  base::Result<ChunkAnswer> handle_chunk(std::uint32_t sender_id, std::uint64_t offset,
                                         std::uint32_t length, base::Millis now);

  // JS, for outgoing transfers: a Read was sent; the SHA-256 of the Blob. For incoming ones: the
  // SHA-256 of the stored bytes. Errors: invalid_argument (unknown handle, malformed digest);
  // a report for a transfer that just ended is ignored.
  base::Status handle_sent(std::uint32_t transfer, std::uint64_t offset, std::uint32_t length);
  base::Status handle_digest(std::uint32_t transfer, std::string_view sha256);

  // The peer is gone (left, closed): every active transfer fails with transport_closed.
  void close();

  std::optional<FileAction> poll_action();
  std::optional<FileEvent> poll_event();

  std::size_t active_outgoing() const { return outgoing_.size(); }
  std::size_t active_incoming() const { return incoming_.size(); }

 private:
  struct FinishedOutgoing {
    std::uint32_t id;
    std::optional<base::ErrorCode> failure;  // empty when it was confirmed
  };
  struct FinishedIncoming {
    std::uint32_t sender_id;
    FileControl outcome;  // what the sender must hear about it
  };

  OutgoingTransfer* find_outgoing(std::uint32_t id);
  IncomingTransfer* find_incoming_by_handle(std::uint32_t handle);
  IncomingTransfer* find_incoming_by_sender(std::uint32_t sender_id);
  const FinishedOutgoing* finished_outgoing(std::uint32_t id) const;
  const FinishedIncoming* finished_incoming(std::uint32_t sender_id) const;
  base::Status handle_offer(const file_control::Offer& offer);
  base::Status to_outgoing(const FileControl& message, base::Millis now);
  base::Status to_incoming(const FileControl& message);
  void remember_incoming(std::uint32_t sender_id, FileControl outcome);
  // Moves finished transfers out of the active lists into the bounded memory.
  void retire_finished();

  std::function<std::uint32_t()> next_handle_;
  FileTransferLimits limits_;
  FileOutputs out_;
  std::vector<OutgoingTransfer> outgoing_;
  std::vector<IncomingTransfer> incoming_;
  std::vector<FinishedOutgoing> finished_outgoing_;
  std::vector<FinishedIncoming> finished_incoming_;
  std::uint32_t highest_offer_ = 0;  // the sender's ids grow: a lower unknown one is old
};

}  // namespace rtcwire::peer
