// The simulated exchange: order entry with latency, the venue's own balances (free and locked),
// PostOnly/IOC/FOK rules, fills and fees. It does not know where prices come from: a fill model
// (candle, trade tape, L2 book) drives time through its market data, asks the venue to apply the
// commands that have arrived, and reports fills of resting orders. Output is a list of order
// updates, fills and balances in the order they happened.
#pragma once

#include "fee_model.hpp"
#include "fifo.hpp"
#include "latency_model.hpp"
#include "sim_instrument.hpp"

#include <mmhost/plugin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::sim {

// A client id held inline, NUL-terminated, as a command carries it (MMH_CLIENT_ID_CAPACITY - 1
// bytes at most): an update copies the whole field, without a length count or a string.
class SimClientId {
 public:
  SimClientId() = default;
  explicit SimClientId(std::string_view id) : size_(std::min(id.size(), sizeof(text_) - 1)) {
    std::memcpy(text_, id.data(), size_);
  }
  std::string_view view() const { return {text_, size_}; }
  bool empty() const { return size_ == 0; }
  char back() const { return text_[size_ - 1]; }
  const char (&field() const)[MMH_CLIENT_ID_CAPACITY] { return text_; }
  friend bool operator==(const SimClientId& a, std::string_view b) { return a.view() == b; }

 private:
  char text_[MMH_CLIENT_ID_CAPACITY] = {};
  size_t size_ = 0;
};

struct SimOrder {
  SimClientId client_id;
  // "sim-<id>", written once at placement: room for any 64-bit id, the event field's other
  // bytes are zero (a venue event starts zeroed).
  char venue_order_id[32] = {};
  uint64_t id = 0;   // the venue's order id ("sim-<id>"), fixed for the order's life
  uint64_t seq = 0;  // time priority among equal prices; an amend that loses priority renews it
  uint32_t side = 0;
  uint32_t order_type = 0;
  int64_t price_ticks = 0;
  int64_t qty_lots = 0;
  int64_t filled_lots = 0;
  int64_t locked_e8 = 0;        // quote (buy) or base (sell) held for the rest of the order
  int64_t queue_ahead_e8 = 0;   // displayed size ahead of it at its price (queue models)
  int64_t queue_traded_e8 = 0;  // traded at its price since the level's last size change
  bool is_buy() const { return side == MMH_SIDE_BUY; }
  int64_t leaves_lots() const { return qty_lots - filled_lots; }
};

struct TopOfBook {
  int64_t bid_e8 = 0;
  int64_t ask_e8 = 0;
  int64_t bid_qty_e8 = -1;  // -1: size unknown
  int64_t ask_qty_e8 = -1;
};

class SimVenue;

// What a fill model offers the venue at the moment it applies a command.
class MarketAccess {
 public:
  virtual ~MarketAccess() = default;
  virtual TopOfBook top() const = 0;
  // Executes a taker order now: marketable limit (limit_ticks > 0 caps the price) or market
  // (limit_ticks == 0), for at most `max_lots`; calls venue.fill for each execution.
  virtual void take(SimVenue& venue, SimOrder& order, int64_t ts_ns, int64_t limit_ticks,
                    int64_t max_lots) = 0;
  // Base quantity a taker could get now up to limit_ticks (FOK's all-or-nothing check).
  virtual int64_t available_e8(bool buy, int64_t limit_ticks) const = 0;
  // Size ahead of a new resting order at its price.
  virtual int64_t queue_ahead_e8(bool buy, int64_t price_ticks) const = 0;
};

struct VenueEvent {
  uint32_t kind;  // MMH_EVENT_ORDER_UPDATE, MMH_EVENT_FILL or MMH_EVENT_BALANCE: which is set
  union {
    mmh_order_update update;
    mmh_fill fill;
    mmh_balance balance;
  };
  VenueEvent() { std::memset(static_cast<void*>(this), 0, sizeof(*this)); }
};

struct VenueCounters {
  uint64_t rejects = 0;
  uint64_t maker_fills = 0;
  uint64_t taker_fills = 0;
};

class SimVenue {
 public:
  SimVenue(SimInstrument instrument, FeeModel fees, LatencyModel latency, int64_t base_e8,
           int64_t quote_e8);

  // A command from the host, decided at command.ts_ns; it acts after the market-data delay
  // (the decision used data that old) plus the entry/amend/cancel delay.
  void submit(const mmh_order_command& command);
  // Due time of the next command waiting to act; INT64_MAX when none.
  int64_t next_due_ns() const;
  // Applies, each at its own due time, every command due at or before `until_ns`.
  void apply_due(int64_t until_ns, MarketAccess& market);
  void apply_next(MarketAccess& market);  // the first waiting command, at its due time

  // Fill models: the live resting orders in time priority (pointers stay valid until the next
  // call that applies commands). Borrowed: valid until the next command or resting() call.
  const std::vector<SimOrder*>& resting();
  void resting(std::vector<SimOrder*>& out) { out = resting(); }  // a copy to reorder
  // Executes `lots` of `order` at `price_ticks`. Returns false (and fills nothing) when the
  // balance cannot pay for it (market orders only; limit orders locked theirs up front).
  bool fill(SimOrder& order, int64_t ts_ns, int64_t price_ticks, int64_t lots, bool maker);

  std::vector<VenueEvent>& events() { return events_; }
  // Ends a batch of events: one balance report per asset, after the batch's fills, when any
  // action changed a balance. (A report after every place and cancel was two thirds of all
  // events; the host checks the totals against its ledger at each report.)
  void end_batch();
  const SimInstrument& instrument() const { return inst_; }
  const FeeModel& fees() const { return fees_; }
  const LatencyModel& latency() const { return latency_; }
  const VenueCounters& counters() const { return counters_; }
  int64_t free_e8(bool base) const { return base ? base_.free_e8 : quote_.free_e8; }
  int64_t locked_e8(bool base) const { return base ? base_.locked_e8 : quote_.locked_e8; }
  size_t open_orders() const { return orders_.size(); }
  // The newest order sequence number: an order placed, or re-queued by an amend, after this
  // call has a larger one.
  uint64_t last_order_seq() const { return order_seq_; }

 private:
  struct Balance {
    int64_t free_e8 = 0;
    int64_t locked_e8 = 0;
  };
  struct Action {
    int64_t due_ns = 0;
    uint64_t seq = 0;
    mmh_order_command command{};
  };

  // The live order with this client id, or orders_.end().
  std::vector<SimOrder*>::iterator find_order(std::string_view client_id);
  // A pooled slot for an order that starts resting, and its return (no allocation per order).
  SimOrder* keep(SimOrder&& order);
  void release(SimOrder* order);
  void act(const Action& action, MarketAccess& market);
  void place(const mmh_order_command& c, int64_t ts_ns, MarketAccess& market);
  void cancel(const mmh_order_command& c, int64_t ts_ns);
  void amend(const mmh_order_command& c, int64_t ts_ns, MarketAccess& market);
  void finish_taker(SimOrder& order, int64_t ts_ns);
  void release_lock(SimOrder& order);
  void reject(const mmh_order_command& c, int64_t ts_ns, const std::string& reason);
  void push_update(const SimOrder& order, uint32_t status, int64_t ts_ns);
  void push_balances(int64_t ts_ns);  // due at end_batch()
  std::string check_rules(uint32_t side, int64_t price_ticks, int64_t lots) const;

  SimInstrument inst_;
  FeeModel fees_;
  LatencyModel latency_;
  Balance base_;
  Balance quote_;
  // Commands waiting for their due time, taken in (due, seq) order: those that came in due order
  // (any constant latency: all of a backtest's by default) queue in `in_order_`, the few a drawn
  // latency puts before an earlier one go to the min-heap `overtaking_`.
  Fifo<Action> in_order_;
  std::vector<Action> overtaking_;
  bool next_in_order() const;  // the next command is in_order_'s front (some command waits)
  uint64_t action_seq_ = 0;
  uint64_t order_seq_ = 0;
  uint64_t exec_seq_ = 0;
  // Live resting orders in the order they came (a handful: a linear search beats a tree of
  // string keys); each in a slot of pool_, so the models' pointers stay valid while others come
  // and go. A slot is reused once its order has left orders_ (free_).
  std::vector<SimOrder*> orders_;
  std::deque<SimOrder> pool_;
  std::vector<SimOrder*> free_;
  std::vector<SimOrder*> resting_cache_;  // resting()'s last answer
  // resting_cache_ must be built again (an order filled up; at first). Otherwise places, cancels
  // and amends keep it as resting() would build it.
  bool resting_dirty_ = true;
  std::vector<VenueEvent> events_;
  bool balances_due_ = false;
  int64_t balances_ts_ns_ = 0;
  VenueCounters counters_;
};

}  // namespace mmh::sim
