#include "rtcwire/peer/file_transfer_incoming.hpp"

#include <utility>

#include "rtcwire/peer/file_transfer_rate.hpp"

namespace rtcwire::peer {

using base::ErrorCode;

namespace {

bool is_legal(IncomingState from, IncomingState to) {
  using S = IncomingState;
  switch (from) {
    case S::offered:
      return to == S::receiving || to == S::verifying || to == S::failed;  // verifying: empty file
    case S::receiving:
      return to == S::verifying || to == S::failed;
    case S::verifying:
      return to == S::done || to == S::failed;
    case S::done:
    case S::failed:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(IncomingState state) {
  switch (state) {
    case IncomingState::offered:
      return "offered";
    case IncomingState::receiving:
      return "receiving";
    case IncomingState::verifying:
      return "verifying";
    case IncomingState::done:
      return "done";
    case IncomingState::failed:
      return "failed";
  }
  return "failed";
}

std::string_view to_string(ChunkVerdict verdict) {
  switch (verdict) {
    case ChunkVerdict::store:
      return "store";
    case ChunkVerdict::duplicate:
      return "duplicate";
    case ChunkVerdict::refused:
      return "refused";
  }
  return "refused";
}

IncomingTransfer::IncomingTransfer(std::uint32_t handle, file_control::Offer offer,
                                   const FileTransferLimits& limits)
    : handle_(handle), offer_(std::move(offer)), ack_every_bytes_(limits.ack_every_bytes) {}

base::Status IncomingTransfer::transition(IncomingState next) {
  if (!is_legal(state_, next)) {
    return base::local_error(ErrorCode::invalid_state, "incoming transfer cannot go from " +
                                                           std::string(to_string(state_)) + " to " +
                                                           std::string(to_string(next)));
  }
  state_ = next;
  return base::ok();
}

FileControl IncomingTransfer::outcome() const {
  if (state_ == IncomingState::done) return file_control::Confirm{sender_id()};
  return file_control::CancelReceive{sender_id(), failure_};
}

base::Status IncomingTransfer::accept(base::Millis now, FileOutputs& out) {
  const bool empty = offer_.size == 0;
  if (auto moved = transition(empty ? IncomingState::verifying : IncomingState::receiving);
      !moved) {
    return moved;
  }
  accepted_at_ = now;
  out.send(file_control::Accept{sender_id()});
  return base::ok();
}

base::Status IncomingTransfer::reject(FileOutputs& out) {
  if (state_ != IncomingState::offered) {
    return base::local_error(ErrorCode::invalid_state, "only an offered transfer can be rejected");
  }
  out.send(file_control::CancelReceive{sender_id(), ErrorCode::transfer_rejected});
  fail(base::local_error(ErrorCode::transfer_rejected, "the transfer was rejected"), out);
  return base::ok();
}

void IncomingTransfer::cancel(FileOutputs& out) {
  if (finished()) return;
  out.send(file_control::CancelReceive{sender_id(), ErrorCode::transfer_cancelled});
  fail(base::local_error(ErrorCode::transfer_cancelled, "the transfer was cancelled"), out);
}

ChunkVerdict IncomingTransfer::chunk(std::uint64_t offset, std::uint32_t length, base::Millis now,
                                     FileOutputs& out) {
  if (finished()) return ChunkVerdict::refused;
  // Sizes are below 2^53, so offset + length cannot wrap once offset is within the size.
  if (state_ == IncomingState::offered || length == 0 || offset > offer_.size ||
      offset + length > offer_.size) {
    violation("chunk before accept, empty or past the end", out);
    return ChunkVerdict::refused;
  }
  if (offset + length <= stored_) return ChunkVerdict::duplicate;
  if (offset != stored_) {
    ask_resume(out);
    return ChunkVerdict::refused;
  }
  stored_ += length;
  if (stored_ - acked_ >= ack_every_bytes_ || stored_ == offer_.size) {
    acked_ = stored_;
    out.send(file_control::Ack{sender_id(), acked_});
    out.events.push_back(file_event::Progress{handle_, stored_, offer_.size,
                                              bytes_per_second(stored_, now - accepted_at_)});
  }
  if (stored_ == offer_.size) (void)transition(IncomingState::verifying);
  return ChunkVerdict::store;
}

void IncomingTransfer::sender_done(std::string_view sha256, FileOutputs& out) {
  if (finished()) return;
  if (state_ == IncomingState::offered) return violation("done before accept", out);
  // `done` can overtake bytes that a resume asks for again: they follow it.
  sender_sha256_ = std::string(sha256);
  finish_if_verified(out);
}

void IncomingTransfer::ended_by_sender(ErrorCode code, FileOutputs& out) {
  if (finished()) return;
  fail(base::remote_error(code, "the sender ended the transfer"), out);
}

void IncomingTransfer::offered_again(const file_control::Offer& offer, FileOutputs& out) {
  if (finished()) return;
  if (!(offer == offer_)) return violation("offer changed", out);
  if (state_ == IncomingState::receiving || state_ == IncomingState::verifying) {
    resume_asked_ = stored_;
    out.send(file_control::Resume{sender_id(), stored_});
  }
}

base::Status IncomingTransfer::digest(std::string_view sha256, FileOutputs& out) {
  if (!is_sha256_hex(sha256)) {
    return base::local_error(ErrorCode::invalid_argument, "sha256 must be 64 lowercase hex digits");
  }
  if (state_ != IncomingState::verifying) {
    return base::local_error(ErrorCode::invalid_state, "a digest before every byte is stored");
  }
  own_sha256_ = std::string(sha256);
  finish_if_verified(out);
  return base::ok();
}

void IncomingTransfer::finish_if_verified(FileOutputs& out) {
  if (state_ != IncomingState::verifying || sender_sha256_.empty() || own_sha256_.empty()) return;
  if (sender_sha256_ != own_sha256_) {
    out.send(file_control::CancelReceive{sender_id(), ErrorCode::hash_mismatch});
    fail(base::remote_error(ErrorCode::hash_mismatch,
                            "the received bytes do not hash to the sender's SHA-256"),
         out);
    return;
  }
  if (!transition(IncomingState::done)) return;
  out.send(file_control::Confirm{sender_id()});
  out.events.push_back(file_event::Done{handle_, offer_.size, own_sha256_});
}

void IncomingTransfer::abandon(FileOutputs& out) {
  if (finished()) return;
  fail(base::transport_error(ErrorCode::transport_closed, "the peer connection closed"), out);
}

void IncomingTransfer::fail(base::Error error, FileOutputs& out) {
  if (!transition(IncomingState::failed)) return;
  failure_ = error.code;
  out.events.push_back(file_event::Failed{handle_, std::move(error)});
}

void IncomingTransfer::violation(const char* what, FileOutputs& out) {
  out.send(file_control::CancelReceive{sender_id(), ErrorCode::invalid_transfer});
  fail(base::remote_error(ErrorCode::invalid_transfer,
                          std::string("the sender broke the file protocol: ") + what),
       out);
}

void IncomingTransfer::ask_resume(FileOutputs& out) {
  if (resume_asked_ == stored_) return;
  resume_asked_ = stored_;
  out.send(file_control::Resume{sender_id(), stored_});
}

}  // namespace rtcwire::peer
