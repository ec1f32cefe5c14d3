#include "rtcwire/base/error.hpp"

#include <gtest/gtest.h>

namespace rtcwire::base {
namespace {

TEST(ErrorCodeTest, EveryCodeRoundTripsThroughItsName) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::server_busy); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const auto name = to_string(code);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(error_code_from_string(name), code) << name;
  }
}

TEST(ErrorCodeTest, UnknownNameIsNotACode) {
  EXPECT_EQ(error_code_from_string("no_such_code"), std::nullopt);
  EXPECT_EQ(error_code_from_string(""), std::nullopt);
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 7);
  Result<int> bad = local_error(ErrorCode::invalid_room, "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_room);
  EXPECT_EQ(bad.error().origin, ErrorOrigin::local);
}

TEST(ErrorTest, ARefusedTransitionBecomesAnInternalErrorThatSaysWhat) {
  const Error refusal =
      local_error(ErrorCode::invalid_state, "reconnect schedule cannot go from idle to waiting");
  const Error reported = internal_error(refusal);
  EXPECT_EQ(reported.code, ErrorCode::internal);
  EXPECT_EQ(reported.origin, ErrorOrigin::local);
  EXPECT_EQ(reported.message, "internal: reconnect schedule cannot go from idle to waiting");
  EXPECT_EQ(to_string(reported.code), "internal");
}

}  // namespace
}  // namespace rtcwire::base
