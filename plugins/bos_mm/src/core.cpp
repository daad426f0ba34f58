#include "core.hpp"

#include "validate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mmh::bos {
namespace {

constexpr const char* kExec = "execution";

StateTimeouts timeouts_of(const ExecParams& exec) {
  StateTimeouts t;
  t.bars[static_cast<size_t>(State::rebalance)] = exec.rebalance_timeout_bars;
  t.bars[static_cast<size_t>(State::mm)] = exec.mm_max_bars;
  t.bars[static_cast<size_t>(State::exit)] = exec.exit_limit_bars;
  return t;
}

int32_t basis_points(double fraction) {
  return static_cast<int32_t>(round_to_int64(fraction * 10'000.0));
}

}  // namespace

void ExecParams::validate() const {
  check_range(kExec, "rebalance_offset_ticks", rebalance_offset_ticks, 0, 1e6);
  check_range(kExec, "rebalance_timeout_bars", static_cast<double>(rebalance_timeout_bars), 1, 1e7);
  check_range(kExec, "target_tolerance", target_tolerance, 0, 0.999);
  check_range(kExec, "mm_max_bars", static_cast<double>(mm_max_bars), 1, 1e7);
  check_range(kExec, "exit_limit_bars", static_cast<double>(exit_limit_bars), 0, 1e7);
  check_range("risk", "stop_drawdown_pct", risk_stop_drawdown_pct, 0.1, 100);
}

void CoreParams::validate() const {
  check_range("structure", "atr_period", atr_period, WilderAtr::kMinPeriod, WilderAtr::kMaxPeriod);
  structure.validate();
  bos.validate();
  pullback.validate();
  policy.validate();
  grid.validate();
  exec.validate();
  instrument.validate();
  transitions.validate();
}

const char* to_string(DesiredMode mode) {
  switch (mode) {
    case DesiredMode::rebalance:
      return "rebalance";
    case DesiredMode::grid:
      return "grid";
    case DesiredMode::exit:
      return "exit";
    case DesiredMode::none:
      break;
  }
  return "none";
}

Core::Core(const CoreParams& params, Wallet initial)
    : params_((params.validate(), params)),
      atr_(params.atr_period),
      structure_(params.structure),
      bos_(params.bos),
      pullback_(params.pullback),
      policy_(params.policy),
      volatility_(params.policy.vol_window),
      machine_(params.transitions, timeouts_of(params.exec)),
      equity_peak_(params.policy.drawdown_window_bars),
      wallet_(initial) {
  if (initial.base_e8 < 0 || initial.quote_e8 < 0)
    throw std::invalid_argument("initial balances must not be negative");
  events_.reserve(64);
}

int64_t Core::mark_e8() const {
  if (best_bid_e8_ > 0 && best_ask_e8_ > 0) return (best_bid_e8_ + best_ask_e8_) / 2;
  return last_close_e8_;
}

double Core::inventory_share() const {
  if (wallet_.base_e8 == 0) return 0.0;  // flat: most bars
  const double mark = static_cast<double>(mark_e8());
  const double base_value = static_cast<double>(wallet_.base_e8) * mark / 1e8;
  const double equity = base_value + static_cast<double>(wallet_.quote_e8);
  return equity > 0 ? base_value / equity : 0.0;
}

double Core::equity_e8() const {
  return static_cast<double>(wallet_.base_e8) * static_cast<double>(mark_e8()) / 1e8 +
         static_cast<double>(wallet_.quote_e8);
}

namespace {
double drawdown_from(double peak, double equity) {
  return peak > 0 ? std::max(0.0, (peak - equity) / peak * 100.0) : 0.0;
}
}  // namespace

double Core::drawdown_pct() const {
  return drawdown_from(std::max(equity_peak_.max(), equity_e8()), equity_e8());
}

double Core::setup_drawdown_pct() const {
  return drawdown_from(setup_peak_equity_e8_, equity_e8());
}

bool Core::holding_base() const {
  if (wallet_.base_e8 <= 0) return false;  // flat: most bars
  const Instrument& inst = params_.instrument;
  const int64_t mark = mark_e8();
  if (mark <= 0) return wallet_.base_e8 >= inst.lot_e8;
  return inst.meets_minimums(inst.price_ticks_down(mark), inst.qty_lots_down(wallet_.base_e8));
}

uint32_t Core::facts() const {
  uint32_t f = pulses_;
  if (pullback_.stage() == PullbackStage::confirmed) f |= kPullbackConfirmed;
  if (policy_.level() == PolicyLevel::disabled) f |= kPolicyDisabled;
  if (policy_.level() == PolicyLevel::defensive) f |= kPolicyDefensive;
  if (setup_peak_equity_e8_ > 0 && setup_drawdown_pct() >= params_.exec.risk_stop_drawdown_pct)
    f |= kRiskStop;
  if (inventory_share() >= params_.grid.target_base_share * (1.0 - params_.exec.target_tolerance))
    f |= kTargetReached;
  if (holding_base()) f |= kHoldingBase;
  return f;
}

void Core::emit_bos(const BosSignal& s) {
  Event& e = events_.emplace_back();
  e.kind = s.stage == BosStage::potential   ? EventKind::bos_potential
           : s.stage == BosStage::confirmed ? EventKind::bos_confirmed
                                            : EventKind::bos_failed;
  e.ts_ns = s.ts_ns;
  e.direction = s.direction;
  e.fail_reason = s.fail_reason;
  e.level_e8 = s.level_e8;
  e.price_e8 = s.close_e8;
  e.threshold_e8 = s.threshold_e8;
  e.atr_e8 = s.atr_e8;
  e.closes = s.closes;
}

void Core::emit_pullback(EventKind kind, const PullbackUpdate& u) {
  Event& e = events_.emplace_back();
  e.kind = kind;
  e.ts_ns = u.ts_ns;
  e.direction = Direction::bullish;
  e.price_e8 = u.price_e8;
  e.zone_low_e8 = u.zone.low_e8;
  e.zone_high_e8 = u.zone.high_e8;
  e.level_e8 = pullback_.leg_high_e8();
  e.threshold_e8 = protect_low_e8_;
  e.atr_e8 = round_to_int64(atr_.value_e8());
}

void Core::on_htf_bar(const mmh_candle& bar) {
  const int64_t ts = bar.open_ts_ns + bar.interval_ns;
  atr_.add(bar);
  const double atr = atr_.value_e8();
  const State state = machine_.state();
  const bool in_setup = state == State::bos || state == State::rebalance || state == State::mm;

  // Structure first: a higher low confirmed now raises the protecting low of an open setup.
  structure_.on_bar(bar, atr, pivots_);
  for (const Pivot& p : pivots_)
    if (p.kind == PivotKind::low && in_setup && p.price_e8 > protect_low_e8_)
      protect_low_e8_ = p.price_e8;

  // The pullback of an earlier BOS sees this bar before a new BOS can re-arm it.
  const PullbackUpdate pb = pullback_.on_htf_bar(bar, protect_low_e8_);
  if (pb.started) {
    emit_pullback(EventKind::pullback_started, pb);
    pulses_ |= kPullbackStarted;
  }
  if (pb.confirmed) emit_pullback(EventKind::pullback_confirmed, pb);
  if (pb.expired) pulses_ |= kPullbackExpired;
  if (pb.invalidated || (in_setup && protect_low_e8_ > 0 && bar.close_e8 < protect_low_e8_))
    pulses_ |= kStructureInvalid;

  bos_.on_bar(bar, structure_, atr, bos_signals_);
  for (const BosSignal& s : bos_signals_) {
    emit_bos(s);
    if (s.direction == Direction::bullish) {
      if (s.stage == BosStage::confirmed) {
        pulses_ |= kBullishBos;
        bars_since_bos_ = 0;
        const auto& low = structure_.last_low();
        last_bos_ = LastBos{s, low ? low->price_e8 : bar.low_e8, atr};
        // A newer break while waiting for the pullback re-arms it; from Idle, entering BOS does.
        if (state == State::bos) arm_pullback();
      } else if (s.stage == BosStage::failed) {
        pulses_ |= kBosFailed;
      }
    } else if (s.stage == BosStage::confirmed) {
      pulses_ |= kBearishBos;
    }
  }

  // Mark to market at the close and feed the policy.
  last_close_e8_ = bar.close_e8;
  volatility_.add_close(bar.close_e8);
  const double close = static_cast<double>(bar.close_e8);
  const double equity = equity_e8();
  equity_peak_.add(equity);
  if (setup_peak_equity_e8_ > 0) setup_peak_equity_e8_ = std::max(setup_peak_equity_e8_, equity);
  // Written in place: a local copied in whole reads 16 bytes that two 8-byte stores just wrote,
  // which the store buffer cannot forward (a stall per bar).
  PolicyInputs& in = policy_inputs_;
  in.atr_pct = close > 0 ? atr / close * 100.0 : 0.0;
  in.volatility_pct = volatility_.pct();
  in.spread_bps = last_spread_bps_;
  in.drawdown_pct = drawdown_pct();
  in.inventory_share = inventory_share();
  in.bars_since_bos = bars_since_bos_;
  if (initial_equity_e8_ == 0) initial_equity_e8_ = equity;
  PolicyDecision decision = policy_.evaluate(in);
  PolicyLevel scripted = decision.level;
  if (hooks_ != nullptr && hooks_->policy(ts, decision.level, scripted))
    decision = policy_.override_level(decision, scripted);
  if (decision.changed) {
    Event& e = events_.emplace_back();
    e.kind = EventKind::policy_changed;
    e.ts_ns = ts;
    e.policy_from = decision.previous;
    e.policy_to = decision.level;
    e.cause = decision.cause;
    e.price_e8 = bar.close_e8;
    e.atr_e8 = round_to_int64(atr);
    e.atr_pct_bp = basis_points(in.atr_pct / 100.0);
    e.volatility_pct_bp = basis_points(in.volatility_pct / 100.0);
    e.drawdown_pct_bp = basis_points(in.drawdown_pct / 100.0);
  }
  if (bars_since_bos_ >= 0) ++bars_since_bos_;
  machine_.on_htf_bar();
  evaluate(ts);
  update_desired(ts);
  pulses_ = 0;
}

void Core::on_ltf_bar(const mmh_candle& bar) {
  const int64_t ts = bar.open_ts_ns + bar.interval_ns;
  last_close_e8_ = bar.close_e8;
  const PullbackUpdate pb = pullback_.on_ltf_bar(bar);
  if (pb.confirmed) emit_pullback(EventKind::pullback_confirmed, pb);
  evaluate(ts);
  // Rebalance and Exit follow the execution timeframe; the MM grid re-centres on HTF bars and
  // fills only, so it is not churned every minute.
  if (machine_.state() != State::mm) update_desired(ts);
  pulses_ = 0;
}

void Core::on_quote(int64_t ts_ns, int64_t bid_e8, int64_t ask_e8) {
  (void)ts_ns;
  if (bid_e8 <= 0 || ask_e8 <= 0 || ask_e8 < bid_e8)
    return;  // a crossed or empty book says nothing
  best_bid_e8_ = bid_e8;
  best_ask_e8_ = ask_e8;
  const double mid = static_cast<double>(bid_e8 + ask_e8) / 2.0;
  last_spread_bps_ = static_cast<double>(ask_e8 - bid_e8) / mid * 1e4;
}

void Core::reconfigure(const CoreParams& next) {
  next.validate();
  auto fixed = [](const char* name, bool same) {
    if (!same)
      throw std::invalid_argument(std::string(name) +
                                  " cannot change while running (it sizes the history the core "
                                  "has built); restart the run to change it");
  };
  fixed("structure.atr_period", next.atr_period == params_.atr_period);
  fixed("structure.left_bars", next.structure.left_bars == params_.structure.left_bars);
  fixed("structure.right_bars", next.structure.right_bars == params_.structure.right_bars);
  fixed("structure.min_swing_atr", next.structure.min_swing_atr == params_.structure.min_swing_atr);
  fixed("policy.vol_window", next.policy.vol_window == params_.policy.vol_window);
  fixed("policy.drawdown_window_bars",
        next.policy.drawdown_window_bars == params_.policy.drawdown_window_bars);
  // Everything below was validated above, so no step can fail half-way.
  machine_.replace(next.transitions, timeouts_of(next.exec));
  bos_.set_params(next.bos);
  pullback_.set_params(next.pullback);
  policy_.set_params(next.policy);
  params_ = next;
}

void Core::set_instrument(const Instrument& instrument) {
  instrument.validate();
  params_.instrument = instrument;
}

void Core::on_fill(int64_t ts_ns, uint32_t side, int64_t price_e8, int64_t qty_e8,
                   int64_t fee_quote_e8, int64_t fee_base_e8) {
  const int64_t value = Instrument::value_e8(price_e8, qty_e8);
  wallet_.base_e8 -= fee_base_e8;
  if (side == MMH_SIDE_BUY) {
    wallet_.base_e8 += qty_e8;
    wallet_.quote_e8 -= value + fee_quote_e8;
  } else if (side == MMH_SIDE_SELL) {
    wallet_.base_e8 -= qty_e8;
    wallet_.quote_e8 += value - fee_quote_e8;
  } else {
    throw std::invalid_argument("fill side must be buy or sell");
  }
  evaluate(ts_ns);
  update_desired(ts_ns);
  pulses_ = 0;
}

void Core::on_balances(int64_t ts_ns, int64_t base_e8, int64_t quote_e8) {
  base_e8 = std::max<int64_t>(0, base_e8);
  quote_e8 = std::max<int64_t>(0, quote_e8);
  if (base_e8 == wallet_.base_e8 && quote_e8 == wallet_.quote_e8) return;
  wallet_.base_e8 = base_e8;
  wallet_.quote_e8 = quote_e8;
  evaluate(ts_ns);
  update_desired(ts_ns);
}

const char* Core::intern_reason(const std::string& reason) {
  for (const std::string& known : reasons_)
    if (known == reason) return known.c_str();
  return reasons_.emplace_back(reason).c_str();
}

void Core::arm_pullback() {
  protect_low_e8_ = last_bos_.leg_low_e8;
  pullback_.arm(last_bos_.signal, protect_low_e8_, last_bos_.atr_e8);
}

void Core::evaluate(int64_t ts_ns) {
  // Facts are measured again after every transition: entering a state changes some of them
  // (Idle forgets the pullback, BOS arms a new one).
  eval_ts_ns_ = ts_ns;
  for (int chain = 0; chain < StateMachine::kMaxChain; ++chain) {
    const uint32_t f = facts();
    const Edge* fired = machine_.step(f, hooks_ != nullptr ? &Core::script_guard : nullptr, this);
    if (fired == nullptr) break;
    const Edge& edge = *fired;
    Event& e = events_.emplace_back();
    e.kind = EventKind::transition;
    e.ts_ns = ts_ns;
    e.from = edge.from;
    e.to = edge.to;
    e.reason = intern_reason(edge.reason);
    e.facts = f;
    e.price_e8 = last_close_e8_;
    e.inventory_share_bp = basis_points(inventory_share());
    on_enter(edge.to);
    if (hooks_ != nullptr) hooks_->transition(ts_ns, edge);
  }
}

bool Core::script_guard(void* self, const Edge& edge) {
  auto* core = static_cast<Core*>(self);
  return core->hooks_->guard(core->eval_ts_ns_, edge);
}

void Core::on_enter(State state) {
  if (state == State::idle) {
    pullback_.disarm();
    protect_low_e8_ = 0;
    setup_peak_equity_e8_ = 0;
  } else if (state == State::bos) {
    arm_pullback();
  } else if (state == State::rebalance) {
    setup_peak_equity_e8_ = equity_e8();
  }
}

void Core::update_desired(int64_t ts_ns) {
  const State state = machine_.state();
  // Most bars are spent in Idle or BOS wanting nothing: skip building an empty order set.
  if ((state == State::idle || state == State::bos) && desired_.mode == DesiredMode::none) return;
  const Instrument& inst = params_.instrument;
  Desired next;
  const int64_t reference = mark_e8();
  switch (machine_.state()) {
    case State::idle:
    case State::bos:
      break;
    case State::rebalance: {
      // Buy toward the target share with one limit near the pullback: at the reference (bid or
      // last close), never above the zone the pullback entered.
      const double mark = static_cast<double>(reference);
      const double base_value = static_cast<double>(wallet_.base_e8) * mark / 1e8;
      const double equity = base_value + static_cast<double>(wallet_.quote_e8);
      const double need_quote = std::min(params_.grid.target_base_share * equity - base_value,
                                         static_cast<double>(wallet_.quote_e8));
      int64_t price = best_bid_e8_ > 0 ? best_bid_e8_ : reference;
      const Zone& zone = pullback_.entered_zone();
      if (zone.valid()) price = std::min(price, zone.high_e8);
      const int64_t ticks = inst.price_ticks_down(price) - params_.exec.rebalance_offset_ticks;
      if (need_quote > 0 && ticks > 0) {
        const int64_t lots = inst.qty_lots_down(
            static_cast<int64_t>(need_quote / static_cast<double>(inst.price_e8(ticks)) * 1e8));
        if (inst.meets_minimums(ticks, lots)) {
          next.mode = DesiredMode::rebalance;
          next.orders.bids[0] = GridLevel{ticks, lots};
          next.orders.bid_count = 1;
        }
      }
      break;
    }
    case State::mm: {
      if (policy_.level() == PolicyLevel::disabled) break;
      GridInputs in;
      in.centre_e8 = reference;
      in.best_bid_e8 = best_bid_e8_;
      in.best_ask_e8 = best_ask_e8_;
      in.atr_e8 = atr_.value_e8();
      in.atr_pct = reference > 0 ? in.atr_e8 / static_cast<double>(reference) * 100.0 : 0.0;
      in.policy = policy_.level();
      in.base_free_e8 = wallet_.base_e8;
      in.quote_free_e8 = wallet_.quote_e8;
      next.mode = DesiredMode::grid;
      next.orders = build_grid(params_.grid, inst, in);
      break;
    }
    case State::exit: {
      const int64_t lots = inst.qty_lots_down(wallet_.base_e8);
      const int64_t price = best_ask_e8_ > 0 ? best_ask_e8_ : reference;
      const int64_t ticks = inst.price_ticks_up(price);
      if (inst.meets_minimums(ticks, lots)) {
        next.mode = DesiredMode::exit;
        next.orders.asks[0] = GridLevel{ticks, lots};
        next.orders.ask_count = 1;
        // exit_limit_bars = 0: marketable at once (a 0 timeout in the machine means never).
        next.marketable = params_.exec.exit_limit_bars == 0 || machine_.timed_out();
      }
      break;
    }
  }
  const bool changed = next.mode != desired_.mode || next.marketable != desired_.marketable ||
                       !next.orders.same_orders(desired_.orders);
  desired_ = next;
  if (!changed) return;
  ++desired_changes_;
  Event& e = events_.emplace_back();
  e.kind = EventKind::grid_updated;
  e.ts_ns = ts_ns;
  e.price_e8 = next.orders.centre_e8 != 0 ? next.orders.centre_e8 : reference;
  e.step_e8 = next.orders.step_e8;
  e.bid_levels = next.orders.bid_count;
  e.ask_levels = next.orders.ask_count;
  e.to = machine_.state();
  e.policy_to = policy_.level();
  e.inventory_share_bp = basis_points(inventory_share());
  e.marketable = next.marketable;
}

}  // namespace mmh::bos
