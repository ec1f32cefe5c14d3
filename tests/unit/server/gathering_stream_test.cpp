// GatheringStream over a real loopback connection whose client does not read at first: a write past
// the gathering limit waits for the socket, and completes once the client reads.
#include "gathering_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

namespace rtcwire::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

TEST(GatheringStream, AWriteWaitingForTheSocketCompletesInOrder) {
  asio::io_context io;
  TcpAcceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  TcpSocket client(io);
  client.connect(acceptor.local_endpoint());
  TcpSocket accepted = acceptor.accept();
  GatheringStream stream{ServerStream(TcpStream(std::move(accepted)))};

  // More than the kernel's socket buffers hold: the send stays in flight until the client reads.
  const std::string big(32 << 20, 'a');
  const std::string past_limit(GatheringStream::kGatherBytes, 'b');  // waits for that send
  std::vector<char> completed;
  const auto write = [&](const std::string& bytes, char name) {
    stream.async_write(bytes, [&, name](boost::beast::error_code error, std::size_t written) {
      EXPECT_FALSE(error) << error.message();
      EXPECT_EQ(written, bytes.size());
      completed.push_back(name);
    });
  };
  write(big, 'A');
  write(past_limit, 'B');
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(std::string(completed.begin(), completed.end()), "A")
      << "B waits while the client does not read";

  std::string received(big.size() + past_limit.size(), '\0');
  io.restart();
  std::size_t read_bytes = 0;
  asio::async_read(client, asio::buffer(received),
                   [&](boost::system::error_code error, std::size_t bytes) {
                     EXPECT_FALSE(error) << error.message();
                     read_bytes = bytes;
                   });
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(read_bytes, received.size());
  EXPECT_EQ(std::string(completed.begin(), completed.end()), "AB");
  const std::string expected = big + past_limit;
  const auto mismatch = std::mismatch(received.begin(), received.end(), expected.begin());
  EXPECT_EQ(mismatch.first - received.begin(), static_cast<std::ptrdiff_t>(received.size()))
      << "the bytes arrive whole and in order";
}

}  // namespace
}  // namespace rtcwire::server
