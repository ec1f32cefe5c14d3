#include "released_capacity.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rtcwire::server {
namespace {

TEST(ReleasedCapacity, ABurstsBufferIsGivenBack) {
  std::vector<std::string> frames(1000, std::string(100, 'x'));
  clear_releasing_capacity(frames, 16);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(frames.capacity(), 0u);
}

TEST(ReleasedCapacity, ASmallBufferIsKeptForReuse) {
  std::vector<std::string> frames;
  frames.reserve(16);
  frames.resize(3);
  clear_releasing_capacity(frames, 16);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(frames.capacity(), 16u);
}

}  // namespace
}  // namespace rtcwire::server
