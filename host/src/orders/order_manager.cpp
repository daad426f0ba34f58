#include "orders/order_manager.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <string_view>

namespace mmh {
namespace {

uint64_t load_big_endian(const char* bytes) {
  uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof(word));
  return __builtin_bswap64(word);  // the first byte most significant: text order
}

}  // namespace

ClientId::ClientId(std::string_view id) {
  size_ = static_cast<uint32_t>(std::min(id.size(), sizeof(text_) - 1));
  std::memcpy(text_, id.data(), size_);  // the rest stays zero: padding sorts before any byte
  hi_ = load_big_endian(text_);
  lo_ = load_big_endian(text_ + 8);
}

OrderManager::OrderManager(OrderManagerConfig config)
    : config_(std::move(config)), next_id_(config_.last_id) {}

std::vector<WorkingOrder>::iterator OrderManager::find(const ClientId& id) {
  if (id.empty()) return working_.end();
  return std::find_if(working_.begin(), working_.end(),
                      [&](const WorkingOrder& w) { return w.client_id == id; });
}

bool OrderManager::knows(std::string_view client_id) const {
  const ClientId id(client_id);
  return std::any_of(working_.begin(), working_.end(),
                     [&](const WorkingOrder& w) { return w.client_id == id; });
}

void OrderManager::insert(WorkingOrder w) {
  const auto at =
      std::lower_bound(working_.begin(), working_.end(), w.client_id,
                       [](const WorkingOrder& a, const ClientId& id) { return a.client_id < id; });
  working_.insert(at, w);
}

void OrderManager::adopt(const mmh_order_update& u, bool cancel) {
  WorkingOrder w;
  w.client_id = ClientId(std::string_view(u.client_id, strnlen(u.client_id, sizeof(u.client_id))));
  if (w.client_id.empty() || find(w.client_id) != working_.end()) return;
  w.side = u.side;
  w.order_type = MMH_ORDER_TYPE_LIMIT;
  w.price_ticks = u.price_ticks;
  w.qty_lots = u.qty_lots;
  w.filled_lots = u.filled_qty_lots;
  w.acked = true;
  w.state = WorkingOrder::State::live;
  if (cancel) doomed_.push_back(w.client_id);
  insert(w);
  ++changes_;
}

mmh_order_command OrderManager::command(int64_t ts_ns, uint32_t action, const ClientId& id) const {
  mmh_order_command c{};
  c.ts_ns = ts_ns;
  c.action = action;
  c.symbol_id = config_.symbol_id;
  std::memcpy(c.client_id, id.c_str(), id.view().size() + 1);  // terminated: it fits
  return c;
}

size_t OrderManager::closest_candidate(uint32_t side, int64_t price_ticks, int64_t max_distance,
                                       bool live_only) const {
  size_t best = candidates_.size();
  int64_t best_distance = 0;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const WorkingOrder& w = *candidates_[i];
    if (taken_[i] || w.side != side) continue;
    if (live_only && w.state != WorkingOrder::State::live) continue;
    const int64_t distance = std::llabs(w.price_ticks - price_ticks);
    if (distance > max_distance) continue;
    if (best == candidates_.size() || distance < best_distance) {
      best = i;
      best_distance = distance;
    }
  }
  return best;
}

namespace {

bool same_orders(const std::vector<mmh_desired_order>& a, const std::vector<mmh_desired_order>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const mmh_desired_order& x, const mmh_desired_order& y) {
                      return x.side == y.side && x.order_type == y.order_type &&
                             x.price_ticks == y.price_ticks && x.qty_lots == y.qty_lots;
                    });
}

}  // namespace

void OrderManager::sync(int64_t ts_ns, const std::vector<mmh_desired_order>& desired,
                        std::vector<mmh_order_command>& out, OrderBudget* budget) {
  if (quiet_ && changes_ == quiet_changes_ && doomed_.empty() &&
      same_orders(desired, quiet_desired_))
    return;
  const size_t before = out.size();
  bool refused = false;
  // Adopted orders to cancel go first, whatever the core wants.
  for (const ClientId& id : doomed_) {
    auto it = find(id);
    if (it == working_.end() || it->state == WorkingOrder::State::pending_cancel) continue;
    it->state = WorkingOrder::State::pending_cancel;
    out.push_back(command(ts_ns, MMH_ORDER_ACTION_CANCEL, id));
    ++stats_.cancelled;
  }
  doomed_.clear();
  std::vector<WorkingOrder*>& candidates = candidates_;
  candidates.clear();
  for (WorkingOrder& w : working_)
    if (w.order_type == MMH_ORDER_TYPE_LIMIT && w.state != WorkingOrder::State::pending_cancel)
      candidates.push_back(&w);
  std::vector<char>& taken = taken_;
  taken.assign(candidates.size(), 0);
  std::vector<mmh_order_command>& amends = amends_;
  std::vector<mmh_order_command>& places = places_;
  amends.clear();
  amended_.clear();
  places.clear();

  for (const mmh_desired_order& d : desired) {
    if (d.qty_lots <= 0) continue;
    if (d.order_type == MMH_ORDER_TYPE_MARKET) {
      const bool in_flight =
          std::any_of(working_.begin(), working_.end(), [&](const WorkingOrder& w) {
            return w.order_type == MMH_ORDER_TYPE_MARKET && w.side == d.side;
          });
      if (in_flight) continue;
      mmh_order_command c = command(ts_ns, MMH_ORDER_ACTION_PLACE, ClientId());
      c.side = d.side;
      c.order_type = MMH_ORDER_TYPE_MARKET;
      c.time_in_force = MMH_TIF_IOC;
      c.market_unit = MMH_MARKET_UNIT_BASE;
      c.qty_lots = d.qty_lots;
      places.push_back(c);
      continue;
    }
    // The closest working order of the same side within the threshold.
    const size_t best =
        closest_candidate(d.side, d.price_ticks, config_.replace_threshold_ticks, false);
    if (best == candidates.size()) {
      mmh_order_command c = command(ts_ns, MMH_ORDER_ACTION_PLACE, ClientId());
      c.side = d.side;
      c.order_type = MMH_ORDER_TYPE_LIMIT;
      c.time_in_force = config_.limit_tif;
      c.price_ticks = d.price_ticks;
      c.qty_lots = d.qty_lots;
      places.push_back(c);
      continue;
    }
    taken[best] = 1;
    WorkingOrder& w = *candidates[best];
    const double diff = std::fabs(static_cast<double>(w.open_lots() - d.qty_lots));
    if (w.state == WorkingOrder::State::live &&
        diff > config_.qty_tolerance * static_cast<double>(d.qty_lots))
      amend(ts_ns, w, w.price_ticks, d.qty_lots);
  }

  if (config_.reprice_by_amend) reprice_by_amend(ts_ns);

  for (size_t i = 0; i < candidates.size(); ++i) {
    if (taken[i]) continue;
    candidates[i]->state = WorkingOrder::State::pending_cancel;
    out.push_back(command(ts_ns, MMH_ORDER_ACTION_CANCEL, candidates[i]->client_id));
    ++stats_.cancelled;
  }
  for (size_t i = 0; i < amends.size(); ++i) {
    if (budget != nullptr && !budget->admit(MMH_ORDER_ACTION_AMEND, ts_ns)) {
      amended_[i]->state = WorkingOrder::State::live;
      refused = true;
      continue;
    }
    out.push_back(amends[i]);
    ++stats_.amended;
  }
  // Candidates point into working_: places (which insert) come after every use of them.
  for (mmh_order_command& c : places) {
    if (budget != nullptr && !budget->admit(MMH_ORDER_ACTION_PLACE, ts_ns)) {
      refused = true;
      continue;
    }
    char text[MMH_CLIENT_ID_CAPACITY + 24];
    const size_t prefix = std::min(config_.id_prefix.size(), sizeof(c.client_id) - 1);
    std::memcpy(text, config_.id_prefix.data(), prefix);
    text[prefix] = '-';
    char* const end = std::to_chars(text + prefix + 1, text + sizeof(text), ++next_id_).ptr;
    WorkingOrder w;
    w.client_id = ClientId(std::string_view(text, static_cast<size_t>(end - text)));
    std::memcpy(c.client_id, w.client_id.c_str(), w.client_id.view().size() + 1);
    w.side = c.side;
    w.order_type = c.order_type;
    w.price_ticks = c.price_ticks;
    w.qty_lots = c.qty_lots;
    insert(w);
    out.push_back(c);
    ++stats_.placed;
  }
  if (out.size() != before) {
    ++stats_.syncs_with_changes;
    ++changes_;
  }
  quiet_ = out.size() == before && !refused;
  if (quiet_) {
    quiet_changes_ = changes_;
    quiet_desired_.assign(desired.begin(), desired.end());
  }
}

void OrderManager::amend(int64_t ts_ns, WorkingOrder& w, int64_t price_ticks, int64_t open_lots) {
  mmh_order_command c = command(ts_ns, MMH_ORDER_ACTION_AMEND, w.client_id);
  c.side = w.side;
  c.order_type = MMH_ORDER_TYPE_LIMIT;
  c.price_ticks = price_ticks;
  c.qty_lots = w.filled_lots + open_lots;  // the open quantity becomes the desired one
  w.state = WorkingOrder::State::pending_amend;
  amends_.push_back(c);
  amended_.push_back(&w);
}

void OrderManager::reprice_by_amend(int64_t ts_ns) {
  // Each desired limit order still to place moves the closest live working order of its side
  // that nothing matched, if there is one, instead of that order's cancel and its own place.
  std::erase_if(places_, [&](const mmh_order_command& p) {
    if (p.order_type != MMH_ORDER_TYPE_LIMIT) return false;
    const size_t best = closest_candidate(p.side, p.price_ticks, INT64_MAX, true);
    if (best == candidates_.size()) return false;
    taken_[best] = 1;
    amend(ts_ns, *candidates_[best], p.price_ticks, p.qty_lots);
    return true;
  });
}

void OrderManager::on_update(const mmh_order_update& u) {
  ++changes_;
  auto it =
      find(ClientId(std::string_view(u.client_id, strnlen(u.client_id, sizeof(u.client_id)))));
  if (u.status == MMH_ORDER_STATUS_REJECTED) ++stats_.rejected;
  if (it == working_.end()) return;  // e.g. a late reject of a cancel for a closed order
  WorkingOrder& w = *it;
  switch (u.status) {
    case MMH_ORDER_STATUS_NEW:
    case MMH_ORDER_STATUS_PARTIALLY_FILLED:
      w.acked = true;
      if (w.state != WorkingOrder::State::pending_cancel) w.state = WorkingOrder::State::live;
      w.price_ticks = u.price_ticks;
      w.qty_lots = u.qty_lots;
      w.filled_lots = u.filled_qty_lots;
      break;
    case MMH_ORDER_STATUS_REJECTED:
      // A rejected place ends the order; a rejected cancel or amend leaves it as it was (a cancel
      // that overtook its order's placement: the order may still come, and is cancelled again).
      if (u.action == MMH_ORDER_ACTION_PLACE)
        working_.erase(it);
      else
        w.state = w.acked ? WorkingOrder::State::live : WorkingOrder::State::pending_new;
      break;
    default:  // filled, cancelled, partially filled then cancelled
      working_.erase(it);
      break;
  }
}

}  // namespace mmh
