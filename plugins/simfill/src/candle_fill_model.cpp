#include "candle_fill_model.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mmh::sim {
namespace {

// The point at time ts on the straight line from a to b.
PathPoint at_time(PathPoint a, PathPoint b, int64_t ts) {
  if (b.ts_ns == a.ts_ns) return b;
  if (ts == a.ts_ns) return a;  // commands due at a point of the path: no 128-bit division
  const i128 num = static_cast<i128>(b.price_e8 - a.price_e8) * (ts - a.ts_ns);
  return {ts, a.price_e8 + static_cast<int64_t>(num / (b.ts_ns - a.ts_ns))};
}

// The first time the line from a to b reaches `level` (a is not yet there, b is).
int64_t time_at_price(PathPoint a, PathPoint b, int64_t level) {
  if (a.price_e8 == b.price_e8) return a.ts_ns;
  const i128 num = static_cast<i128>(b.ts_ns - a.ts_ns) * (a.price_e8 - level);
  return a.ts_ns + static_cast<int64_t>(num / (a.price_e8 - b.price_e8));
}

}  // namespace

void CandleModelConfig::parse_slippage(const std::string& text, CandleModelConfig& out) {
  const size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  double value = -1;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      value = std::stod(text.substr(colon + 1), &used);
      if (used != text.size() - colon - 1) value = -1;
    } catch (const std::exception&) {
      value = -1;
    }
  }
  if ((kind != "bps" && kind != "atr") || !(value >= 0) || !std::isfinite(value))
    throw std::invalid_argument("slippage '" + text +
                                "': expected bps:N (basis points) or atr:X (a share of the ATR)");
  out.slippage = kind == "bps" ? Slippage::bps : Slippage::atr;
  out.slippage_value = value;
}

void CandleModelConfig::validate() const {
  if (through_ticks < 0 || through_ticks > 1000)
    throw std::invalid_argument("candle.through_ticks must be in [0, 1000]");
  if (!(participation > 0 && participation <= 1))
    throw std::invalid_argument("candle.participation must be in (0, 1]");
  if (spread_ticks < 1 || spread_ticks > 100000)
    throw std::invalid_argument("spread_ticks must be in [1, 100000]");
  if (atr_period < 1 || atr_period > 1000)
    throw std::invalid_argument("atr_period must be in [1, 1000]");
}

std::array<PathPoint, 4> candle_path(const mmh_candle& c) {
  const bool up = c.close_e8 >= c.open_e8;
  const int64_t third = c.interval_ns / 3;
  return {PathPoint{c.open_ts_ns, c.open_e8},
          PathPoint{c.open_ts_ns + third, up ? c.low_e8 : c.high_e8},
          PathPoint{c.open_ts_ns + 2 * third, up ? c.high_e8 : c.low_e8},
          PathPoint{c.open_ts_ns + c.interval_ns, c.close_e8}};
}

// The market as the venue sees it at one point of the path.
class CandleFillModel::Market final : public MarketAccess {
 public:
  Market(const CandleFillModel& model, const SimInstrument& inst) : model_(model), inst_(inst) {}
  int64_t price_e8 = 0;
  int64_t range_e8 = 0;  // of the current candle: the ATR stand-in before any ATR exists

  TopOfBook top() const override {
    TopOfBook t;
    t.bid_e8 = inst_.price_e8(inst_.ticks_down(price_e8));
    t.ask_e8 = t.bid_e8 + model_.config_.spread_ticks * inst_.tick_e8;
    return t;
  }

  void take(SimVenue& venue, SimOrder& order, int64_t ts_ns, int64_t limit_ticks,
            int64_t max_lots) override {
    const TopOfBook t = top();
    int64_t ticks = 0;
    if (limit_ticks > 0) {
      ticks = order.is_buy() ? std::min(limit_ticks, inst_.ticks_up(t.ask_e8))
                             : std::max(limit_ticks, inst_.ticks_down(t.bid_e8));
    } else {
      const int64_t slip = slippage_e8();
      ticks = order.is_buy() ? inst_.ticks_up(t.ask_e8 + slip)
                             : std::max<int64_t>(1, inst_.ticks_down(t.bid_e8 - slip));
    }
    venue.fill(order, ts_ns, ticks, max_lots, false);
  }

  int64_t available_e8(bool, int64_t) const override { return INT64_MAX; }
  int64_t queue_ahead_e8(bool, int64_t) const override { return 0; }

 private:
  int64_t slippage_e8() const {
    const CandleModelConfig& c = model_.config_;
    if (c.slippage == CandleModelConfig::Slippage::bps)
      return static_cast<int64_t>(
          std::llround(static_cast<double>(price_e8) * c.slippage_value / 1e4));
    const double atr = model_.atr_count_ > 0 ? model_.atr_e8_ : static_cast<double>(range_e8);
    return static_cast<int64_t>(std::llround(atr * c.slippage_value));
  }

  const CandleFillModel& model_;
  const SimInstrument& inst_;
};

CandleFillModel::CandleFillModel(CandleModelConfig config) : config_(config) {
  config_.validate();
}

bool CandleFillModel::quiet(SimVenue& venue, const std::array<PathPoint, 4>& path) {
  if (venue.next_due_ns() < path[3].ts_ns) return false;
  if (venue.open_orders() == 0) return true;
  int64_t lo = path[0].price_e8, hi = path[0].price_e8;
  for (const PathPoint& p : path) {
    lo = std::min(lo, p.price_e8);
    hi = std::max(hi, p.price_e8);
  }
  const SimInstrument& inst = venue.instrument();
  const std::vector<SimOrder*>& resting = venue.resting();
  // sweep()'s test, over the whole path at once.
  return std::none_of(resting.begin(), resting.end(), [&](const SimOrder* o) {
    return reaches(*o, fill_level_e8(*o, inst), lo, hi);
  });
}

int64_t CandleFillModel::fill_level_e8(const SimOrder& order, const SimInstrument& inst) const {
  const int64_t through = config_.through_ticks * inst.tick_e8;
  const int64_t price = inst.price_e8(order.price_ticks);
  return order.is_buy() ? price - through : price + through;
}

bool CandleFillModel::reaches(const SimOrder& order, int64_t level_e8, int64_t lo_e8,
                              int64_t hi_e8) {
  return order.is_buy() ? lo_e8 <= level_e8 : hi_e8 >= level_e8;
}

void CandleFillModel::on_candle(SimVenue& venue, const mmh_candle& candle) {
  const std::array<PathPoint, 4> path = candle_path(candle);
  if (quiet(venue, path)) {
    update_atr(candle);
    return;
  }
  cap_left_e8_ =
      static_cast<int64_t>(static_cast<double>(candle.volume_e8) * config_.participation);
  swept_ = false;
  Market market(*this, venue.instrument());
  market.range_e8 = candle.high_e8 - candle.low_e8;
  // Commands that arrived while no data came (before this candle opened) act at its open.
  market.price_e8 = path[0].price_e8;
  while (venue.next_due_ns() < path[0].ts_ns) venue.apply_next(market);

  PathPoint cur = path[0];
  for (size_t k = 1; k < path.size(); ++k) {
    const PathPoint end = path[k];
    while (venue.next_due_ns() < end.ts_ns) {
      const PathPoint due = at_time(cur, end, std::max(venue.next_due_ns(), cur.ts_ns));
      sweep(venue, cur, due);
      cur = due;
      market.price_e8 = due.price_e8;
      venue.apply_next(market);
    }
    sweep(venue, cur, end);
    cur = end;
  }
  update_atr(candle);
}

void CandleFillModel::update_atr(const mmh_candle& candle) {
  // Wilder's ATR of the candles so far (used by the next candle's slippage).
  const int64_t prev = prev_close_e8_ > 0 ? prev_close_e8_ : candle.open_e8;
  const double tr = static_cast<double>(std::max(
      {candle.high_e8 - candle.low_e8, static_cast<int64_t>(std::llabs(candle.high_e8 - prev)),
       static_cast<int64_t>(std::llabs(candle.low_e8 - prev))}));
  atr_count_ = std::min(atr_count_ + 1, config_.atr_period);
  atr_e8_ += (tr - atr_e8_) / atr_count_;
  prev_close_e8_ = candle.close_e8;
}

void CandleFillModel::sweep(SimVenue& venue, PathPoint from, PathPoint to) {
  // A stretch of no length where the last one ended (a command acted there): every order that
  // last sweep saw and the point reaches was filled there, or the volume cap ran out. Only
  // orders placed or re-queued since can fill, and the commands of a re-centred grid would
  // otherwise walk the whole book once each.
  auto same = [](PathPoint a, PathPoint b) {
    return a.ts_ns == b.ts_ns && a.price_e8 == b.price_e8;
  };
  const uint64_t newer_than = swept_ && same(from, to) && same(from, swept_to_) ? swept_seq_ : 0;
  swept_ = true;
  swept_to_ = to;
  swept_seq_ = venue.last_order_seq();
  if (cap_left_e8_ <= 0 || venue.open_orders() == 0) return;
  const SimInstrument& inst = venue.instrument();
  const int64_t lo = std::min(from.price_e8, to.price_e8);
  const int64_t hi = std::max(from.price_e8, to.price_e8);
  std::vector<Hit>& hits = hits_;
  hits.clear();
  for (SimOrder* o : venue.resting()) {
    if (o->seq <= newer_than) continue;
    const int64_t level = fill_level_e8(*o, inst);
    if (!reaches(*o, level, lo, hi)) continue;
    const bool already = o->is_buy() ? from.price_e8 <= level : from.price_e8 >= level;
    hits.push_back({already ? from.ts_ns : time_at_price(from, to, level), o});
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const Hit& a, const Hit& b) { return a.ts_ns < b.ts_ns; });
  for (const Hit& h : hits) {
    const int64_t lots = std::min(h.order->leaves_lots(), inst.lots_down(cap_left_e8_));
    if (lots <= 0) break;
    if (venue.fill(*h.order, h.ts_ns, h.order->price_ticks, lots, true))
      cap_left_e8_ -= inst.qty_e8(lots);
  }
}

std::string CandleFillModel::describe() const {
  std::ostringstream out;
  out << "candle: path O-L-H-C (up) / O-H-L-C (down), fill when traded through by "
      << config_.through_ticks << " tick(s)" << (config_.through_ticks == 0 ? " (touch)" : "")
      << ", participation cap " << config_.participation * 100 << "% of candle volume, spread "
      << config_.spread_ticks << " tick(s), market slippage "
      << (config_.slippage == CandleModelConfig::Slippage::bps ? "" : "ATR x ")
      << config_.slippage_value
      << (config_.slippage == CandleModelConfig::Slippage::bps ? " bps" : "");
  return out.str();
}

const char* CandleFillModel::biases() {
  return "the path inside a candle is assumed, not known; no queue (trade-through stands in); "
         "volume assumed spread evenly for the participation cap; taker size never moves the "
         "price beyond the slippage model; fills reach the strategy at the candle's close";
}

}  // namespace mmh::sim
