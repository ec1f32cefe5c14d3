// The flags of the fairness limits (docs/server.md, "Fairness").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server_options.hpp"

namespace rtcwire::server {
namespace {

ParsedOptions parse(std::vector<std::string_view> arguments) { return parse_options(arguments); }

TEST(ServerOptionsFairness, Defaults) {
  const auto options = std::get<ServerOptions>(parse({}));
  EXPECT_EQ(options.rate_limits, (RateLimits{1000, 2000, 4 * 1024 * 1024, 8 * 1024 * 1024, 100}));
  EXPECT_EQ(options.max_buffered_bytes, 512u * 1024 * 1024);
  EXPECT_EQ(options.ack_timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(options.resend_after, std::chrono::milliseconds(1000));
  EXPECT_EQ(options.resend_tries, 5u);
  EXPECT_EQ(options.resend_rate, 32u * 1024 * 1024);
}

TEST(ServerOptionsFairness, EachFlag) {
  const auto options = std::get<ServerOptions>(
      parse({"--rate-messages", "10", "--rate-message-burst=20", "--rate-bytes", "3000",
             "--rate-byte-burst=6000", "--rate-strikes", "7", "--max-buffered-bytes=100000000",
             "--ack-timeout", "250", "--resend-after=100", "--resend-tries", "2", "--resend-rate",
             "4096"}));
  EXPECT_EQ(options.rate_limits, (RateLimits{10, 20, 3000, 6000, 7}));
  EXPECT_EQ(options.max_buffered_bytes, 100000000u);
  EXPECT_EQ(options.ack_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(options.resend_after, std::chrono::milliseconds(100));
  EXPECT_EQ(options.resend_tries, 2u);
  EXPECT_EQ(options.resend_rate, 4096u);
}

TEST(ServerOptionsFairness, ZeroAndGarbageAreRefusedNamingTheFlag) {
  for (const char* flag : {"--rate-messages", "--rate-message-burst", "--rate-bytes",
                           "--rate-byte-burst", "--rate-strikes", "--max-buffered-bytes",
                           "--ack-timeout", "--resend-after", "--resend-tries", "--resend-rate"}) {
    for (const char* value : {"0", "-1", "many", ""}) {
      const ParsedOptions parsed = parse({flag, value});
      const auto* failure = std::get_if<OptionsError>(&parsed);
      ASSERT_NE(failure, nullptr) << flag << " " << value;
      EXPECT_NE(failure->message.find(flag), std::string::npos) << failure->message;
    }
  }
}

TEST(ServerOptionsFairness, UsageListsEveryFlag) {
  for (const char* flag :
       {"--rate-messages N", "--rate-message-burst N", "--rate-bytes N", "--rate-byte-burst N",
        "--rate-strikes N", "--max-buffered-bytes N", "--ack-timeout MS", "--resend-after MS",
        "--resend-tries N", "--resend-rate N"}) {
    EXPECT_NE(usage_text().find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace rtcwire::server
