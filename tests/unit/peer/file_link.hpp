// Two FileTransfers joined by a simulated `rtcwire-files` channel (reliable, ordered; closing it
// loses what is in flight), with the test playing the JS layer: a Read slices a string "Blob"
// and sends a chunk frame, the receiver stores chunks it is told to store, and both sides report
// a digest once they have hashed every byte (a stand-in hash: the core only compares strings).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtcwire/base/random_source.hpp"
#include "rtcwire/peer/file_transfers.hpp"

namespace rtcwire::peer::testing {

// 64 hex digits from FNV-1a: enough to tell contents apart in tests.
inline std::string fake_digest(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (int i = 60; i >= 0; i -= 4) hex.push_back(kHex[(hash >> i) & 0xf]);
  return hex + hex + hex + hex;
}

// A deterministic file of `size` bytes.
inline std::string make_file(std::size_t size, std::uint64_t seed) {
  base::RandomSource random(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random.next() & 0xff);
  return bytes;
}

struct ChunkFrame {
  std::uint32_t transfer;
  std::uint64_t offset;
  std::string bytes;
};
using Frame = std::variant<std::string, ChunkFrame>;

struct LinkSide {
  explicit LinkSide(std::uint32_t& next_handle, FileTransferLimits limits)
      : files([&next_handle] { return ++next_handle; }, limits) {}

  FileTransfers files;
  bool auto_accept = true;
  // Sender's JS.
  std::map<std::uint32_t, std::string> blobs;
  std::map<std::uint32_t, std::string> hashed;  // bytes hashed so far, in order
  std::deque<file_action::Read> reads;          // issued, not yet done
  // Receiver's JS.
  std::map<std::uint32_t, std::uint64_t> sizes;  // from the offer
  std::map<std::uint32_t, std::string> stored;
  std::string corrupt;  // when set, the digest JS reports is of this instead
  std::uint64_t duplicates = 0;
  std::uint64_t refused = 0;
  // Everything that came out.
  std::vector<FileEvent> events;
  std::vector<FileControl> sent_controls;
  std::vector<base::Error> errors;
  std::deque<Frame> inbox;  // frames on their way to this side
};

class FileLink {
 public:
  explicit FileLink(FileTransferLimits limits = {})
      : a(next_handle_, limits), b(next_handle_, limits) {}

  LinkSide a;  // usually the sender
  LinkSide b;
  base::Millis now{0};
  int closes = 0;

  void open(std::uint32_t max_message_size = 256 * 1024) {
    open_ = true;
    a.files.channel_opened(max_message_size);
    b.files.channel_opened(max_message_size);
    flush();
  }

  // Both ends see the close; whatever was in flight is lost.
  void close() {
    ++closes;
    open_ = false;
    a.inbox.clear();
    b.inbox.clear();
    a.files.channel_closed();
    b.files.channel_closed();
  }

  bool is_open() const { return open_; }

  std::uint32_t send_file(LinkSide& side, std::string bytes, std::string name = "a.bin") {
    auto id = side.files.send(std::move(name), bytes.size(), "application/octet-stream");
    if (!id) return 0;
    side.blobs[id.value()] = std::move(bytes);
    side.hashed[id.value()];
    report_sender_digest(side, id.value());
    flush();
    return id.value();
  }

  // Moves every output into its place: reads into the JS queue, control texts onto the wire,
  // events into the list (accepting offers when told to).
  void flush() {
    bool moved = true;
    while (moved) {
      const bool from_a = flush_side(a, b);
      const bool from_b = flush_side(b, a);
      moved = from_a || from_b;
    }
  }

  // Does one read of `side`'s JS queue.
  bool do_read(LinkSide& side, LinkSide& other) {
    if (side.reads.empty()) return false;
    const file_action::Read read = side.reads.front();
    side.reads.pop_front();
    const auto blob = side.blobs.find(read.transfer);
    if (blob == side.blobs.end()) return true;  // the transfer ended: JS drops the read
    std::string slice = blob->second.substr(read.offset, read.length);
    std::string& hashed = side.hashed[read.transfer];
    // Hashing goes forward only: a slice read again after a rewind adds only what is new.
    if (read.offset <= hashed.size() && read.offset + read.length > hashed.size()) {
      hashed += slice.substr(hashed.size() - read.offset);
    }
    if (open_) other.inbox.push_back(ChunkFrame{read.transfer, read.offset, std::move(slice)});
    (void)side.files.handle_sent(read.transfer, read.offset, read.length);
    report_sender_digest(side, read.transfer);
    flush();
    return true;
  }

  // Delivers the next frame waiting for `side`.
  bool deliver(LinkSide& side) {
    if (side.inbox.empty()) return false;
    Frame frame = std::move(side.inbox.front());
    side.inbox.pop_front();
    if (auto* text = std::get_if<std::string>(&frame)) {
      if (auto handled = side.files.handle_control(*text, now); !handled) {
        side.errors.push_back(handled.error());
      }
    } else {
      receive_chunk(side, std::get<ChunkFrame>(frame));
    }
    flush();
    return true;
  }

  void receive_chunk(LinkSide& side, const ChunkFrame& chunk) {
    auto answer = side.files.handle_chunk(chunk.transfer, chunk.offset,
                                          static_cast<std::uint32_t>(chunk.bytes.size()), now);
    if (!answer) {
      side.errors.push_back(answer.error());
      return;
    }
    switch (answer.value().verdict) {
      case ChunkVerdict::store: {
        std::string& stored = side.stored[answer.value().transfer];
        stored += chunk.bytes;
        report_receiver_digest(side, answer.value().transfer);
        break;
      }
      case ChunkVerdict::duplicate:
        ++side.duplicates;
        break;
      case ChunkVerdict::refused:
        ++side.refused;
        break;
    }
  }

  // One of everything that can happen, in a fixed order; whether anything did.
  bool step() {
    now += base::Millis(1);
    const bool to_a = deliver(a);
    const bool to_b = deliver(b);
    const bool read_a = do_read(a, b);
    const bool read_b = do_read(b, a);
    return to_a || to_b || read_a || read_b;
  }

  // Runs everything to quiescence.
  void run() {
    while (step()) {
    }
  }

  // Runs in a random interleaving; with `close_per_mille` the channel closes now and then and
  // opens again a few steps later. Stops when nothing moves or after `max_steps`.
  void run_random(base::RandomSource& random, int close_per_mille, int max_steps = 2'000'000) {
    for (int step = 0; step < max_steps; ++step) {
      now += base::Millis(random.uniform(0, 3));
      if (!open_) {
        if (random.uniform(0, 4) == 0) open();
        // JS may still finish reads while the channel is down.
        if (random.uniform(0, 2) == 0) do_read(a, b);
        continue;
      }
      if (random.uniform(0, 1000) < close_per_mille) {
        close();
        continue;
      }
      bool moved = false;
      switch (random.uniform(0, 4)) {
        case 0:
          moved = deliver(a);
          break;
        case 1:
          moved = deliver(b);
          break;
        case 2:
          moved = do_read(a, b);
          break;
        default:
          moved = do_read(b, a);
          break;
      }
      if (!moved && a.inbox.empty() && b.inbox.empty() && a.reads.empty() && b.reads.empty()) {
        return;
      }
    }
  }

 private:
  bool flush_side(LinkSide& side, LinkSide& other) {
    bool moved = false;
    while (auto action = side.files.poll_action()) {
      moved = true;
      if (auto* read = std::get_if<file_action::Read>(&*action)) {
        side.reads.push_back(*read);
      } else {
        const std::string& text = std::get<file_action::SendControl>(*action).text;
        auto decoded = decode_file_control(text);
        if (decoded) side.sent_controls.push_back(decoded.value());
        if (open_) other.inbox.push_back(text);
      }
    }
    while (auto event = side.files.poll_event()) {
      moved = true;
      if (auto* offered = std::get_if<file_event::Offered>(&*event)) {
        side.sizes[offered->transfer] = offered->size;
        side.stored[offered->transfer];
        if (side.auto_accept) {
          side.events.push_back(*event);
          (void)side.files.accept(offered->transfer, now);
          report_receiver_digest(side, offered->transfer);
          continue;
        }
      }
      if (auto* failed = std::get_if<file_event::Failed>(&*event))
        side.blobs.erase(failed->transfer);
      side.events.push_back(std::move(*event));
    }
    return moved;
  }

  void report_sender_digest(LinkSide& side, std::uint32_t transfer) {
    const auto blob = side.blobs.find(transfer);
    if (blob != side.blobs.end() && side.hashed[transfer].size() == blob->second.size()) {
      (void)side.files.handle_digest(transfer, fake_digest(side.hashed[transfer]));
    }
  }

  void report_receiver_digest(LinkSide& side, std::uint32_t transfer) {
    if (side.stored[transfer].size() != side.sizes[transfer]) return;
    const std::string& bytes = side.corrupt.empty() ? side.stored[transfer] : side.corrupt;
    (void)side.files.handle_digest(transfer, fake_digest(bytes));
  }

  std::uint32_t next_handle_ = 0;
  bool open_ = false;
};

}  // namespace rtcwire::peer::testing
