// rtcwire-server: the rtcwire signalling server. See docs/server.md.
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "log.hpp"
#include "server.hpp"
#include "server_options.hpp"

int main(int argc, char** argv) {
  using namespace rtcwire::server;
  const std::vector<std::string_view> arguments(argv + 1, argv + argc);
  const ParsedOptions parsed = parse_options(arguments);
  if (std::holds_alternative<HelpRequested>(parsed)) {
    std::cout << usage_text() << std::flush;
    return 0;
  }
  if (const auto* failure = std::get_if<OptionsError>(&parsed)) {
    std::cerr << "rtcwire-server: " << failure->message << " (see --help)\n";
    return 2;
  }
  const ServerOptions& options = std::get<ServerOptions>(parsed);
  set_log_format(options.log_format);

  // Logging to a stderr whose reader went away must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);

  boost::asio::io_context io{1};
  Server server(io, options);
  if (const auto& failure = server.setup_error()) {
    std::cerr << "rtcwire-server: " << *failure << "\n";
    return 2;
  }
  if (const auto error = server.start()) {
    std::cerr << "rtcwire-server: cannot listen on " << options.host << ":" << options.port << ": "
              << error.message() << "\n";
    return 1;
  }
  const auto endpoint = server.local_endpoint();
  const std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                      : endpoint.address().to_string();
  // Tests and scripts wait for exactly this line.
  const char* scheme = options.access.tls_cert.empty() ? "http" : "https";
  if (const auto metrics = server.metrics_endpoint()) {
    std::cout << "rtcwire-server metrics on http://" << host << ":" << metrics->port() << "/metrics"
              << std::endl;
  }
  std::cout << "rtcwire-server listening on " << scheme << "://" << host << ":" << endpoint.port()
            << std::endl;
  // Handlers report errors as values; should one throw anyway (a bug), the others keep running.
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& error) {
      log_line(std::string("internal error: ") + error.what());
    }
  }
  log_line("stopped");
  return 0;
}
