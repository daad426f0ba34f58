#include "trade_fill_model.hpp"

#include "tape_match.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mmh::sim {

void TradeModelConfig::validate() const {
  if (!(queue_trades >= 0) || queue_trades > 1e6)
    throw std::invalid_argument("trades.queue_trades must be in [0, 1e6]");
  if (spread_ticks < 1 || spread_ticks > 100000)
    throw std::invalid_argument("spread_ticks must be in [1, 100000]");
  if (!(slippage_bps >= 0) || slippage_bps > 10000)
    throw std::invalid_argument("slippage bps must be in [0, 10000]");
}

class TradeFillModel::Market final : public MarketAccess {
 public:
  Market(const TradeFillModel& model, const SimInstrument& inst) : model_(model), inst_(inst) {}

  TopOfBook top() const override {
    if (model_.ticker_.bid_e8 > 0 && model_.ticker_.ask_e8 > 0) return model_.ticker_;
    TopOfBook t;
    if (model_.last_price_e8_ <= 0) return t;  // nothing traded yet: nothing crosses
    t.bid_e8 = inst_.price_e8(inst_.ticks_down(model_.last_price_e8_));
    t.ask_e8 = t.bid_e8 + model_.config_.spread_ticks * inst_.tick_e8;
    return t;
  }

  void take(SimVenue& venue, SimOrder& order, int64_t ts_ns, int64_t limit_ticks,
            int64_t max_lots) override {
    const TopOfBook t = top();
    if (t.bid_e8 <= 0) return;  // no price yet: the order gets nothing
    int64_t ticks = 0;
    if (limit_ticks > 0) {
      ticks = order.is_buy() ? std::min(limit_ticks, inst_.ticks_up(t.ask_e8))
                             : std::max(limit_ticks, inst_.ticks_down(t.bid_e8));
    } else {
      const double ref = static_cast<double>(order.is_buy() ? t.ask_e8 : t.bid_e8);
      const auto slip = static_cast<int64_t>(std::llround(ref * model_.config_.slippage_bps / 1e4));
      ticks = order.is_buy() ? inst_.ticks_up(t.ask_e8 + slip)
                             : std::max<int64_t>(1, inst_.ticks_down(t.bid_e8 - slip));
    }
    venue.fill(order, ts_ns, ticks, max_lots, false);
  }

  int64_t available_e8(bool, int64_t) const override { return INT64_MAX; }

  int64_t queue_ahead_e8(bool buy, int64_t price_ticks) const override {
    const int64_t price = inst_.price_e8(price_ticks);
    const TopOfBook& t = model_.ticker_;
    const int64_t best = buy ? t.bid_e8 : t.ask_e8;
    if (best > 0) {
      if (price == best)
        return buy ? std::max<int64_t>(0, t.bid_qty_e8) : std::max<int64_t>(0, t.ask_qty_e8);
      if (buy ? price > best : price < best) return 0;  // a new best price: first in line
    }
    if (model_.trade_count_ == 0) return 0;
    return static_cast<int64_t>(model_.config_.queue_trades * model_.trade_qty_sum_e8_ /
                                static_cast<double>(model_.trade_count_));
  }

 private:
  const TradeFillModel& model_;
  const SimInstrument& inst_;
};

TradeFillModel::TradeFillModel(TradeModelConfig config) : config_(config) {
  config_.validate();
}

void TradeFillModel::advance(SimVenue& venue, int64_t ts_ns) {
  Market market(*this, venue.instrument());
  venue.apply_due(ts_ns, market);
}

void TradeFillModel::on_ticker(SimVenue& venue, const mmh_ticker& t) {
  advance(venue, t.ts_ns);
  ticker_.bid_e8 = t.bid_price_e8;
  ticker_.ask_e8 = t.ask_price_e8;
  ticker_.bid_qty_e8 = t.bid_qty_e8;
  ticker_.ask_qty_e8 = t.ask_qty_e8;
}

void TradeFillModel::on_trade(SimVenue& venue, const mmh_trade& trade) {
  advance(venue, trade.ts_ns);
  match_trade(venue, trade, resting_);
  last_price_e8_ = trade.price_e8;
  trade_qty_sum_e8_ += static_cast<double>(trade.qty_e8);
  ++trade_count_;
}

std::string TradeFillModel::describe() const {
  std::ostringstream out;
  out << "trades: queue ahead = displayed size at the price when known, else "
      << config_.queue_trades
      << " x mean trade size; only trades at the price move the queue (risk-averse); spread "
      << config_.spread_ticks << " tick(s) without a ticker; market slippage "
      << config_.slippage_bps << " bps";
  return out.str();
}

const char* TradeFillModel::biases() {
  return "no market impact (the tape is fixed); cancels ahead of us are not seen, so the queue "
         "moves only with trades; hidden liquidity ignored; taker size does not walk the price";
}

}  // namespace mmh::sim
