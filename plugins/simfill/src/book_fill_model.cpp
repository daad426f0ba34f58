#include "book_fill_model.hpp"

#include "tape_match.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mmh::sim {

BookModelConfig BookModelConfig::parse_queue(const std::string& text) {
  BookModelConfig c;
  if (text == "risk_averse") {
    c.queue = Queue::risk_averse;
  } else if (text == "log") {
    c.queue = Queue::log;
  } else if (text.rfind("power:", 0) == 0) {
    c.queue = Queue::power;
    size_t used = 0;
    try {
      c.power = std::stod(text.substr(6), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size() - 6 || !(c.power > 0) || c.power > 100)
      throw std::invalid_argument("queue model '" + text + "': N of power:N must be in (0, 100]");
  } else {
    throw std::invalid_argument("queue model '" + text +
                                "' is not one of: risk_averse, power:N, log");
  }
  return c;
}

std::string BookModelConfig::queue_name() const {
  switch (queue) {
    case Queue::risk_averse:
      return "risk_averse";
    case Queue::log:
      return "log";
    case Queue::power: {
      std::ostringstream out;
      out << "power:" << power;
      return out.str();
    }
  }
  return "?";
}

void apply_level_change(const BookModelConfig& config, SimOrder& order, int64_t prev_e8,
                        int64_t new_e8) {
  const double traded = static_cast<double>(order.queue_traded_e8);
  order.queue_traded_e8 = 0;  // the new size already reflects those trades
  const double front = static_cast<double>(order.queue_ahead_e8);
  // The level as it stood after those trades; what it lost since then was cancelled.
  const double before = std::max(0.0, static_cast<double>(prev_e8) - traded);
  const double chg = before - static_cast<double>(new_e8);
  if (config.queue == BookModelConfig::Queue::risk_averse || chg <= 0) {
    // Growth joins behind us; under risk_averse a shrink only caps the queue at the level size.
    order.queue_ahead_e8 = std::min(order.queue_ahead_e8, new_e8);
    return;
  }
  const double back = std::max(0.0, before - front);
  // In base units: log(1 + x) is not scale-free, and hftbacktest's functions take base units.
  auto f = [&](double x_e8) {
    const double x = x_e8 / static_cast<double>(MMH_E8);
    return config.queue == BookModelConfig::Queue::log ? std::log1p(x) : std::pow(x, config.power);
  };
  const double fb = f(back);
  const double ff = f(front);
  const double p = fb + ff > 0 ? fb / (fb + ff) : 1.0;  // nothing on either side: all behind
  const double est = front - (1.0 - p) * chg + std::min(back - p * chg, 0.0);
  order.queue_ahead_e8 =
      std::clamp(static_cast<int64_t>(std::llround(est)), int64_t{0}, std::max<int64_t>(0, new_e8));
}

class BookFillModel::Market final : public MarketAccess {
 public:
  Market(const L2Book& book, const SimInstrument& inst) : book_(book), inst_(inst) {}

  TopOfBook top() const override {
    TopOfBook t;
    if (!book_.has_bid() || !book_.has_ask()) return t;  // no book yet: nothing crosses
    t.bid_e8 = book_.best_bid_e8();
    t.ask_e8 = book_.best_ask_e8();
    t.bid_qty_e8 = book_.best_bid_qty_e8();
    t.ask_qty_e8 = book_.best_ask_qty_e8();
    return t;
  }

  void take(SimVenue& venue, SimOrder& order, int64_t ts_ns, int64_t limit_ticks,
            int64_t max_lots) override {
    const bool buy = order.is_buy();
    const int64_t limit_e8 = limit_ticks > 0 ? inst_.price_e8(limit_ticks) : 0;
    int64_t left = max_lots;
    bool stopped = false;
    book_.walk(buy, inst_.qty_e8(max_lots), limit_e8, [&](int64_t price_e8, int64_t qty_e8) {
      if (stopped || left <= 0) return;
      // A level off our tick grid is filled at the next tick against us.
      const int64_t ticks = buy ? inst_.ticks_up(price_e8) : inst_.ticks_down(price_e8);
      const int64_t lots = std::min(left, inst_.lots_down(qty_e8));
      if (lots <= 0) return;
      if (!venue.fill(order, ts_ns, ticks, lots, false)) {
        stopped = true;  // the balance ran out (market orders)
        return;
      }
      left -= lots;
    });
  }

  int64_t available_e8(bool buy, int64_t limit_ticks) const override {
    return book_.walk(buy, INT64_MAX, inst_.price_e8(limit_ticks), nullptr);
  }

  int64_t queue_ahead_e8(bool buy, int64_t price_ticks) const override {
    return book_.qty_e8(buy, inst_.price_e8(price_ticks));
  }

 private:
  const L2Book& book_;
  const SimInstrument& inst_;
};

BookFillModel::BookFillModel(BookModelConfig config) : config_(config) {}

void BookFillModel::advance(SimVenue& venue, int64_t ts_ns) {
  Market market(book_, venue.instrument());
  venue.apply_due(ts_ns, market);
}

void BookFillModel::set_level(bool bid, const mmh_book_level& level, int64_t tick_e8) {
  if (resting_.empty()) {  // the common case: no order of ours to move, one map operation
    book_.set(bid, level.price_e8, level.qty_e8);
    return;
  }
  const int64_t prev = book_.qty_e8(bid, level.price_e8);
  book_.set(bid, level.price_e8, level.qty_e8);
  if (prev == level.qty_e8) return;
  for (SimOrder* o : resting_)
    if (o->is_buy() == bid && o->price_ticks * tick_e8 == level.price_e8)
      apply_level_change(config_, *o, prev, level.qty_e8);
}

void BookFillModel::on_book(SimVenue& venue, const mmh_book_update& u, bool snapshot) {
  advance(venue, u.ts_ns);
  const SimInstrument& inst = venue.instrument();
  resting_.clear();
  if (venue.open_orders() > 0) venue.resting(resting_);
  // A snapshot replaces the book: levels it leaves out are gone, so each order's level is
  // compared before and after as a whole rather than level by level.
  std::vector<SimOrder*> orders;
  std::vector<int64_t> prev;
  if (snapshot) {
    for (SimOrder* o : resting_)
      prev.push_back(book_.qty_e8(o->is_buy(), inst.price_e8(o->price_ticks)));
    orders.swap(resting_);
    book_.clear();
  }
  for (uint32_t i = 0; i < u.bid_count; ++i) set_level(true, u.bids[i], inst.tick_e8);
  for (uint32_t i = 0; i < u.ask_count; ++i) set_level(false, u.asks[i], inst.tick_e8);
  if (snapshot) {
    for (size_t i = 0; i < orders.size(); ++i) {
      const int64_t now = book_.qty_e8(orders[i]->is_buy(), inst.price_e8(orders[i]->price_ticks));
      if (now != prev[i]) apply_level_change(config_, *orders[i], prev[i], now);
    }
    resting_.swap(orders);
  }
  if (!resting_.empty()) cross_fills(venue, u.ts_ns);
}

// A book that crosses our resting order: the order was there first, so it trades with the
// crossing size at its own price (as maker).
void BookFillModel::cross_fills(SimVenue& venue, int64_t ts_ns) {
  const SimInstrument& inst = venue.instrument();
  std::stable_sort(resting_.begin(), resting_.end(), [](const SimOrder* a, const SimOrder* b) {
    if (a->is_buy() != b->is_buy()) return a->is_buy();
    return a->is_buy() ? a->price_ticks > b->price_ticks : a->price_ticks < b->price_ticks;
  });
  int64_t used_e8[2] = {0, 0};  // crossing size already given to our buys / sells
  for (SimOrder* o : resting_) {
    if (o->leaves_lots() <= 0) continue;
    const bool buy = o->is_buy();
    const int64_t price = inst.price_e8(o->price_ticks);
    if (buy ? !book_.has_ask() || book_.best_ask_e8() > price
            : !book_.has_bid() || book_.best_bid_e8() < price)
      continue;
    // A buy meets the asks at or below its price (a taker buy of ours would walk the same way).
    const int64_t crossing = book_.walk(buy, INT64_MAX, price, nullptr);
    int64_t& used = used_e8[buy ? 0 : 1];
    const int64_t lots = std::min(o->leaves_lots(), inst.lots_down(crossing - used));
    if (lots > 0 && venue.fill(*o, ts_ns, o->price_ticks, lots, true)) used += inst.qty_e8(lots);
  }
}

void BookFillModel::on_trade(SimVenue& venue, const mmh_trade& trade) {
  advance(venue, trade.ts_ns);
  match_trade(venue, trade, resting_);
}

std::string BookFillModel::describe() const {
  return "book: L2 snapshot + deltas replayed; takers walk the book; queue ahead = displayed size "
         "at the price, moved by trades at it and by cancels under the " +
         config_.queue_name() +
         " queue model (risk_averse: cancels never ahead; power:N/log: hftbacktest's "
         "ProbQueueModel, expected value); a crossing book fills resting orders at their price";
}

const char* BookFillModel::biases() {
  return "no market impact (our fills take nothing out of the replayed book); queue position is "
         "an estimate; hidden and iceberg liquidity ignored; book and trades aligned on exchange "
         "time to the millisecond";
}

}  // namespace mmh::sim
