#include "rtcwire/base/fifo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>

namespace rtcwire::base {
namespace {

TEST(FifoTest, GivesItemsBackInTheOrderTheyCame) {
  Fifo<std::string> fifo;
  EXPECT_TRUE(fifo.empty());
  fifo.push_back("a");
  fifo.emplace_back("b");
  ASSERT_EQ(fifo.size(), 2u);
  EXPECT_EQ(fifo.front(), "a");
  fifo.pop_front();
  EXPECT_EQ(fifo.front(), "b");
  fifo.pop_front();
  EXPECT_TRUE(fifo.empty());
}

// Interleaved pushes, pops and compactions; a deque is the reference.
TEST(FifoTest, StaysInOrderAcrossCompactionsAndIteratesWhatIsLeft) {
  Fifo<int> fifo;
  std::deque<int> reference;
  int next = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 3 + round % 7; ++i) {
      fifo.push_back(next);
      reference.push_back(next++);
    }
    for (int i = 0; i < 2 + round % 5 && !reference.empty(); ++i) {
      ASSERT_EQ(fifo.front(), reference.front());
      fifo.pop_front();
      reference.pop_front();
    }
    if (round % 3 == 0) fifo.compact();
    ASSERT_EQ(fifo.size(), reference.size());
    ASSERT_TRUE(std::equal(fifo.begin(), fifo.end(), reference.begin(), reference.end()));
  }
}

TEST(FifoTest, ClearEmptiesAndTheQueueWorksAfterwards) {
  Fifo<int> fifo;
  for (int i = 0; i < 100; ++i) fifo.push_back(i);
  fifo.pop_front();
  fifo.clear();
  EXPECT_TRUE(fifo.empty());
  EXPECT_EQ(fifo.size(), 0u);
  fifo.push_back(7);
  EXPECT_EQ(fifo.front(), 7);
}

}  // namespace
}  // namespace rtcwire::base
