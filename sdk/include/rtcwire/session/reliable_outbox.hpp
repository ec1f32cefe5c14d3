// The sending half of a reliable stream: numbers what is sent 1, 2, 3... and keeps it until the
// other side's cumulative ack covers it, so a resumed session can send exactly what was missed.
// Bounded in bytes: the caller decides what overflowing means (client: slow down; server: the
// session ends).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "rtcwire/base/error.hpp"
#include "rtcwire/envelope/envelope.hpp"

namespace rtcwire::session {

template <class T>
class ReliableOutbox {
 public:
  struct Entry {
    envelope::Seq seq;
    T item;
    std::size_t bytes;
  };

  explicit ReliableOutbox(std::size_t byte_cap) : byte_cap_(byte_cap) {}

  // Numbers and keeps `item`; nothing (and nothing kept) when it would take the outbox over its
  // cap.
  std::optional<envelope::Seq> push(T item, std::size_t bytes) {
    if (bytes > byte_cap_ - bytes_) return std::nullopt;
    entries_.push_back(Entry{++last_seq_, std::move(item), bytes});
    bytes_ += bytes;
    return last_seq_;
  }

  // A cumulative ack from the other side. Acking what was never sent is a protocol violation and
  // changes nothing; an ack older than one already seen is harmless and ignored.
  base::Status acknowledge(envelope::Seq ack) {
    if (ack > last_seq_) {
      return base::remote_error(base::ErrorCode::invalid_sequence,
                                "ack " + std::to_string(ack) + " is past the last seq sent (" +
                                    std::to_string(last_seq_) + ")");
    }
    while (!entries_.empty() && entries_.front().seq <= ack) {
      bytes_ -= entries_.front().bytes;
      entries_.pop_front();
    }
    return base::ok();
  }

  // Unacknowledged entries, oldest first.
  const std::deque<Entry>& unacked() const { return entries_; }
  envelope::Seq last_seq() const { return last_seq_; }
  std::size_t bytes() const { return bytes_; }
  std::size_t byte_cap() const { return byte_cap_; }

  // Everything unacknowledged, for a session that ended; numbering restarts at 1.
  std::deque<Entry> take_all() {
    std::deque<Entry> taken = std::move(entries_);
    entries_.clear();
    bytes_ = 0;
    last_seq_ = 0;
    return taken;
  }

 private:
  std::size_t byte_cap_;
  std::size_t bytes_ = 0;
  envelope::Seq last_seq_ = 0;
  std::deque<Entry> entries_;
};

}  // namespace rtcwire::session
