#include "rtcwire/base/json_limits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtcwire::base {
namespace {

TEST(JsonNestingDepthTest, CountsArraysAndObjects) {
  EXPECT_EQ(json_nesting_depth("1", 10), 0);
  EXPECT_EQ(json_nesting_depth("{}", 10), 1);
  EXPECT_EQ(json_nesting_depth(R"({"a":[{"b":[]}]})", 10), 4);
}

TEST(JsonNestingDepthTest, IgnoresBracketsInsideStrings) {
  EXPECT_EQ(json_nesting_depth(R"(["[[[[", "\"[[["])", 2), 1);
}

TEST(JsonNestingDepthTest, StopsOnceOverTheLimit) {
  const std::string deep(100000, '[');
  EXPECT_EQ(json_nesting_depth(deep, 32), -1);
  EXPECT_EQ(json_nesting_depth(std::string(32, '[') + std::string(32, ']'), 32), 32);
  EXPECT_EQ(json_nesting_depth(std::string(33, '['), 32), -1);
}

}  // namespace
}  // namespace rtcwire::base
