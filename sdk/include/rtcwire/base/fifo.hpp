#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace rtcwire::base {

// A first-in first-out queue for a core's outputs: a vector and a read position, reset when the
// queue runs empty. It replaces std::deque, each instantiation of which costs kilobytes of Wasm.
// Popped items are kept until the queue runs empty or `compact()`: a reader that may leave items
// behind compacts after each turn.
template <typename T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  auto begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return items_.end(); }

  void push_back(T item) { items_.push_back(std::move(item)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  void pop_front() {
    if (++head_ == items_.size()) clear();
  }
  void compact() {
    items_.erase(items_.begin(), begin());
    head_ = 0;
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace rtcwire::base
