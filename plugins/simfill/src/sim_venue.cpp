#include "sim_venue.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>

namespace mmh::sim {
namespace {

template <size_t N>
void copy_text(char (&dst)[N], std::string_view src) {  // truncated, always terminated
  const size_t n = std::min(src.size(), N - 1);
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// A command's id field as text (it may fill the field without a NUL).
template <size_t N>
std::string_view field_text(const char (&field)[N]) {
  return {field, strnlen(field, N)};
}

// An order's client and venue ids into an update's or a fill's fields, whole: both are written
// once at placement, NUL-padded.
template <class Event>
void copy_ids(Event& e, const SimOrder& order) {
  static_assert(sizeof(e.client_id) == sizeof(order.client_id.field()) &&
                sizeof(e.venue_order_id) >= sizeof(order.venue_order_id));
  std::memcpy(e.client_id, order.client_id.field(), sizeof(e.client_id));
  std::memcpy(e.venue_order_id, order.venue_order_id, sizeof(order.venue_order_id));
}

// "sim-<n>" (venue order ids) or "sim-e<n>" (exec ids), without a temporary string.
template <size_t N, size_t P>
void sim_id(char (&dst)[N], const char (&prefix)[P], uint64_t n) {
  static_assert(P + 20 <= N, "room for the prefix and any 64-bit number");
  std::memcpy(dst, prefix, P - 1);
  *std::to_chars(dst + P - 1, dst + N - 1, n).ptr = '\0';
}

bool later(const auto& a, const auto& b) {
  return a.due_ns != b.due_ns ? a.due_ns > b.due_ns : a.seq > b.seq;
}

mmh_decimal decimal(int64_t e8) {
  mmh_decimal d{};
  d.mantissa = e8;
  d.exponent = -8;
  return d;
}

}  // namespace

SimVenue::SimVenue(SimInstrument instrument, FeeModel fees, LatencyModel latency, int64_t base_e8,
                   int64_t quote_e8)
    : inst_(std::move(instrument)), fees_(fees), latency_(std::move(latency)) {
  inst_.validate();
  base_.free_e8 = base_e8;
  quote_.free_e8 = quote_e8;
}

void SimVenue::submit(const mmh_order_command& command) {
  int64_t delay = latency_.market_data_ns();
  switch (command.action) {
    case MMH_ORDER_ACTION_PLACE:
      delay += latency_.entry_ns();
      break;
    case MMH_ORDER_ACTION_AMEND:
      delay += latency_.amend_ns();
      break;
    default:
      delay += latency_.cancel_ns();
      break;
  }
  const Action action{command.ts_ns + delay, ++action_seq_, command};
  if (in_order_.empty() || in_order_.back().due_ns <= action.due_ns) {
    in_order_.push_back(action);  // seq grows: (due, seq) order kept
  } else {
    overtaking_.push_back(action);
    std::push_heap(overtaking_.begin(), overtaking_.end(),
                   [](auto& a, auto& b) { return later(a, b); });
  }
}

bool SimVenue::next_in_order() const {
  return overtaking_.empty() ||
         (!in_order_.empty() && later(overtaking_.front(), in_order_.front()));
}

int64_t SimVenue::next_due_ns() const {
  if (in_order_.empty() && overtaking_.empty()) return INT64_MAX;
  return next_in_order() ? in_order_.front().due_ns : overtaking_.front().due_ns;
}

void SimVenue::apply_next(MarketAccess& market) {
  Action action;
  if (next_in_order()) {
    action = in_order_.front();
    in_order_.pop_front();
  } else {
    std::pop_heap(overtaking_.begin(), overtaking_.end(),
                  [](auto& a, auto& b) { return later(a, b); });
    action = overtaking_.back();
    overtaking_.pop_back();
  }
  act(action, market);
}

void SimVenue::apply_due(int64_t until_ns, MarketAccess& market) {
  while ((!in_order_.empty() || !overtaking_.empty()) && next_due_ns() <= until_ns)
    apply_next(market);
}

const std::vector<SimOrder*>& SimVenue::resting() {
  // The fill models ask several times per candle, and orders come and go far less often: the
  // last list stands while no order was placed, amended, cancelled or filled up.
  if (!resting_dirty_) return resting_cache_;
  std::erase_if(orders_, [this](SimOrder* o) {
    if (o->leaves_lots() > 0) return false;
    release(o);
    return true;
  });
  resting_cache_.assign(orders_.begin(), orders_.end());
  // Time priority: the model walks them in arrival order.
  std::sort(resting_cache_.begin(), resting_cache_.end(),
            [](const SimOrder* a, const SimOrder* b) { return a->seq < b->seq; });
  resting_dirty_ = false;
  return resting_cache_;
}

SimOrder* SimVenue::keep(SimOrder&& order) {
  if (free_.empty()) return &pool_.emplace_back(std::move(order));
  SimOrder* slot = free_.back();
  free_.pop_back();
  *slot = std::move(order);
  return slot;
}

void SimVenue::release(SimOrder* order) {
  free_.push_back(order);
}

std::vector<SimOrder*>::iterator SimVenue::find_order(std::string_view client_id) {
  // Ids of one run share their prefix and differ at the end: compare the last byte first.
  if (client_id.empty()) return orders_.end();
  return std::find_if(orders_.begin(), orders_.end(), [&](const SimOrder* o) {
    return !o->client_id.empty() && o->client_id.back() == client_id.back() &&
           o->client_id == client_id;
  });
}

void SimVenue::act(const Action& action, MarketAccess& market) {
  const mmh_order_command& c = action.command;
  if (c.symbol_id != inst_.symbol_id) {
    reject(c, action.due_ns, "unknown symbol_id " + std::to_string(c.symbol_id));
    return;
  }
  switch (c.action) {
    case MMH_ORDER_ACTION_PLACE:
      place(c, action.due_ns, market);
      break;
    case MMH_ORDER_ACTION_CANCEL:
      cancel(c, action.due_ns);
      break;
    case MMH_ORDER_ACTION_AMEND:
      amend(c, action.due_ns, market);
      break;
    case MMH_ORDER_ACTION_CANCEL_ALL: {
      std::vector<std::string> ids;
      for (const SimOrder* o : orders_)
        if (o->leaves_lots() > 0) ids.emplace_back(o->client_id.view());
      std::sort(ids.begin(), ids.end());  // the order they always went in (a map's)
      for (const std::string& id : ids) {
        mmh_order_command one = c;
        copy_text(one.client_id, id);
        cancel(one, action.due_ns);
      }
      break;
    }
    default:
      reject(c, action.due_ns, "unknown action " + std::to_string(c.action));
  }
}

std::string SimVenue::check_rules(uint32_t side, int64_t price_ticks, int64_t lots) const {
  if (side != MMH_SIDE_BUY && side != MMH_SIDE_SELL) return "side must be buy or sell";
  if (lots <= 0) return "quantity must be positive";
  const int64_t qty = inst_.qty_e8(lots);
  if (qty < inst_.min_qty_e8) return "quantity below the minimum order quantity";
  if (price_ticks > 0 && value_e8(inst_.price_e8(price_ticks), qty) < inst_.min_value_e8)
    return "order value below the minimum order value";
  return {};
}

void SimVenue::place(const mmh_order_command& c, int64_t ts_ns, MarketAccess& market) {
  const std::string_view id = field_text(c.client_id);
  if (id.empty()) return reject(c, ts_ns, "client_id is empty");
  // Its updates carry it back NUL-terminated in a field of the same size.
  if (id.size() == sizeof(c.client_id))
    return reject(c, ts_ns, "client_id has no room for its NUL");
  if (find_order(id) != orders_.end()) return reject(c, ts_ns, "duplicate client_id");
  SimOrder order;
  order.client_id = SimClientId(id);
  order.seq = ++order_seq_;
  order.id = order.seq;
  sim_id(order.venue_order_id, "sim-", order.id);
  order.side = c.side;
  order.order_type = c.order_type;
  const bool buy = c.side == MMH_SIDE_BUY;
  const TopOfBook top = market.top();

  if (c.order_type == MMH_ORDER_TYPE_MARKET) {
    int64_t lots = c.qty_lots;
    if (c.market_unit == MMH_MARKET_UNIT_QUOTE) {
      // qty_lots holds the quote to spend (units of 1e-8): buy what it pays for at the ask.
      const int64_t ref = buy ? top.ask_e8 : top.bid_e8;
      lots =
          ref > 0
              ? inst_.lots_down(static_cast<int64_t>(static_cast<i128>(c.qty_lots) * MMH_E8 / ref))
              : 0;
    }
    const std::string why = check_rules(c.side, 0, lots);
    if (!why.empty()) return reject(c, ts_ns, why);
    if (!buy && base_.free_e8 < inst_.qty_e8(lots))
      return reject(c, ts_ns, "insufficient base balance");
    order.qty_lots = lots;
    push_update(order, MMH_ORDER_STATUS_NEW, ts_ns);
    market.take(*this, order, ts_ns, 0, lots);
    finish_taker(order, ts_ns);
    return;
  }

  if (c.order_type != MMH_ORDER_TYPE_LIMIT) return reject(c, ts_ns, "unknown order type");
  if (c.price_ticks <= 0) return reject(c, ts_ns, "limit price must be positive");
  const std::string why = check_rules(c.side, c.price_ticks, c.qty_lots);
  if (!why.empty()) return reject(c, ts_ns, why);
  order.price_ticks = c.price_ticks;
  order.qty_lots = c.qty_lots;
  const int64_t price = inst_.price_e8(c.price_ticks);
  const bool crosses =
      buy ? top.ask_e8 > 0 && price >= top.ask_e8 : top.bid_e8 > 0 && price <= top.bid_e8;
  if (crosses && c.time_in_force == MMH_TIF_POST_ONLY)
    return reject(c, ts_ns, "post-only order would cross the book");

  // Lock what the whole order may need: quote at the limit price for a buy, base for a sell.
  const int64_t need = buy ? value_e8(price, inst_.qty_e8(c.qty_lots)) : inst_.qty_e8(c.qty_lots);
  Balance& bal = buy ? quote_ : base_;
  if (bal.free_e8 < need)
    return reject(c, ts_ns, buy ? "insufficient quote balance" : "insufficient base balance");

  if (c.time_in_force == MMH_TIF_FOK &&
      (!crosses || market.available_e8(buy, c.price_ticks) < inst_.qty_e8(c.qty_lots))) {
    push_update(order, MMH_ORDER_STATUS_NEW, ts_ns);
    push_update(order, MMH_ORDER_STATUS_CANCELLED, ts_ns);
    return;
  }
  bal.free_e8 -= need;
  bal.locked_e8 += need;
  order.locked_e8 = need;
  push_update(order, MMH_ORDER_STATUS_NEW, ts_ns);
  if (crosses) market.take(*this, order, ts_ns, c.price_ticks, c.qty_lots);
  if (order.leaves_lots() > 0 &&
      (c.time_in_force == MMH_TIF_IOC || c.time_in_force == MMH_TIF_FOK)) {
    finish_taker(order, ts_ns);
    return;
  }
  if (order.leaves_lots() <= 0) {
    release_lock(order);  // rounding leftovers of the lock
    push_balances(ts_ns);
    return;
  }
  order.queue_ahead_e8 = market.queue_ahead_e8(buy, order.price_ticks);
  orders_.push_back(keep(std::move(order)));
  // The newest order is last in time priority: the kept list stays sorted.
  if (!resting_dirty_) resting_cache_.push_back(orders_.back());
  push_balances(ts_ns);
}

// A taker order whose remainder does not rest: release its lock, cancel what is left.
void SimVenue::finish_taker(SimOrder& order, int64_t ts_ns) {
  release_lock(order);
  if (order.leaves_lots() > 0)
    push_update(order,
                order.filled_lots > 0 ? MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED
                                      : MMH_ORDER_STATUS_CANCELLED,
                ts_ns);
  push_balances(ts_ns);
}

void SimVenue::release_lock(SimOrder& order) {
  Balance& bal = order.is_buy() ? quote_ : base_;
  bal.locked_e8 -= order.locked_e8;
  bal.free_e8 += order.locked_e8;
  order.locked_e8 = 0;
}

void SimVenue::cancel(const mmh_order_command& c, int64_t ts_ns) {
  auto it = find_order(field_text(c.client_id));
  if (it == orders_.end() || (*it)->leaves_lots() <= 0)
    return reject(c, ts_ns, "order not found or already closed");
  SimOrder& order = **it;
  release_lock(order);
  push_update(order,
              order.filled_lots > 0 ? MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED
                                    : MMH_ORDER_STATUS_CANCELLED,
              ts_ns);
  if (!resting_dirty_) std::erase(resting_cache_, *it);
  release(*it);
  orders_.erase(it);
  push_balances(ts_ns);
}

void SimVenue::amend(const mmh_order_command& c, int64_t ts_ns, MarketAccess& market) {
  auto it = find_order(field_text(c.client_id));
  if (it == orders_.end() || (*it)->leaves_lots() <= 0)
    return reject(c, ts_ns, "order not found or already closed");
  SimOrder& order = **it;
  const int64_t price_ticks = c.price_ticks > 0 ? c.price_ticks : order.price_ticks;
  const int64_t qty_lots = c.qty_lots > 0 ? c.qty_lots : order.qty_lots;
  if (qty_lots <= order.filled_lots)
    return reject(c, ts_ns, "amended quantity is not above the filled quantity");
  const std::string why = check_rules(order.side, price_ticks, qty_lots);
  if (!why.empty()) return reject(c, ts_ns, why);
  const TopOfBook top = market.top();
  const int64_t price = inst_.price_e8(price_ticks);
  if (order.is_buy() ? top.ask_e8 > 0 && price >= top.ask_e8
                     : top.bid_e8 > 0 && price <= top.bid_e8)
    return reject(c, ts_ns, "amended price would cross the book");
  const int64_t leaves_e8 = inst_.qty_e8(qty_lots - order.filled_lots);
  const int64_t need = order.is_buy() ? value_e8(price, leaves_e8) : leaves_e8;
  Balance& bal = order.is_buy() ? quote_ : base_;
  if (bal.free_e8 + order.locked_e8 < need)
    return reject(c, ts_ns,
                  order.is_buy() ? "insufficient quote balance" : "insufficient base balance");
  bal.free_e8 += order.locked_e8 - need;
  bal.locked_e8 += need - order.locked_e8;
  order.locked_e8 = need;
  // A smaller size keeps its place in the queue; a new price or a larger size goes to the back.
  if (price_ticks != order.price_ticks || qty_lots > order.qty_lots) {
    order.queue_ahead_e8 = market.queue_ahead_e8(order.is_buy(), price_ticks);
    order.queue_traded_e8 = 0;
    order.seq = ++order_seq_;
    if (!resting_dirty_) {  // now the last in time priority
      std::erase(resting_cache_, &order);
      resting_cache_.push_back(&order);
    }
  }
  order.price_ticks = price_ticks;
  order.qty_lots = qty_lots;
  push_update(order,
              order.filled_lots > 0 ? MMH_ORDER_STATUS_PARTIALLY_FILLED : MMH_ORDER_STATUS_NEW,
              ts_ns);
  push_balances(ts_ns);
}

bool SimVenue::fill(SimOrder& order, int64_t ts_ns, int64_t price_ticks, int64_t lots, bool maker) {
  lots = std::min(lots, order.leaves_lots());
  if (lots <= 0) return false;
  const bool buy = order.is_buy();
  const int64_t qty = inst_.qty_e8(lots);
  const int64_t price = inst_.price_e8(price_ticks);
  const int64_t value = value_e8(price, qty);
  if (order.order_type == MMH_ORDER_TYPE_MARKET) {
    if (buy ? quote_.free_e8 < value : base_.free_e8 < qty) return false;
    (buy ? quote_ : base_).free_e8 -= buy ? value : qty;
  } else {
    // Release the lock of these lots (all of it on the last fill), spend what the fill costs.
    Balance& bal = buy ? quote_ : base_;
    const bool last = lots == order.leaves_lots();
    const int64_t held =
        last ? order.locked_e8
             : std::min(order.locked_e8,
                        buy ? value_e8(inst_.price_e8(order.price_ticks), qty) : qty);
    const int64_t spent = buy ? value : qty;
    order.locked_e8 -= held;
    bal.locked_e8 -= held;
    bal.free_e8 += held - spent;
  }
  (buy ? base_ : quote_).free_e8 += buy ? qty : value;
  const FeeCharge fee = fees_.charge(buy, maker, qty, value);
  (fee.asset == FeeAsset::base ? base_ : quote_).free_e8 -= fee.amount_e8;
  order.filled_lots += lots;
  if (order.leaves_lots() <= 0) resting_dirty_ = true;  // it leaves the resting list
  ++(maker ? counters_.maker_fills : counters_.taker_fills);

  VenueEvent& e = events_.emplace_back();
  e.kind = MMH_EVENT_FILL;
  mmh_fill& f = e.fill;
  f.ts_ns = ts_ns;
  f.symbol_id = inst_.symbol_id;
  f.side = order.side;
  f.price_ticks = price_ticks;
  f.qty_lots = lots;
  f.fee = decimal(fee.amount_e8);
  copy_text(f.fee_asset, fee.asset == FeeAsset::base ? inst_.base_asset : inst_.quote_asset);
  f.is_maker = maker ? 1 : 0;
  copy_ids(f, order);
  sim_id(f.exec_id, "sim-e", ++exec_seq_);
  push_update(order,
              order.leaves_lots() > 0 ? MMH_ORDER_STATUS_PARTIALLY_FILLED : MMH_ORDER_STATUS_FILLED,
              ts_ns);
  push_balances(ts_ns);
  return true;
}

void SimVenue::reject(const mmh_order_command& c, int64_t ts_ns, const std::string& reason) {
  ++counters_.rejects;
  VenueEvent e;
  e.kind = MMH_EVENT_ORDER_UPDATE;
  mmh_order_update& u = e.update;
  u.ts_ns = ts_ns;
  u.symbol_id = c.symbol_id;
  u.status = MMH_ORDER_STATUS_REJECTED;
  u.side = c.side;
  u.action = c.action;
  u.price_ticks = c.price_ticks;
  u.qty_lots = c.qty_lots;
  copy_text(u.client_id, field_text(c.client_id));
  copy_text(u.reject_reason, reason);
  events_.push_back(e);
}

void SimVenue::push_update(const SimOrder& order, uint32_t status, int64_t ts_ns) {
  VenueEvent& e = events_.emplace_back();
  e.kind = MMH_EVENT_ORDER_UPDATE;
  mmh_order_update& u = e.update;
  u.ts_ns = ts_ns;
  u.symbol_id = inst_.symbol_id;
  u.status = status;
  u.side = order.side;
  u.price_ticks = order.price_ticks;
  u.qty_lots = order.qty_lots;
  u.filled_qty_lots = order.filled_lots;
  u.leaves_qty_lots = status == MMH_ORDER_STATUS_NEW || status == MMH_ORDER_STATUS_PARTIALLY_FILLED
                          ? order.leaves_lots()
                          : 0;
  copy_ids(u, order);
}

void SimVenue::push_balances(int64_t ts_ns) {
  balances_due_ = true;
  balances_ts_ns_ = ts_ns;
}

void SimVenue::end_batch() {
  if (!balances_due_) return;
  balances_due_ = false;
  for (const bool base : {true, false}) {
    VenueEvent e;
    e.kind = MMH_EVENT_BALANCE;
    e.balance.ts_ns = balances_ts_ns_;
    copy_text(e.balance.asset, base ? inst_.base_asset : inst_.quote_asset);
    const Balance& b = base ? base_ : quote_;
    e.balance.free = decimal(b.free_e8);
    e.balance.locked = decimal(b.locked_e8);
    events_.push_back(e);
  }
}

}  // namespace mmh::sim
