// Counts the server's open TCP connections (every HTTP connection, whatever it carries: plain
// requests, long polls, SSE streams, websockets), in total and per client address, and refuses
// one over either limit. A ConnectionSlot is one counted connection; it goes wherever the socket
// goes and gives its place back when destroyed. Single-threaded, like the server.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rtcwire::server {

enum class ConnectionRefusal {
  too_many_connections,         // --max-connections reached
  too_many_connections_per_ip,  // --max-connections-per-ip reached for the address
};
std::string_view to_string(ConnectionRefusal refusal);

class ConnectionSlot;

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
 public:
  ConnectionLimiter(std::size_t max_total, std::size_t max_per_address);

  // A slot for a new connection from `address`; an empty address (a trusted proxy, whose clients
  // are known only from their requests) counts toward the total only.
  std::optional<ConnectionRefusal> admit(const std::string& address, ConnectionSlot& slot);

  std::size_t total() const { return total_; }
  std::size_t of(const std::string& address) const;

 private:
  friend class ConnectionSlot;
  std::optional<ConnectionRefusal> add_address(const std::string& address);
  void remove_address(const std::string& address);

  std::size_t max_total_;
  std::size_t max_per_address_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;
};

class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ~ConnectionSlot();

  // Counts the connection under `address` from now on (a request behind a trusted proxy named
  // its client); on refusal nothing changes.
  std::optional<ConnectionRefusal> reassign(const std::string& address);
  const std::string& address() const { return address_; }
  bool counted() const { return limiter_ != nullptr; }

 private:
  friend class ConnectionLimiter;
  void release();

  std::shared_ptr<ConnectionLimiter> limiter_;
  std::string address_;
};

}  // namespace rtcwire::server
