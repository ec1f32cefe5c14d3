#include "turn_options.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "server_options.hpp"

namespace rtcwire::server {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecret = "sixteen-byte-key";  // exactly the minimum

ParsedOptions parse(std::initializer_list<std::string_view> arguments) {
  const std::vector<std::string_view> list(arguments);
  return parse_options(list);
}

std::string error_of(std::initializer_list<std::string_view> arguments) {
  const ParsedOptions result = parse(arguments);
  const auto* failure = std::get_if<OptionsError>(&result);
  EXPECT_NE(failure, nullptr) << "accepted";
  return failure ? failure->message : "";
}

TurnOptions turn_of(std::initializer_list<std::string_view> arguments) {
  const ParsedOptions result = parse(arguments);
  if (const auto* failure = std::get_if<OptionsError>(&result)) {
    ADD_FAILURE() << failure->message;
    return {};
  }
  return std::get<ServerOptions>(result).turn;
}

// A file in the test's temporary folder, removed with the test.
class SecretFile {
 public:
  explicit SecretFile(std::string_view content)
      : path_(fs::temp_directory_path() /
              ("rtcwire-turn-secret-" +
               std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~SecretFile() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

TEST(TurnOptions, OffByDefault) {
  const TurnOptions turn = turn_of({});
  EXPECT_TRUE(turn.secret.empty());
  EXPECT_TRUE(turn.uris.empty());
  EXPECT_EQ(turn.ttl, std::chrono::seconds(3600));
  EXPECT_FALSE(turn_settings(turn).has_value());
}

TEST(TurnOptions, SecretUrisAndTtl) {
  const TurnOptions turn =
      turn_of({"--turn-secret", kSecret, "--turn-uris",
               "stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp",
               "--turn-uris=turns:turn.example.com:443?transport=tcp", "--turn-ttl=10"});
  EXPECT_EQ(turn.secret, kSecret);
  EXPECT_EQ(turn.uris,
            (std::vector<std::string>{"stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp",
                                      "turns:turn.example.com:443?transport=tcp"}));
  EXPECT_EQ(turn.ttl, std::chrono::seconds(10));
  const auto settings = turn_settings(turn);
  ASSERT_TRUE(settings.has_value());
  EXPECT_EQ(settings->secret, kSecret);
  EXPECT_EQ(settings->ttl, std::chrono::seconds(10));
  EXPECT_EQ(
      turn_of({"--turn-secret", kSecret, "--turn-uris", "turn:h", "--turn-ttl", "604800"}).ttl,
      std::chrono::seconds(604800));
}

TEST(TurnOptions, SecretFileIsItsFirstLineTrimmed) {
  const SecretFile file("  a secret with spaces inside \t\r\nsecond line ignored\n");
  const TurnOptions turn =
      turn_of({"--turn-secret-file", file.path(), "--turn-uris", "turn:127.0.0.1"});
  EXPECT_EQ(turn.secret, "  a secret with spaces inside");
  EXPECT_EQ(turn.secret_file, file.path());
}

TEST(TurnOptions, SecretFileErrors) {
  const SecretFile short_secret("fifteen-bytes!!\n");
  EXPECT_NE(error_of({"--turn-secret-file", short_secret.path(), "--turn-uris", "turn:h"})
                .find("at least 16 bytes"),
            std::string::npos);
  const SecretFile empty("");
  EXPECT_NE(error_of({"--turn-secret-file", empty.path(), "--turn-uris", "turn:h"})
                .find("at least 16 bytes"),
            std::string::npos);
  EXPECT_NE(error_of({"--turn-secret-file", "/nonexistent/rtcwire/secret", "--turn-uris", "turn:h"})
                .find("cannot read /nonexistent/rtcwire/secret"),
            std::string::npos);
  const SecretFile good("a-good-secret-of-enough-bytes\n");
  EXPECT_NE(error_of({"--turn-secret-file", good.path(), "--turn-secret", kSecret, "--turn-uris",
                      "turn:h"})
                .find("exclude each other"),
            std::string::npos);
}

TEST(TurnOptions, ValidUris) {
  for (const char* uri :
       {"stun:stun.example.com", "stun:127.0.0.1:3478", "stun:[::1]:3478", "turn:turn.example.com",
        "turn:10.0.0.1:3478?transport=udp", "turn:[2001:db8::1]:3478?transport=tcp",
        "turns:turn.example.com:443", "turns:turn.example.com:443?transport=tcp"}) {
    EXPECT_TRUE(is_valid_turn_uri(uri)) << uri;
  }
  for (const char* uri : {"",
                          "turn",
                          "turn:",
                          "http://turn.example.com",
                          "turn://turn.example.com",
                          "TURN:h",
                          "stuns:h",
                          "turn:h:0",
                          "turn:h:65536",
                          "turn:h:",
                          "turn:h:port",
                          "turn:user@h",
                          "turn:h/path",
                          "turn:h?transport=sctp",
                          "turn:h?transport=",
                          "turn:h?",
                          "turn:h?x=1",
                          "stun:h?transport=udp",
                          "turn:[::1",
                          "turn:::1",
                          "turn:h .com",
                          "turn:h..com"}) {
    EXPECT_FALSE(is_valid_turn_uri(uri)) << uri;
  }
}

struct BadTurnArguments {
  std::vector<std::string_view> arguments;
  std::string_view message_part;
};

class TurnOptionsRejects : public ::testing::TestWithParam<BadTurnArguments> {};

TEST_P(TurnOptionsRejects, WithAMessageNamingTheProblem) {
  const ParsedOptions result = parse_options(GetParam().arguments);
  const auto* failure = std::get_if<OptionsError>(&result);
  ASSERT_NE(failure, nullptr);
  EXPECT_NE(failure->message.find(GetParam().message_part), std::string::npos) << failure->message;
  // The secret never appears in what is printed.
  EXPECT_EQ(failure->message.find("fifteen-bytes!!"), std::string::npos) << failure->message;
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, TurnOptionsRejects,
    ::testing::Values(
        BadTurnArguments{{"--turn-secret"}, "--turn-secret needs a value"},
        BadTurnArguments{{"--turn-secret", "fifteen-bytes!!", "--turn-uris", "turn:h"},
                         "--turn-secret must be at least 16 bytes"},
        BadTurnArguments{{"--turn-secret="}, "at least 16 bytes"},
        BadTurnArguments{{"--turn-secret", "sixteen-byte-key"}, "needs --turn-uris"},
        BadTurnArguments{{"--turn-uris", "turn:h"}, "--turn-uris needs --turn-secret"},
        BadTurnArguments{{"--turn-secret", "sixteen-byte-key", "--turn-uris", "http://h"},
                         "--turn-uris expects stun:"},
        BadTurnArguments{{"--turn-secret", "sixteen-byte-key", "--turn-uris", ","},
                         "needs --turn-uris"},
        BadTurnArguments{{"--turn-uris", "turn:h,turn:h:1?transport=quic"}, "got 'turn:h:1?"},
        BadTurnArguments{{"--turn-uris",
                          "turn:1,turn:2,turn:3,turn:4,turn:5,turn:6,turn:7,turn:8,"
                          "turn:9,turn:10,turn:11,turn:12,turn:13,turn:14,turn:15,"
                          "turn:16,turn:17"},
                         "at most 16"},
        BadTurnArguments{{"--turn-ttl", "9"}, "--turn-ttl expects seconds from 10 to 604800"},
        BadTurnArguments{{"--turn-ttl", "604801"}, "--turn-ttl expects"},
        BadTurnArguments{{"--turn-ttl", "1h"}, "--turn-ttl expects"},
        BadTurnArguments{{"--turn-ttl", ""}, "--turn-ttl expects"},
        BadTurnArguments{{"--turn-ttl", "-60"}, "--turn-ttl expects"},
        BadTurnArguments{{"--turn-ttl", "99999999999999999999"}, "--turn-ttl expects"}));

TEST(TurnOptions, HelpListsTheFlags) {
  const std::string usage = usage_text();
  for (const char* flag : {"--turn-secret ", "--turn-secret-file", "--turn-uris", "--turn-ttl"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace rtcwire::server
