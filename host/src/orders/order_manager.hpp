// The order manager: turns the set of orders a core wants resting into venue commands, and keeps
// the host's view of working orders from the venue's updates.
//
// Each sync matches desired limit orders to working ones of the same side whose price is within
// `replace_threshold_ticks` (closest first); a match whose open quantity differs from the desired
// one by more than `qty_tolerance` is amended, the rest are kept; unmatched working orders are
// cancelled and unmatched desired orders placed (PostOnly by default: a market maker never takes
// by accident), or with `reprice_by_amend` an unmatched working order is amended to an unmatched
// desired price of its side first. Cancels go out before amends and places, so freed balance is
// there for them. A desired market order is sent once and not again while one on that side is in
// flight.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

// Who may veto a command before it leaves (the RiskGate's order-rate budgets): asked once per
// place and amend, in the order they would be sent. A refused place is not made (the next sync
// asks again); a refused amend leaves its order as it was.
class OrderBudget {
 public:
  virtual bool admit(uint32_t action, int64_t ts_ns) = 0;

 protected:
  ~OrderBudget() = default;
};

struct OrderManagerConfig {
  uint32_t symbol_id = 1;
  int64_t replace_threshold_ticks = 0;
  // A working order no desired one matches is moved to an unmatched desired price of its side
  // (an amend) instead of cancelled while a new one is placed.
  bool reprice_by_amend = false;
  double qty_tolerance = 0.1;  // amend when open qty differs from desired by more than this share
  uint32_t limit_tif = MMH_TIF_POST_ONLY;
  std::string id_prefix = "mm";
  uint64_t last_id = 0;  // ids go on from last_id + 1 (a resumed run: the journal's last)
};

// A client id held inline, with its first 16 bytes as two big-endian words: ids compare as text
// (byte by byte, a prefix first) by two integer compares, the rest only on a tie. An id is at
// most MMH_CLIENT_ID_CAPACITY - 1 bytes, as every command and update carries it.
class ClientId {
 public:
  ClientId() = default;
  explicit ClientId(std::string_view id);
  std::string_view view() const { return {text_, size_}; }
  const char* c_str() const { return text_; }
  bool empty() const { return size_ == 0; }
  friend bool operator==(const ClientId& a, const ClientId& b) {
    return a.hi_ == b.hi_ && a.lo_ == b.lo_ && a.size_ == b.size_ &&
           (a.size_ <= 16 || a.view() == b.view());
  }
  friend bool operator<(const ClientId& a, const ClientId& b) {
    if (a.hi_ != b.hi_) return a.hi_ < b.hi_;
    if (a.lo_ != b.lo_) return a.lo_ < b.lo_;
    return a.view() < b.view();
  }

 private:
  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
  uint32_t size_ = 0;
  char text_[MMH_CLIENT_ID_CAPACITY] = {};
};

struct WorkingOrder {
  enum class State { pending_new, live, pending_amend, pending_cancel };
  ClientId client_id;
  uint32_t side = 0;
  uint32_t order_type = 0;
  int64_t price_ticks = 0;
  int64_t qty_lots = 0;
  int64_t filled_lots = 0;
  State state = State::pending_new;
  bool acked = false;  // the venue has confirmed it
  int64_t open_lots() const { return qty_lots - filled_lots; }
};

struct OrderManagerStats {
  uint64_t placed = 0;
  uint64_t amended = 0;
  uint64_t cancelled = 0;  // cancel requests sent
  uint64_t rejected = 0;   // rejects received
  uint64_t syncs_with_changes = 0;
};

class OrderManager {
 public:
  explicit OrderManager(OrderManagerConfig config = {});

  // Appends to `out` the commands (stamped ts_ns) that move working orders toward `desired`,
  // the places and amends that `budget` admits.
  void sync(int64_t ts_ns, const std::vector<mmh_desired_order>& desired,
            std::vector<mmh_order_command>& out, OrderBudget* budget = nullptr);
  void on_update(const mmh_order_update& update);
  // An open order of this run the manager does not know (a resumed run: the exchange still has
  // it): kept as working, so the next sync keeps, amends or cancels it like any other, or
  // (`cancel`) cancelled by the next sync whatever the core wants.
  void adopt(const mmh_order_update& update, bool cancel);

  // Working orders in the order of their client ids (as text).
  const std::vector<WorkingOrder>& working() const { return working_; }
  bool knows(std::string_view client_id) const;
  const OrderManagerStats& stats() const { return stats_; }

 private:
  mmh_order_command command(int64_t ts_ns, uint32_t action, const ClientId& id) const;
  // The working order of this id, or end().
  std::vector<WorkingOrder>::iterator find(const ClientId& id);
  void insert(WorkingOrder w);  // in id order
  // The untaken candidate of `side` closest to `price_ticks` within `max_distance` (the first of
  // equals), or candidates_.size(); `live_only` skips orders not acknowledged or in flight.
  size_t closest_candidate(uint32_t side, int64_t price_ticks, int64_t max_distance,
                           bool live_only) const;
  // Queues an amend of `w` to `price_ticks` with `open_lots` left open (sync sends amends after
  // cancels, as the budget admits them).
  void amend(int64_t ts_ns, WorkingOrder& w, int64_t price_ticks, int64_t open_lots);
  // sync's step for config_.reprice_by_amend: turns places into amends of unmatched orders.
  void reprice_by_amend(int64_t ts_ns);

  OrderManagerConfig config_;
  // Sorted by client id as text: sync walks them in that order to match and cancel, so the order
  // is part of every run's event log. A flat vector: a grid has a few dozen orders at most, and
  // a tree's node per order and pointer chasing cost more than moving them (ids are kept inline).
  std::vector<WorkingOrder> working_;
  uint64_t next_id_ = 0;
  std::vector<ClientId> doomed_;  // adopted orders the next sync cancels
  OrderManagerStats stats_;
  // Reused by sync (it runs after every bar): no allocation once they have grown.
  std::vector<WorkingOrder*> candidates_;
  std::vector<char> taken_;
  std::vector<mmh_order_command> amends_;
  std::vector<WorkingOrder*> amended_;  // the order of each of amends_
  std::vector<mmh_order_command> places_;
  // A sync that sent nothing and was refused nothing sends nothing again while the desired set
  // and the working orders stay as they were (most bars of a grid between its re-centrings):
  // such a sync is skipped. `changes_` counts every change to the working orders.
  uint64_t changes_ = 0;
  bool quiet_ = false;
  uint64_t quiet_changes_ = 0;
  std::vector<mmh_desired_order> quiet_desired_;
};

}  // namespace mmh
