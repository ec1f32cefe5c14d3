// One file the remote peer sends here: offered -> (the app accepts) receiving -> verifying (every
// byte stored, waiting for both digests) -> done when the sender's SHA-256 matches the one JS
// computed over the stored bytes, failed with hash_mismatch when not. Chunks are taken in order
// only: a duplicate is dropped, a gap is refused and the sender is asked to resume at the first
// missing byte, so every byte is stored exactly once, in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/peer/file_transfer_control.hpp"
#include "rtcwire/peer/file_transfer_limits.hpp"
#include "rtcwire/peer/file_transfer_outputs.hpp"

namespace rtcwire::peer {

enum class IncomingState {
  offered,    // waiting for the app to accept or reject
  receiving,  // accepted: chunks are stored in order
  verifying,  // every byte stored: waiting for the sender's and JS's digests
  done,       // the digests matched
  failed,     // rejected, cancelled, hash_mismatch, or the sender broke the protocol
};

std::string_view to_string(IncomingState state);

// What JS does with a chunk's bytes.
enum class ChunkVerdict {
  store,      // the next bytes: store (and hash) them
  duplicate,  // already stored: drop them
  refused,    // not for storing (gap, overlap, past the end, not accepted): drop them
};

std::string_view to_string(ChunkVerdict verdict);

class IncomingTransfer {
 public:
  // `handle`: this side's handle for it; `offer.transfer` is the sender's id.
  IncomingTransfer(std::uint32_t handle, file_control::Offer offer,
                   const FileTransferLimits& limits);

  std::uint32_t handle() const { return handle_; }
  std::uint32_t sender_id() const { return offer_.transfer; }
  IncomingState state() const { return state_; }
  bool finished() const { return state_ == IncomingState::done || state_ == IncomingState::failed; }
  std::uint64_t stored() const { return stored_; }
  // How it ended, as the sender must hear it (valid when finished()): confirm or cancel-receive.
  FileControl outcome() const;

  // The app. Errors: invalid_state (accept or reject once it is no longer offered).
  base::Status accept(base::Millis now, FileOutputs& out);
  base::Status reject(FileOutputs& out);
  void cancel(FileOutputs& out);
  // The peer is gone: fails with transport_closed, telling no one.
  void abandon(FileOutputs& out);

  // The sender. A message that breaks the protocol fails the transfer with invalid_transfer.
  ChunkVerdict chunk(std::uint64_t offset, std::uint32_t length, base::Millis now,
                     FileOutputs& out);
  void sender_done(std::string_view sha256, FileOutputs& out);
  void ended_by_sender(base::ErrorCode code, FileOutputs& out);
  // The offer came again (a new channel): tell the sender where this side stands.
  void offered_again(const file_control::Offer& offer, FileOutputs& out);

  // JS: the SHA-256 of the stored bytes. Errors: invalid_argument (not 64 hex digits),
  // invalid_state (not every byte is stored).
  base::Status digest(std::string_view sha256, FileOutputs& out);

 private:
  base::Status transition(IncomingState next);
  void finish_if_verified(FileOutputs& out);
  void fail(base::Error error, FileOutputs& out);
  void violation(const char* what, FileOutputs& out);
  void ask_resume(FileOutputs& out);

  std::uint32_t handle_;
  file_control::Offer offer_;
  std::uint64_t ack_every_bytes_;
  IncomingState state_ = IncomingState::offered;
  base::ErrorCode failure_ = base::ErrorCode::internal;
  base::Millis accepted_at_{0};
  std::uint64_t stored_ = 0;  // bytes [0, stored_) are stored
  std::uint64_t acked_ = 0;
  // The offset of the last resume asked for: one request per stall, not one per refused chunk.
  std::optional<std::uint64_t> resume_asked_;
  std::string sender_sha256_;
  std::string own_sha256_;
};

}  // namespace rtcwire::peer
