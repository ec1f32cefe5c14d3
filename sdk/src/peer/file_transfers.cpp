#include "rtcwire/peer/file_transfers.hpp"

#include <algorithm>
#include <utility>

#include "rtcwire/base/overloaded.hpp"

namespace rtcwire::peer {
namespace {

base::Error unknown_handle(std::uint32_t transfer) {
  return base::local_error(
      base::ErrorCode::invalid_argument,
      "no active file transfer " + std::to_string(transfer) + " with this peer");
}

base::Error never_heard_of(std::uint32_t transfer) {
  return base::remote_error(base::ErrorCode::invalid_transfer,
                            "file control for unknown transfer " + std::to_string(transfer));
}

// Keeps the newest `limit` entries.
template <typename T>
void push_bounded(std::vector<T>& entries, T entry, std::size_t limit) {
  if (limit == 0) return;
  if (entries.size() == limit) entries.erase(entries.begin());
  entries.push_back(std::move(entry));
}

}  // namespace

FileTransfers::FileTransfers(std::function<std::uint32_t()> next_handle, FileTransferLimits limits)
    : next_handle_(std::move(next_handle)), limits_(limits) {}

OutgoingTransfer* FileTransfers::find_outgoing(std::uint32_t id) {
  for (auto& transfer : outgoing_) {
    if (transfer.id() == id) return &transfer;
  }
  return nullptr;
}

IncomingTransfer* FileTransfers::find_incoming_by_handle(std::uint32_t handle) {
  for (auto& transfer : incoming_) {
    if (transfer.handle() == handle) return &transfer;
  }
  return nullptr;
}

IncomingTransfer* FileTransfers::find_incoming_by_sender(std::uint32_t sender_id) {
  for (auto& transfer : incoming_) {
    if (transfer.sender_id() == sender_id) return &transfer;
  }
  return nullptr;
}

const FileTransfers::FinishedOutgoing* FileTransfers::finished_outgoing(std::uint32_t id) const {
  for (const auto& entry : finished_outgoing_) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

const FileTransfers::FinishedIncoming* FileTransfers::finished_incoming(
    std::uint32_t sender_id) const {
  for (const auto& entry : finished_incoming_) {
    if (entry.sender_id == sender_id) return &entry;
  }
  return nullptr;
}

bool FileTransfers::owns(std::uint32_t transfer) const {
  return std::any_of(outgoing_.begin(), outgoing_.end(),
                     [&](const auto& t) { return t.id() == transfer; }) ||
         std::any_of(incoming_.begin(), incoming_.end(),
                     [&](const auto& t) { return t.handle() == transfer; });
}

base::Result<std::uint32_t> FileTransfers::send(std::string name, std::uint64_t size,
                                                std::string type) {
  if (auto checked = check_file_name(name); !checked) return checked.error();
  if (auto checked = check_file_type(type); !checked) return checked.error();
  if (size > max_file_size) {
    return base::local_error(base::ErrorCode::invalid_argument, "file size over 2^53 - 1 bytes");
  }
  if (outgoing_.size() >= limits_.max_transfers_each_way) {
    return base::local_error(base::ErrorCode::too_many_transfers,
                             "too many files being sent to this peer");
  }
  const std::uint32_t id = next_handle_();
  auto& transfer = outgoing_.emplace_back(
      file_control::Offer{id, std::move(name), size, std::move(type)}, limits_);
  transfer.offer_again(out_);
  return id;
}

base::Status FileTransfers::accept(std::uint32_t transfer, base::Millis now) {
  IncomingTransfer* incoming = find_incoming_by_handle(transfer);
  if (incoming == nullptr) return unknown_handle(transfer);
  return incoming->accept(now, out_);
}

base::Status FileTransfers::reject(std::uint32_t transfer) {
  IncomingTransfer* incoming = find_incoming_by_handle(transfer);
  if (incoming == nullptr) return unknown_handle(transfer);
  auto rejected = incoming->reject(out_);
  retire_finished();
  return rejected;
}

base::Status FileTransfers::cancel(std::uint32_t transfer) {
  if (OutgoingTransfer* outgoing = find_outgoing(transfer)) {
    outgoing->cancel(out_);
  } else if (IncomingTransfer* incoming = find_incoming_by_handle(transfer)) {
    incoming->cancel(out_);
  } else {
    return unknown_handle(transfer);
  }
  retire_finished();
  return base::ok();
}

void FileTransfers::channel_opened(std::uint32_t max_message_size) {
  std::uint32_t frame = limits_.max_frame_bytes;
  if (max_message_size != 0) frame = std::min(frame, max_message_size);
  // Below 1 KiB the headers would dominate; every SCTP stack takes far more.
  frame = std::max<std::uint32_t>(frame, 1024);
  out_.channel_open = true;
  out_.chunk_bytes = frame - chunk_header_bytes;
  // A cancel sent on the old channel may have been lost: say it again, the receiver ignores
  // what it already knows.
  for (const auto& entry : finished_outgoing_) {
    if (entry.failure) out_.send(file_control::CancelSend{entry.id, *entry.failure});
  }
  for (const auto& transfer : outgoing_) transfer.offer_again(out_);
}

void FileTransfers::channel_closed() { out_.channel_open = false; }

base::Status FileTransfers::handle_control(std::string_view text, base::Millis now) {
  auto decoded = decode_file_control(text);
  if (!decoded) return decoded.error();
  const FileControl& message = decoded.value();
  base::Status handled =
      std::visit(base::Overloaded{
                     [&](const file_control::Offer& m) { return handle_offer(m); },
                     [&](const file_control::Done&) { return to_incoming(message); },
                     [&](const file_control::CancelSend&) { return to_incoming(message); },
                     [&](const auto&) { return to_outgoing(message, now); },
                 },
                 message);
  retire_finished();
  return handled;
}

base::Status FileTransfers::handle_offer(const file_control::Offer& offer) {
  if (IncomingTransfer* incoming = find_incoming_by_sender(offer.transfer)) {
    incoming->offered_again(offer, out_);
    return base::ok();
  }
  if (const FinishedIncoming* finished = finished_incoming(offer.transfer)) {
    out_.send(finished->outcome);
    return base::ok();
  }
  if (offer.transfer <= highest_offer_) {
    out_.send(file_control::CancelReceive{offer.transfer, base::ErrorCode::invalid_transfer});
    return never_heard_of(offer.transfer);
  }
  highest_offer_ = offer.transfer;
  if (incoming_.size() >= limits_.max_transfers_each_way) {
    const file_control::CancelReceive refusal{offer.transfer, base::ErrorCode::too_many_transfers};
    out_.send(refusal);
    remember_incoming(offer.transfer, refusal);
    return base::remote_error(base::ErrorCode::too_many_transfers,
                              "the peer offers too many files at once");
  }
  const std::uint32_t handle = next_handle_();
  incoming_.emplace_back(handle, offer, limits_);
  out_.events.push_back(file_event::Offered{handle, offer.name, offer.size, offer.type});
  return base::ok();
}

base::Status FileTransfers::to_incoming(const FileControl& message) {
  const std::uint32_t sender_id = std::visit([](const auto& m) { return m.transfer; }, message);
  IncomingTransfer* incoming = find_incoming_by_sender(sender_id);
  if (incoming == nullptr) {
    // Late news about a transfer that ended here, or a cancel repeated on a new channel.
    if (finished_incoming(sender_id) != nullptr ||
        std::holds_alternative<file_control::CancelSend>(message)) {
      return base::ok();
    }
    return never_heard_of(sender_id);
  }
  if (const auto* done = std::get_if<file_control::Done>(&message)) {
    incoming->sender_done(done->sha256, out_);
  } else if (const auto* cancel = std::get_if<file_control::CancelSend>(&message)) {
    incoming->ended_by_sender(cancel->code, out_);
  }
  return base::ok();
}

base::Status FileTransfers::to_outgoing(const FileControl& message, base::Millis now) {
  const std::uint32_t id = std::visit([](const auto& m) { return m.transfer; }, message);
  const bool asks_for_bytes = std::holds_alternative<file_control::Accept>(message) ||
                              std::holds_alternative<file_control::Resume>(message);
  OutgoingTransfer* outgoing = find_outgoing(id);
  if (outgoing == nullptr) {
    const FinishedOutgoing* finished = finished_outgoing(id);
    // A receiver waiting for bytes of a transfer that is over here must hear that it is over.
    if (asks_for_bytes) {
      const bool failed = finished == nullptr || finished->failure.has_value();
      if (failed) {
        out_.send(file_control::CancelSend{
            id, finished != nullptr ? *finished->failure : base::ErrorCode::invalid_transfer});
      }
    }
    if (finished != nullptr) return base::ok();
    return never_heard_of(id);
  }
  std::visit(
      base::Overloaded{
          [&](const file_control::Accept&) { outgoing->accepted(now, out_); },
          [&](const file_control::Resume& m) { outgoing->resumed(m.offset, now, out_); },
          [&](const file_control::Ack& m) { outgoing->acked(m.offset, now, out_); },
          [&](const file_control::Confirm&) { outgoing->confirmed(out_); },
          [&](const file_control::CancelReceive& m) { outgoing->ended_by_receiver(m.code, out_); },
          [&](const auto&) {},
      },
      message);
  return base::ok();
}

base::Result<ChunkAnswer> FileTransfers::handle_chunk(std::uint32_t sender_id, std::uint64_t offset,
                                                      std::uint32_t length, base::Millis now) {
  IncomingTransfer* incoming = find_incoming_by_sender(sender_id);
  if (incoming == nullptr) {
    // Chunks still in flight when a transfer ended here are expected; others are not.
    if (finished_incoming(sender_id) != nullptr) {
      return ChunkAnswer{ChunkVerdict::refused, 0};
    }
    return base::remote_error(base::ErrorCode::invalid_transfer,
                              "chunk for unknown transfer " + std::to_string(sender_id));
  }
  const ChunkAnswer answer{incoming->chunk(offset, length, now, out_), incoming->handle()};
  retire_finished();
  return answer;
}

base::Status FileTransfers::handle_sent(std::uint32_t transfer, std::uint64_t offset,
                                        std::uint32_t length) {
  OutgoingTransfer* outgoing = find_outgoing(transfer);
  if (outgoing == nullptr) {
    // Reads of a transfer that just ended may still complete.
    if (finished_outgoing(transfer) != nullptr) return base::ok();
    return unknown_handle(transfer);
  }
  outgoing->sent(offset, length, out_);
  return base::ok();
}

base::Status FileTransfers::handle_digest(std::uint32_t transfer, std::string_view sha256) {
  base::Status handled = base::ok();
  if (OutgoingTransfer* outgoing = find_outgoing(transfer)) {
    handled = outgoing->digest(sha256, out_);
  } else if (IncomingTransfer* incoming = find_incoming_by_handle(transfer)) {
    handled = incoming->digest(sha256, out_);
  } else {
    return unknown_handle(transfer);
  }
  retire_finished();
  return handled;
}

void FileTransfers::close() {
  for (auto& transfer : outgoing_) transfer.abandon(out_);
  for (auto& transfer : incoming_) transfer.abandon(out_);
  retire_finished();
}

void FileTransfers::remember_incoming(std::uint32_t sender_id, FileControl outcome) {
  push_bounded(finished_incoming_, FinishedIncoming{sender_id, std::move(outcome)},
               limits_.remembered_finished);
}

void FileTransfers::retire_finished() {
  for (const auto& transfer : outgoing_) {
    if (!transfer.finished()) continue;
    std::optional<base::ErrorCode> failure;
    if (transfer.state() == OutgoingState::failed) failure = transfer.failure();
    push_bounded(finished_outgoing_, FinishedOutgoing{transfer.id(), failure},
                 limits_.remembered_finished);
  }
  std::erase_if(outgoing_, [](const auto& t) { return t.finished(); });
  for (const auto& transfer : incoming_) {
    if (transfer.finished()) remember_incoming(transfer.sender_id(), transfer.outcome());
  }
  std::erase_if(incoming_, [](const auto& t) { return t.finished(); });
}

std::optional<FileAction> FileTransfers::poll_action() {
  if (out_.actions.empty()) return std::nullopt;
  FileAction action = std::move(out_.actions.front());
  out_.actions.pop_front();
  return action;
}

std::optional<FileEvent> FileTransfers::poll_event() {
  if (out_.events.empty()) return std::nullopt;
  FileEvent event = std::move(out_.events.front());
  out_.events.pop_front();
  return event;
}

}  // namespace rtcwire::peer
