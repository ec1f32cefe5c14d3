#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtcwire/peer/file_transfer_control.hpp"

namespace rtcwire::peer {

using base::ErrorCode;

namespace {

const std::string kSha(64, 'a');

TEST(FileControlTest, EveryMessageEncodesAndDecodesToItself) {
  const std::vector<FileControl> messages = {
      file_control::Offer{1, "photo \"é\".jpg", max_file_size, "image/jpeg"},
      file_control::Offer{2, "empty", 0, ""},
      file_control::Done{3, kSha},
      file_control::CancelSend{4, ErrorCode::transfer_cancelled},
      file_control::Accept{5},
      file_control::Ack{6, 262144},
      file_control::Resume{7, 0},
      file_control::Confirm{8},
      file_control::CancelReceive{UINT32_MAX, ErrorCode::hash_mismatch},
  };
  for (const auto& message : messages) {
    const std::string text = encode_file_control(message);
    SCOPED_TRACE(text);
    auto decoded = decode_file_control(text);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_TRUE(decoded.value() == message);
  }
}

TEST(FileControlTest, TheWireShapeIsTheDocumentedOne) {
  EXPECT_EQ(encode_file_control(file_control::Offer{1, "a.txt", 5, "text/plain"}),
            R"({"t":"offer","transfer":1,"name":"a.txt","size":5,"mime":"text/plain"})");
  EXPECT_EQ(encode_file_control(file_control::Resume{2, 65524}),
            R"({"t":"resume","transfer":2,"offset":65524})");
  EXPECT_EQ(encode_file_control(file_control::CancelReceive{3, ErrorCode::transfer_rejected}),
            R"({"t":"cancel-receive","transfer":3,"code":"transfer_rejected"})");
}

TEST(FileControlTest, UnknownFieldsAreIgnored) {
  auto decoded = decode_file_control(R"({"t":"ack","transfer":1,"offset":2,"later":"x"})");
  ASSERT_TRUE(decoded.ok());
  const FileControl expected = file_control::Ack{1, 2};
  EXPECT_TRUE(decoded.value() == expected);
}

struct Hostile {
  std::string text;
  ErrorCode code;
};

TEST(FileControlTest, HostileInputIsRefusedWithACode) {
  const std::vector<Hostile> cases = {
      {"", ErrorCode::malformed_json},
      {"{", ErrorCode::malformed_json},
      {"[1]", ErrorCode::malformed_json},
      {"\"offer\"", ErrorCode::malformed_json},
      {R"({"t":"ack","transfer":1,"offset":{"x":1}})", ErrorCode::malformed_json},
      {std::string(100000, '['), ErrorCode::message_too_large},
      {R"({"t":"ack","transfer":1,"offset":1,"pad":")" + std::string(5000, 'x') + "\"}",
       ErrorCode::message_too_large},
      {R"({"transfer":1})", ErrorCode::invalid_transfer},
      {R"({"t":7,"transfer":1})", ErrorCode::invalid_transfer},
      {R"({"t":"launch","transfer":1})", ErrorCode::unknown_type},
      {R"({"t":"accept"})", ErrorCode::invalid_transfer},
      {R"({"t":"accept","transfer":0})", ErrorCode::invalid_transfer},
      {R"({"t":"accept","transfer":-1})", ErrorCode::invalid_transfer},
      {R"({"t":"accept","transfer":1.5})", ErrorCode::invalid_transfer},
      {R"({"t":"accept","transfer":"1"})", ErrorCode::invalid_transfer},
      {R"({"t":"accept","transfer":4294967296})", ErrorCode::invalid_transfer},
      {R"({"t":"ack","transfer":1})", ErrorCode::invalid_transfer},
      {R"({"t":"ack","transfer":1,"offset":9007199254740992})", ErrorCode::invalid_transfer},
      {R"({"t":"resume","transfer":1,"offset":1e3})", ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"","size":1,"mime":""})", ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"a\u0000b","size":1,"mime":""})",
       ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"evil\u202Etxt.exe","size":1,"mime":""})",
       ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"line\nbreak","size":1,"mime":""})",
       ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":")" + std::string(256, 'n') + R"(","size":1,"mime":""})",
       ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"a","size":9007199254740992,"mime":""})",
       ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"a","size":1,"mime":"t\u00e9xt"})",
       ErrorCode::invalid_transfer},
      {R"({"t":"offer","transfer":1,"name":"a","size":1})", ErrorCode::invalid_transfer},
      {R"({"t":"done","transfer":1,"sha256":")" + std::string(64, 'A') + "\"}",
       ErrorCode::invalid_transfer},
      {R"({"t":"done","transfer":1,"sha256":")" + std::string(63, 'a') + "\"}",
       ErrorCode::invalid_transfer},
      {R"({"t":"cancel-send","transfer":1,"code":"internal"})", ErrorCode::invalid_transfer},
      {R"({"t":"cancel-receive","transfer":1,"code":"nope"})", ErrorCode::invalid_transfer},
      {R"({"t":"cancel-receive","transfer":1})", ErrorCode::invalid_transfer},
  };
  for (const auto& [text, code] : cases) {
    SCOPED_TRACE(text.substr(0, 80));
    auto decoded = decode_file_control(text);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, code);
    EXPECT_EQ(decoded.error().origin, base::ErrorOrigin::remote);
  }
}

TEST(FileControlTest, DigestsAreLowercaseHexOfSixtyFourDigits) {
  EXPECT_TRUE(is_sha256_hex(kSha));
  EXPECT_TRUE(is_sha256_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
  EXPECT_FALSE(is_sha256_hex(std::string(65, 'a')));
  EXPECT_FALSE(is_sha256_hex(""));
}

}  // namespace
}  // namespace rtcwire::peer
