// Feeds untrusted bytes to a real rtcwire-server (the Server class, configured with static files,
// a trusted proxy, all transports and short timeouts) over a loopback TCP connection, the way a
// client would send them: HTTP requests of any shape, and websocket frames after a genuine
// upgrade. The first byte chooses: raw HTTP bytes; websocket frames built from the input (masked,
// as a client must); or raw bytes after the upgrade. The server must answer or close, never crash.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "server.hpp"
#include "websocket_frames.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace rtcwire::server;
using namespace std::chrono_literals;

constexpr std::string_view kUpgrade =
    "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n";

class Harness {
 public:
  Harness() {
    const fs::path site =
        fs::temp_directory_path() / ("rtcwire_fuzz_site_" + std::to_string(::getpid()));
    fs::create_directories(site / "sub");
    std::ofstream(site / "index.html") << "<!doctype html>";
    std::ofstream(site / ".env") << "SECRET";
    std::ofstream(site / "sub" / "a.js") << "export {}";
    ServerOptions options;
    options.port = 0;
    options.static_mounts = {{"/", fs::canonical(site)}};
    options.ping_interval = 100ms;
    options.ping_timeout = 100ms;
    options.resume_window = 100ms;
    options.http_idle_timeout = 100ms;
    options.max_payload = 4096;
    options.max_message_bytes = 1024;
    options.resume_buffer_bytes = 4096;
    options.trusted_proxies.ranges = {{asio::ip::make_address("127.0.0.1"), 32}};
    server_ = std::make_unique<Server>(io_, options);
    if (server_->start()) std::abort();
    endpoint_ = server_->local_endpoint();
  }

  // Connects, sends `prefix`, waits for the answer's header when `await_header`, sends `bytes`,
  // half-closes, and runs the server until it closes the connection (or a bound is reached).
  void exchange(std::string_view prefix, bool await_header, std::string_view bytes) {
    asio::ip::tcp::socket client(io_);
    boost::system::error_code error;
    client.connect(endpoint_, error);
    if (error) return;
    client.non_blocking(true);
    std::string received;
    send(client, prefix);
    if (await_header) {
      pump(client, received, [&] { return received.find("\r\n\r\n") != std::string::npos; });
    }
    send(client, bytes);
    client.shutdown(asio::ip::tcp::socket::shutdown_send, error);
    bool closed = false;
    pump(
        client, received, [&] { return closed; }, &closed);
    client.close(error);
    // The server hears of the close and ends what it held for this connection.
    for (int i = 0; i < 8 && io_.poll() > 0; ++i) {
    }
  }

 private:
  void send(asio::ip::tcp::socket& client, std::string_view bytes) {
    while (!bytes.empty()) {
      boost::system::error_code error;
      const std::size_t written =
          client.write_some(asio::buffer(bytes.data(), bytes.size()), error);
      if (error == asio::error::would_block) {
        io_.run_one_for(1ms);
        continue;
      }
      if (error) return;
      bytes.remove_prefix(written);
    }
  }

  template <class Done>
  void pump(asio::ip::tcp::socket& client, std::string& received, Done done,
            bool* closed = nullptr) {
    for (int round = 0; round < 400 && !done(); ++round) {
      io_.run_one_for(1ms);
      char chunk[4096];
      for (;;) {
        boost::system::error_code error;
        const std::size_t read = client.read_some(asio::buffer(chunk), error);
        if (error == asio::error::would_block) break;
        if (error) {
          if (closed) *closed = true;
          return;
        }
        received.append(chunk, read);
      }
    }
  }

  asio::io_context io_{1};
  std::unique_ptr<Server> server_;
  asio::ip::tcp::endpoint endpoint_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      harness.exchange({}, false, input);
      break;
    case 1:
      harness.exchange(kUpgrade, true, frames_from(input));
      break;
    case 2:
      harness.exchange(kUpgrade, true, input);
      break;
  }
  return 0;
}
