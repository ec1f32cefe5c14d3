// The numbers that bound a peer's file transfers: memory in flight, ack pace, concurrency.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rtcwire::peer {

struct FileTransferLimits {
  // The sender reads at most this many bytes past the receiver's last ack: it bounds the sender's
  // memory (reads under way) and the channel's buffer.
  std::uint64_t window_bytes = 1024 * 1024;
  // The receiver acks each time this many more bytes are stored, and at the end. A quarter of the
  // window keeps the sender's pipe full while acks are on their way. The protocol fixes the
  // bound between peers: a receiver acks at least every 256 KiB, a sender's window is at least
  // that (else the sender waits for an ack that never comes).
  std::uint64_t ack_every_bytes = 256 * 1024;
  // Chunk frames are at most this big (header included), and at most the channel's
  // maxMessageSize: 64 KiB goes through every browser's SCTP stack.
  std::uint32_t max_frame_bytes = 64 * 1024;
  // Active transfers with one peer, per direction: one more is refused with too_many_transfers.
  std::size_t max_transfers_each_way = 16;
  // Finished transfers remembered per direction, to answer late or repeated messages about them.
  std::size_t remembered_finished = 64;
};

// [u32 transfer][u64 offset], big-endian, then the bytes.
inline constexpr std::uint32_t chunk_header_bytes = 12;

}  // namespace rtcwire::peer
