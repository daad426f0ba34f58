#include "engine/trade_bars.hpp"

#include <algorithm>
#include <stdexcept>

namespace mmh {

TradeBars::TradeBars(int64_t interval_ns, EmitFn emit)
    : interval_ns_(interval_ns), emit_(std::move(emit)) {
  if (interval_ns_ <= 0) throw std::invalid_argument("trade bars need a positive interval");
}

void TradeBars::close_until(int64_t ts_ns) {
  if (ts_ns < close_ns()) return;
  open_ = false;
  ++emitted_;
  emit_(bar_);
}

void TradeBars::add(const mmh_trade& t) {
  close_until(t.ts_ns);
  if (!open_) {
    int64_t open_ns = t.ts_ns - t.ts_ns % interval_ns_;
    if (t.ts_ns % interval_ns_ < 0) open_ns -= interval_ns_;
    bar_ = mmh_candle{open_ns,    interval_ns_, t.price_e8,  t.price_e8, t.price_e8,
                      t.price_e8, t.qty_e8,     t.symbol_id, 0};
    open_ = true;
    return;
  }
  bar_.high_e8 = std::max(bar_.high_e8, t.price_e8);
  bar_.low_e8 = std::min(bar_.low_e8, t.price_e8);
  bar_.close_e8 = t.price_e8;
  bar_.volume_e8 += t.qty_e8;
}

}  // namespace mmh
