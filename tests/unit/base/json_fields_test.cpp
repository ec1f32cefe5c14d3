#include "rtcwire/base/json_fields.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace rtcwire::base {
namespace {

using Json = nlohmann::json;

TEST(JsonFieldsTest, FindsFieldsOfObjectsOnly) {
  const Json object = Json::parse(R"({"a": null, "b": 2})");
  ASSERT_NE(find_field(object, "a"), nullptr);
  EXPECT_TRUE(find_field(object, "a")->is_null());
  EXPECT_EQ(*find_field(object, "b"), 2);
  EXPECT_EQ(find_field(object, "c"), nullptr);
  EXPECT_EQ(find_field(Json::parse(R"([{"a": 1}])"), "a"), nullptr);
  EXPECT_EQ(find_field(Json("a"), "a"), nullptr);
}

TEST(JsonFieldsTest, WholeNumbersAreNonNegativeIntegersUpToTheMax) {
  EXPECT_EQ(whole_number(Json::parse("0"), 10), 0u);
  EXPECT_EQ(whole_number(Json::parse("10"), 10), 10u);
  EXPECT_EQ(whole_number(Json::parse("11"), 10), std::nullopt);
  EXPECT_EQ(whole_number(Json::parse("-1"), 10), std::nullopt);
  EXPECT_EQ(whole_number(Json::parse("1.0"), 10), std::nullopt);
  EXPECT_EQ(whole_number(Json::parse("\"1\""), 10), std::nullopt);
  EXPECT_EQ(whole_number(Json::parse("true"), 10), std::nullopt);
  EXPECT_EQ(whole_number(Json::parse("18446744073709551615"), UINT64_MAX), UINT64_MAX);
}

TEST(JsonFieldsTest, ShortStringsAreStringsUpToTheMaxBytes) {
  ASSERT_NE(short_string(Json("abc"), 3), nullptr);
  EXPECT_EQ(*short_string(Json("abc"), 3), "abc");
  EXPECT_EQ(short_string(Json("abcd"), 3), nullptr);
  EXPECT_EQ(short_string(Json(3), 3), nullptr);
  EXPECT_EQ(short_string(Json(nullptr), 3), nullptr);
}

TEST(JsonFieldsTest, FieldReadersTreatAbsentAsInvalid) {
  const Json object = Json::parse(R"({"n": 5, "s": "hi", "x": "5"})");
  EXPECT_EQ(whole_number_field(object, "n", 5), 5u);
  EXPECT_EQ(whole_number_field(object, "n", 4), std::nullopt);
  EXPECT_EQ(whole_number_field(object, "x", 5), std::nullopt);
  EXPECT_EQ(whole_number_field(object, "missing", 5), std::nullopt);
  ASSERT_NE(string_field(object, "s"), nullptr);
  EXPECT_EQ(*string_field(object, "s"), "hi");
  EXPECT_EQ(string_field(object, "s", 1), nullptr);
  EXPECT_EQ(string_field(object, "n"), nullptr);
  EXPECT_EQ(string_field(object, "missing"), nullptr);
}

}  // namespace
}  // namespace rtcwire::base
