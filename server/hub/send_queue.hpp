// The outgoing Engine.IO packets of one session, bounded in bytes.
#pragma once

#include <cstddef>
#include <vector>

#include "buffer_budget.hpp"
#include "rtcwire/engineio/engineio_packet.hpp"

namespace rtcwire::server {

// Packets handed to the transport stay counted until it reports them written, so a client that
// stops reading holds the cap's worth of memory, never more.
class SendQueue {
 public:
  struct Batch {
    std::vector<engineio::Packet> packets;
    std::size_t bytes = 0;
  };

  // Counted bytes are charged to `budget` too, when there is one.
  explicit SendQueue(std::size_t byte_cap, BufferBudget* budget = nullptr)
      : byte_cap_(byte_cap), budget_(budget) {}

  // A packet counts as its data plus the type byte.
  static std::size_t size_of(const engineio::Packet& packet) { return packet.data.size() + 1; }

  // False, queueing nothing, when the packet would take the queue over its cap.
  [[nodiscard]] bool push(engineio::Packet packet);
  // Every queued packet, for one write; their bytes stay counted until release().
  Batch take_all();
  void release(std::size_t bytes);
  void clear();

  bool empty() const { return packets_.empty(); }
  // Queued and in-flight bytes.
  std::size_t counted_bytes() const { return queued_bytes_ + in_flight_bytes_; }
  std::size_t byte_cap() const { return byte_cap_; }

 private:
  std::size_t byte_cap_;
  BufferBudget* budget_;
  std::size_t queued_bytes_ = 0;
  std::size_t in_flight_bytes_ = 0;
  std::vector<engineio::Packet> packets_;
};

}  // namespace rtcwire::server
