// A first-in first-out queue in one growing array. std::deque allocates a 512-byte block for
// every few elements of the simulated venue's command queue (~120-byte commands: a malloc and a
// free per four commands, ~38,000 per 90-day backtest); this reuses its storage. The taken
// prefix is dropped when it is half the array, so a queue that never empties stays bounded.
#pragma once

#include <cassert>
#include <cstddef>
#include <vector>

namespace mmh::sim {

template <typename T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  const T& front() const {
    assert(!empty());
    return items_[head_];
  }
  const T& back() const {
    assert(!empty());
    return items_.back();
  }
  void push_back(const T& item) { items_.push_back(item); }
  void pop_front() {
    assert(!empty());
    if (++head_ == items_.size()) {
      items_.clear();  // keeps the capacity
      head_ = 0;
    } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

 private:
  std::vector<T> items_;
  size_t head_ = 0;  // items_[0, head_) are taken
};

}  // namespace mmh::sim
