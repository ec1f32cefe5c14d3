// One file this side sends: offer -> accepted -> sending (a bounded window of reads past the
// receiver's ack) -> finishing (every byte sent, `done` with the digest sent) -> done once the
// receiver confirms. The bytes never enter the core: it tells JS which slice to read and send, JS
// reports each slice sent and, once it has hashed the whole Blob, the SHA-256.
// A receiver's `resume` (after the channel came back) rewinds reading to the receiver's offset.
// JS does the reads of a transfer in order and reports each one, also those it could not send
// (channel closed): so the core knows which reads are still under way, and which of them belong
// to the current pass (since the last rewind) and count towards `done`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rtcwire/base/error.hpp"
#include "rtcwire/base/fifo.hpp"
#include "rtcwire/base/time.hpp"
#include "rtcwire/peer/file_transfer_control.hpp"
#include "rtcwire/peer/file_transfer_limits.hpp"
#include "rtcwire/peer/file_transfer_outputs.hpp"

namespace rtcwire::peer {

enum class OutgoingState {
  offered,    // the offer is out; the receiver's app has not answered
  sending,    // accepted: reads go out while the window allows
  finishing,  // every byte and `done` are sent: waiting for the receiver's confirm
  done,       // confirmed
  failed,     // rejected, cancelled, or the receiver broke the protocol
};

std::string_view to_string(OutgoingState state);

class OutgoingTransfer {
 public:
  // `offer.transfer` is the id. offer_again() sends the offer (when a channel is open).
  OutgoingTransfer(file_control::Offer offer, const FileTransferLimits& limits);

  std::uint32_t id() const { return offer_.transfer; }
  OutgoingState state() const { return state_; }
  bool finished() const { return state_ == OutgoingState::done || state_ == OutgoingState::failed; }
  std::uint64_t acked() const { return acked_; }
  // The code it failed with (valid when failed()).
  base::ErrorCode failure() const { return failure_; }

  // Sends the offer, again on each new channel: the receiver answers with where it stands. Reads
  // issued before a channel closed may have been lost with it: its answer says where to restart.
  void offer_again(FileOutputs& out) const;

  // The receiver (control messages). A message that breaks the protocol fails the transfer
  // with invalid_transfer and tells the receiver.
  void accepted(base::Millis now, FileOutputs& out);
  void resumed(std::uint64_t offset, base::Millis now, FileOutputs& out);
  void acked(std::uint64_t offset, base::Millis now, FileOutputs& out);
  void confirmed(FileOutputs& out);
  void ended_by_receiver(base::ErrorCode code, FileOutputs& out);

  // JS: the oldest Read under way is done (sent, or dropped on a closed channel); a report that
  // does not match it is ignored. The SHA-256 of the whole Blob: errors invalid_argument (not 64
  // hex digits).
  void sent(std::uint64_t offset, std::uint32_t length, FileOutputs& out);
  base::Status digest(std::string_view sha256, FileOutputs& out);

  // The app.
  void cancel(FileOutputs& out);
  // The peer is gone: fails with transport_closed, telling no one.
  void abandon(FileOutputs& out);

 private:
  base::Status transition(OutgoingState next);
  // Issues the reads the window allows, and `done` once everything is sent and hashed.
  void pump(FileOutputs& out);
  void fail(base::Error error, FileOutputs& out);
  void violation(const char* what, FileOutputs& out);
  // Restarts reading at `offset`: reads under way become stale and no longer count as sent.
  void rewind(std::uint64_t offset);

  struct IssuedRead {
    std::uint64_t offset;
    std::uint32_t length;
    std::uint32_t pass;
  };

  file_control::Offer offer_;
  std::uint64_t window_bytes_;
  OutgoingState state_ = OutgoingState::offered;
  base::ErrorCode failure_ = base::ErrorCode::internal;
  base::Millis accepted_at_{0};
  std::uint64_t read_offset_ = 0;   // the next Read starts here
  std::uint64_t sent_offset_ = 0;   // [0, sent_offset_) sent in this pass (or before it)
  std::uint64_t highest_sent_ = 0;  // the end of the furthest chunk ever sent: no ack passes it
  std::uint64_t acked_ = 0;
  std::uint32_t pass_ = 0;            // +1 at each rewind
  base::Fifo<IssuedRead> under_way_;  // reads JS has not reported yet, oldest first
  std::uint64_t bytes_under_way_ = 0;
  std::string sha256_;  // empty until JS has hashed the whole Blob
  bool done_sent_ = false;
};

}  // namespace rtcwire::peer
