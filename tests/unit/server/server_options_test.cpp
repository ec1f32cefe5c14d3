#include "server_options.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

namespace rtcwire::server {
namespace {

namespace fs = std::filesystem;

ParsedOptions parse(std::initializer_list<std::string_view> arguments) {
  const std::vector<std::string_view> list(arguments);
  return parse_options(list);
}

ServerOptions parsed_ok(std::initializer_list<std::string_view> arguments) {
  const ParsedOptions result = parse(arguments);
  if (const auto* failure = std::get_if<OptionsError>(&result)) {
    ADD_FAILURE() << failure->message;
    return {};
  }
  EXPECT_TRUE(std::holds_alternative<ServerOptions>(result));
  return std::holds_alternative<ServerOptions>(result) ? std::get<ServerOptions>(result)
                                                       : ServerOptions{};
}

std::string error_of(std::initializer_list<std::string_view> arguments) {
  const ParsedOptions result = parse(arguments);
  const auto* failure = std::get_if<OptionsError>(&result);
  EXPECT_NE(failure, nullptr) << "accepted";
  return failure ? failure->message : "";
}

TEST(ServerOptions, Defaults) {
  const ServerOptions options = parsed_ok({});
  EXPECT_EQ(options.host, "127.0.0.1");
  EXPECT_EQ(options.port, 8080);
  EXPECT_TRUE(options.static_mounts.empty());
  EXPECT_EQ(options.max_message_bytes, 65536u);
  EXPECT_EQ(options.max_payload, 1000000u);
  EXPECT_EQ(options.ping_interval, std::chrono::milliseconds(25000));
  EXPECT_EQ(options.ping_timeout, std::chrono::milliseconds(20000));
  EXPECT_EQ(options.transports, TransportSet::all());
  EXPECT_EQ(options.max_sessions_per_ip, 100u);
  EXPECT_EQ(options.sse_heartbeat_interval, std::chrono::milliseconds(15000));
  EXPECT_EQ(options.resume_window, std::chrono::seconds(120));
  EXPECT_EQ(options.resume_buffer_bytes, 1048576u);
  EXPECT_EQ(options.goaway_spread, std::chrono::milliseconds(10000));
  EXPECT_EQ(options.drain_timeout, std::chrono::milliseconds(15000));
  EXPECT_FALSE(options.echo);
}

TEST(ServerOptions, ResumeAndShutdown) {
  const ServerOptions options = parsed_ok({"--resume-window", "30", "--resume-buffer=200000",
                                           "--goaway-spread", "0", "--drain-timeout=250"});
  EXPECT_EQ(options.resume_window, std::chrono::seconds(30));
  EXPECT_EQ(options.resume_buffer_bytes, 200000u);
  EXPECT_EQ(options.goaway_spread, std::chrono::milliseconds(0));
  EXPECT_EQ(options.drain_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(parsed_ok({"--resume-window=750ms"}).resume_window, std::chrono::milliseconds(750));
}

TEST(ServerOptions, EachFlagWithSeparateOrInlineValue) {
  const ServerOptions options =
      parsed_ok({"--host", "::1", "--port=0", "--max-message-bytes", "1000", "--max-payload=5000",
                 "--ping-interval", "200", "--ping-timeout=300"});
  EXPECT_EQ(options.host, "::1");
  EXPECT_EQ(options.port, 0);
  EXPECT_EQ(options.max_message_bytes, 1000u);
  EXPECT_EQ(options.max_payload, 5000u);
  EXPECT_EQ(options.ping_interval, std::chrono::milliseconds(200));
  EXPECT_EQ(options.ping_timeout, std::chrono::milliseconds(300));
}

TEST(ServerOptions, TransportsSessionLimitHeartbeatAndEcho) {
  const ServerOptions options = parsed_ok({"--transports", "sse,polling", "--max-sessions-per-ip=3",
                                           "--sse-heartbeat-interval", "250", "--echo"});
  EXPECT_FALSE(options.transports.contains(TransportKind::websocket));
  EXPECT_TRUE(options.transports.contains(TransportKind::sse));
  EXPECT_TRUE(options.transports.contains(TransportKind::polling));
  EXPECT_EQ(options.max_sessions_per_ip, 3u);
  EXPECT_EQ(options.sse_heartbeat_interval, std::chrono::milliseconds(250));
  EXPECT_TRUE(options.echo);
  EXPECT_EQ(
      parsed_ok({"--transports=websocket,websocket"}).transports.contains(TransportKind::polling),
      false);
}

TEST(ServerOptions, EchoModeReadsNoEnvelopesSoTheEnvelopeLimitMayExceedMaxPayload) {
  EXPECT_EQ(parsed_ok({"--echo", "--max-payload", "1000"}).max_payload, 1000u);
}

TEST(ServerOptions, Help) {
  EXPECT_TRUE(std::holds_alternative<HelpRequested>(parse({"--help"})));
  EXPECT_TRUE(std::holds_alternative<HelpRequested>(parse({"--port", "1", "-h"})));
  EXPECT_NE(usage_text().find("--static [PREFIX=]DIR"), std::string::npos);
}

TEST(ServerOptions, StaticMountsAreRepeatableAndCanonical) {
  const fs::path root = fs::temp_directory_path() / "rtcwire_options_test";
  fs::create_directories(root / "demo");
  fs::create_directories(root / "js");
  const std::string demo = (root / "demo").string();
  const std::string js_with_dots = (root / "demo" / ".." / "js").string();
  const std::string js_mount = "/js/=" + js_with_dots;
  const ServerOptions options = parsed_ok({"--static", demo, "--static", js_mount});
  ASSERT_EQ(options.static_mounts.size(), 2u);
  EXPECT_EQ(options.static_mounts[0], (StaticMount{"/", fs::canonical(root / "demo")}));
  EXPECT_EQ(options.static_mounts[1], (StaticMount{"/js", fs::canonical(root / "js")}));
  fs::remove_all(root);
}

TEST(ServerOptions, BadStaticMounts) {
  const std::string here = fs::current_path().string();
  EXPECT_NE(error_of({"--static", "/no/such/dir/anywhere"}).find("not a directory"),
            std::string::npos);
  EXPECT_NE(error_of({"--static", "/a/../b=" + here}).find("not a clean path"), std::string::npos);
  EXPECT_NE(error_of({"--static", "/a//b=" + here}).find("not a clean path"), std::string::npos);
  EXPECT_NE(error_of({"--static", "/x=" + here, "--static", "/x/=" + here}).find("twice"),
            std::string::npos);
  EXPECT_NE(error_of({"--static", "/x="}).find("not a directory"), std::string::npos);
}

struct BadArguments {
  std::vector<std::string_view> arguments;
  std::string_view message_part;
};

class ServerOptionsRejects : public ::testing::TestWithParam<BadArguments> {};

TEST_P(ServerOptionsRejects, WithAMessageNamingTheProblem) {
  const ParsedOptions result = parse_options(GetParam().arguments);
  const auto* failure = std::get_if<OptionsError>(&result);
  ASSERT_NE(failure, nullptr);
  EXPECT_NE(failure->message.find(GetParam().message_part), std::string::npos) << failure->message;
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, ServerOptionsRejects,
    ::testing::Values(BadArguments{{"--bogus"}, "unknown option '--bogus'"},
                      BadArguments{{"serve"}, "unknown option 'serve'"},
                      BadArguments{{"--port"}, "--port needs a value"},
                      BadArguments{{"--port", "http"}, "--port expects a whole number"},
                      BadArguments{{"--port", "65536"}, "from 0 to 65535"},
                      BadArguments{{"--port", "-1"}, "--port"},
                      BadArguments{{"--port", "80x"}, "--port"},
                      BadArguments{{"--port="}, "--port"},
                      BadArguments{{"--host", "localhost"}, "--host expects an IP address"},
                      BadArguments{{"--host", "1.2.3"}, "--host"},
                      BadArguments{{"--ping-interval", "0"}, "--ping-interval"},
                      BadArguments{{"--ping-timeout", "1.5"}, "--ping-timeout"},
                      BadArguments{{"--ping-timeout", "99999999999999999999"}, "--ping-timeout"},
                      BadArguments{{"--max-payload", "0"}, "--max-payload"},
                      BadArguments{{"--max-message-bytes", "0"}, "--max-message-bytes"},
                      BadArguments{{"--max-message-bytes", "5000", "--max-payload", "5000"},
                                   "must be below --max-payload"},
                      BadArguments{{"--help=yes"}, "--help takes no value"},
                      BadArguments{{"--echo=1"}, "--echo takes no value"},
                      BadArguments{{"--transports", ""}, "--transports expects"},
                      BadArguments{{"--transports", "websocket,"}, "--transports expects"},
                      BadArguments{{"--transports", "websocket,flash"}, "--transports expects"},
                      BadArguments{{"--transports", "SSE"}, "--transports expects"},
                      BadArguments{{"--max-sessions-per-ip", "0"}, "--max-sessions-per-ip"},
                      BadArguments{{"--sse-heartbeat-interval", "0"}, "--sse-heartbeat-interval"},
                      BadArguments{{"--resume-window", "0"}, "--resume-window expects"},
                      BadArguments{{"--resume-window", "0ms"}, "--resume-window expects"},
                      BadArguments{{"--resume-window", "ms"}, "--resume-window expects"},
                      BadArguments{{"--resume-window", "5s"}, "--resume-window expects"},
                      BadArguments{{"--resume-window", "9999999999"}, "--resume-window expects"},
                      BadArguments{{"--resume-buffer", "131071"},
                                   "must be at least twice --max-message-bytes"},
                      BadArguments{{"--drain-timeout", "-1"}, "--drain-timeout"}));

TEST(ServerOptions, ConnectionLimitsProxiesAndLogFormat) {
  const ServerOptions defaults = parsed_ok({});
  EXPECT_EQ(defaults.max_connections, 0u);
  EXPECT_EQ(defaults.max_connections_per_ip, 256u);
  EXPECT_EQ(defaults.http_idle_timeout, std::chrono::milliseconds(5000));
  EXPECT_TRUE(defaults.trusted_proxies.ranges.empty());
  EXPECT_EQ(defaults.log_format, LogFormat::text);

  const ServerOptions options =
      parsed_ok({"--max-connections", "500", "--max-connections-per-ip=20", "--http-idle-timeout",
                 "800", "--trust-proxy", "10.0.0.0/8, 127.0.0.1,::1/128", "--proxy-header",
                 "forwarded", "--log-format", "json"});
  EXPECT_EQ(options.max_connections, 500u);
  EXPECT_EQ(options.max_connections_per_ip, 20u);
  EXPECT_EQ(options.http_idle_timeout, std::chrono::milliseconds(800));
  ASSERT_EQ(options.trusted_proxies.ranges.size(), 3u);
  EXPECT_EQ(options.trusted_proxies.ranges[0].prefix_length, 8u);
  EXPECT_EQ(options.trusted_proxies.ranges[1].prefix_length, 32u);
  EXPECT_EQ(options.trusted_proxies.header, ProxyHeader::forwarded);
  EXPECT_EQ(options.log_format, LogFormat::json);

  EXPECT_NE(error_of({"--trust-proxy", "10.0.0.0/33"}).find("--trust-proxy"), std::string::npos);
  EXPECT_NE(error_of({"--trust-proxy", "proxy.local"}).find("--trust-proxy"), std::string::npos);
  EXPECT_NE(error_of({"--trust-proxy", ""}).find("--trust-proxy"), std::string::npos);
  EXPECT_NE(error_of({"--proxy-header", "x-real-ip"}).find("--proxy-header"), std::string::npos);
  EXPECT_NE(error_of({"--log-format", "xml"}).find("--log-format"), std::string::npos);
  EXPECT_NE(error_of({"--max-connections-per-ip", "0"}).find("from 1"), std::string::npos);
  EXPECT_NE(error_of({"--http-idle-timeout", "0"}).find("from 1"), std::string::npos);
}

}  // namespace
}  // namespace rtcwire::server
