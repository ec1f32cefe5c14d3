// The I/O object types of the server, all on the io_context's own executor type. The server runs
// one io_context on one thread; Asio's defaults (any_io_executor) type-erase the executor, and
// copying and destroying it on every operation was the largest user-space cost under load.
#pragma once

#include <chrono>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace rtcwire::server {

using IoExecutor = boost::asio::io_context::executor_type;
using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using TcpAcceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, IoExecutor>;
// A TCP socket with Beast's timeouts.
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp, IoExecutor>;
using SteadyTimer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;

}  // namespace rtcwire::server
