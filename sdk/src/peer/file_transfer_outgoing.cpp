#include "rtcwire/peer/file_transfer_outgoing.hpp"

#include <algorithm>
#include <utility>

#include "rtcwire/peer/file_transfer_rate.hpp"

namespace rtcwire::peer {
namespace {

bool is_legal(OutgoingState from, OutgoingState to) {
  using S = OutgoingState;
  switch (from) {
    case S::offered:
      return to == S::sending || to == S::failed;
    case S::sending:  // done: the receiver confirmed an earlier pass while a rewind ran
      return to == S::finishing || to == S::done || to == S::failed;
    case S::finishing:
      return to == S::sending || to == S::done || to == S::failed;  // sending: a resume rewound
    case S::done:
    case S::failed:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(OutgoingState state) {
  switch (state) {
    case OutgoingState::offered:
      return "offered";
    case OutgoingState::sending:
      return "sending";
    case OutgoingState::finishing:
      return "finishing";
    case OutgoingState::done:
      return "done";
    case OutgoingState::failed:
      return "failed";
  }
  return "failed";
}

OutgoingTransfer::OutgoingTransfer(file_control::Offer offer, const FileTransferLimits& limits)
    : offer_(std::move(offer)), window_bytes_(limits.window_bytes) {}

base::Status OutgoingTransfer::transition(OutgoingState next) {
  if (!is_legal(state_, next)) {
    return base::local_error(base::ErrorCode::invalid_state,
                             "outgoing transfer cannot go from " + std::string(to_string(state_)) +
                                 " to " + std::string(to_string(next)));
  }
  state_ = next;
  return base::ok();
}

void OutgoingTransfer::offer_again(FileOutputs& out) const {
  if (!finished()) out.send(offer_);
}

void OutgoingTransfer::accepted(base::Millis now, FileOutputs& out) {
  // A repeated accept changes nothing.
  if (state_ != OutgoingState::offered) return;
  if (!transition(OutgoingState::sending)) return;
  accepted_at_ = now;
  pump(out);
}

void OutgoingTransfer::resumed(std::uint64_t offset, base::Millis now, FileOutputs& out) {
  if (finished()) return;
  // The receiver cannot hold less than it acknowledged, nor more than was sent.
  if (offset < acked_ || offset > highest_sent_) return violation("resume offset", out);
  if (state_ == OutgoingState::offered) {
    // Its accept was lost with the old channel.
    accepted(now, out);
    return;
  }
  if (state_ == OutgoingState::finishing && !transition(OutgoingState::sending)) return;
  rewind(offset);
  if (offset > acked_) {
    acked_ = offset;
    out.events.push_back(file_event::Progress{id(), acked_, offer_.size,
                                              bytes_per_second(acked_, now - accepted_at_)});
  }
  pump(out);
}

void OutgoingTransfer::acked(std::uint64_t offset, base::Millis now, FileOutputs& out) {
  if (finished()) return;
  if (state_ == OutgoingState::offered || offset > highest_sent_) {
    return violation("ack offset", out);
  }
  if (offset <= acked_) return;
  acked_ = offset;
  // A stale chunk delivered after a rewind: no need to read it again.
  if (acked_ > read_offset_) rewind(acked_);
  out.events.push_back(file_event::Progress{id(), acked_, offer_.size,
                                            bytes_per_second(acked_, now - accepted_at_)});
  pump(out);
}

void OutgoingTransfer::confirmed(FileOutputs& out) {
  if (finished()) return;
  if (!done_sent_) return violation("confirm before done", out);
  if (!transition(OutgoingState::done)) return;
  out.events.push_back(file_event::Done{id(), offer_.size, sha256_});
}

void OutgoingTransfer::ended_by_receiver(base::ErrorCode code, FileOutputs& out) {
  if (finished()) return;
  fail(base::remote_error(code, "the receiver ended the transfer"), out);
}

void OutgoingTransfer::sent(std::uint64_t offset, std::uint32_t length, FileOutputs& out) {
  if (finished() || under_way_.empty()) return;
  const IssuedRead read = under_way_.front();
  if (read.offset != offset || read.length != length) return;
  under_way_.pop_front();
  // Reads go on being issued as these are reported: the queue never runs empty by itself.
  under_way_.compact();
  bytes_under_way_ -= length;
  highest_sent_ = std::max(highest_sent_, offset + length);
  if (read.pass == pass_ && offset == sent_offset_) sent_offset_ += length;
  pump(out);
}

base::Status OutgoingTransfer::digest(std::string_view sha256, FileOutputs& out) {
  if (!is_sha256_hex(sha256)) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "sha256 must be 64 lowercase hex digits");
  }
  if (sha256_.empty()) sha256_ = std::string(sha256);
  pump(out);
  return base::ok();
}

void OutgoingTransfer::cancel(FileOutputs& out) {
  if (finished()) return;
  out.send(file_control::CancelSend{id(), base::ErrorCode::transfer_cancelled});
  fail(base::local_error(base::ErrorCode::transfer_cancelled, "the transfer was cancelled"), out);
}

void OutgoingTransfer::pump(FileOutputs& out) {
  if (state_ != OutgoingState::sending || !out.channel_open || out.chunk_bytes == 0) return;
  // Both bounds hold: reads past the ack, and reads JS has not finished (stale ones included).
  while (read_offset_ < offer_.size && read_offset_ - acked_ < window_bytes_ &&
         bytes_under_way_ < window_bytes_) {
    // The last read before the window's edge is cut to it.
    const auto length = static_cast<std::uint32_t>(
        std::min({std::uint64_t{out.chunk_bytes}, offer_.size - read_offset_,
                  window_bytes_ - (read_offset_ - acked_), window_bytes_ - bytes_under_way_}));
    out.actions.push_back(file_action::Read{id(), read_offset_, length});
    under_way_.push_back(IssuedRead{read_offset_, length, pass_});
    bytes_under_way_ += length;
    read_offset_ += length;
  }
  if (sent_offset_ == offer_.size && !sha256_.empty() && transition(OutgoingState::finishing)) {
    out.send(file_control::Done{id(), sha256_});
    done_sent_ = true;
  }
}

void OutgoingTransfer::abandon(FileOutputs& out) {
  if (finished()) return;
  fail(base::transport_error(base::ErrorCode::transport_closed, "the peer connection closed"), out);
}

void OutgoingTransfer::rewind(std::uint64_t offset) {
  ++pass_;
  read_offset_ = offset;
  sent_offset_ = offset;
}

void OutgoingTransfer::fail(base::Error error, FileOutputs& out) {
  if (!transition(OutgoingState::failed)) return;
  failure_ = error.code;
  out.events.push_back(file_event::Failed{id(), std::move(error)});
}

void OutgoingTransfer::violation(const char* what, FileOutputs& out) {
  out.send(file_control::CancelSend{id(), base::ErrorCode::invalid_transfer});
  fail(base::remote_error(base::ErrorCode::invalid_transfer,
                          std::string("the receiver broke the file protocol: ") + what),
       out);
}

}  // namespace rtcwire::peer
