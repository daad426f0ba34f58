// Swing structure on closed bars: pivots with left/right bar counts, known only `right_bars`
// after the pivot bar (no look-ahead), an optional minimum swing size in ATR, HH/HL/LH/LL labels
// and a trend state. docs/strategy-model.md defines each term with a worked example.
#pragma once

#include <mmhost/plugin.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mmh::bos {

struct StructureParams {
  int left_bars =
      5;  // bars before the pivot that must be strictly lower (highs) / higher (lows); [1, 50]
  int right_bars = 5;  // bars after it that must not exceed it; the confirmation delay; [1, 50]
  double min_swing_atr = 1.0;  // minimum distance from the last opposite pivot, in ATR; [0, 20]

  // Throws std::invalid_argument naming the field.
  void validate() const;
};

enum class PivotKind { high = 1, low = 2 };
enum class SwingLabel { none = 0, higher_high, lower_high, higher_low, lower_low };
enum class Trend { range = 0, up, down };

const char* to_string(SwingLabel label);
const char* to_string(Trend trend);

struct Pivot {
  PivotKind kind = PivotKind::high;
  int64_t bar_index = 0;        // index of the pivot bar in the input sequence
  int64_t bar_open_ts_ns = 0;   // its open time
  int64_t price_e8 = 0;         // its high (swing high) or low (swing low)
  int64_t confirmed_index = 0;  // the bar whose close confirmed it (= bar_index + right_bars)
  int64_t confirmed_ts_ns = 0;  // that bar's close time: the earliest time anyone could know it
  SwingLabel label = SwingLabel::none;
};

// The pivots one bar confirms: at most a high and a low (an outside bar). Fixed capacity, so the
// per-bar path never allocates.
struct ConfirmedPivots {
  std::array<Pivot, 2> items{};
  size_t count = 0;
  const Pivot* begin() const { return items.data(); }
  const Pivot* end() const { return items.data() + count; }
  size_t size() const { return count; }
  bool empty() const { return count == 0; }
};

class StructureTracker {
 public:
  explicit StructureTracker(const StructureParams& params);

  // Feeds the next closed bar with the ATR known at its close (0 when not ready yet). Returns the
  // pivots this bar confirms (at most one high and one low), oldest pivot first.
  ConfirmedPivots on_bar(const mmh_candle& bar, double atr_e8) {
    ConfirmedPivots found;
    on_bar(bar, atr_e8, found);
    return found;
  }
  // The same, writing into a caller's reusable buffer (the per-bar path of the core).
  void on_bar(const mmh_candle& bar, double atr_e8, ConfirmedPivots& found);

  const std::optional<Pivot>& last_high() const { return last_high_; }
  const std::optional<Pivot>& last_low() const { return last_low_; }
  Trend trend() const { return trend_; }
  int64_t bars_seen() const { return next_index_; }

 private:
  struct Bar {
    int64_t index;
    int64_t open_ts_ns;
    int64_t high_e8;
    int64_t low_e8;
  };
  bool accept(PivotKind kind, int64_t price_e8, double atr_e8) const;
  void record(Pivot& pivot);

  StructureParams params_;
  // Ring buffer of the last left + right + 1 bars; the next bar goes to next_slot_, which (once
  // the ring is full) is also the oldest bar's slot.
  std::vector<Bar> window_;
  size_t next_slot_ = 0;

  // A monotonic queue (non-increasing values, front = the earliest maximum) on a fixed ring.
  class MaxQueue {
   public:
    explicit MaxQueue(size_t capacity) : items_(capacity) {}
    void expire(int64_t oldest_index) {
      if (size_ > 0 && items_[head_].index < oldest_index) {
        head_ = head_ + 1 == items_.size() ? 0 : head_ + 1;
        --size_;
      }
    }
    void push(int64_t index, int64_t value) {
      while (size_ > 0 && items_[slot(size_ - 1)].value < value) --size_;
      items_[slot(size_)] = Item{index, value};
      ++size_;
    }
    int64_t front() const { return size_ > 0 ? items_[head_].index : -1; }

   private:
    struct Item {
      int64_t index;
      int64_t value;
    };
    size_t slot(size_t offset) const {
      const size_t s = head_ + offset;
      return s < items_.size() ? s : s - items_.size();
    }
    std::vector<Item> items_;
    size_t head_ = 0;
    size_t size_ = 0;
  };
  MaxQueue highs_;
  MaxQueue lows_;  // on negated lows
  int64_t next_index_ = 0;
  std::optional<Pivot> last_high_;
  std::optional<Pivot> last_low_;
  Trend trend_ = Trend::range;
};

}  // namespace mmh::bos
