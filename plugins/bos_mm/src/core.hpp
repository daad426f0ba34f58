// The bos_mm decision core: closed HTF/LTF candles, best bid/ask, fills and balances in; a
// desired order set (in ticks and lots, exchange-rounded) and events out. Pure: no I/O, no clock
// of its own, no venue; same inputs in the same order -> the same events, byte for byte.
#pragma once

#include "atr.hpp"
#include "bos.hpp"
#include "events.hpp"
#include "grid.hpp"
#include "instrument.hpp"
#include "policy.hpp"
#include "pullback.hpp"
#include "state_machine.hpp"
#include "structure.hpp"

#include <mmhost/plugin.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace mmh::bos {

struct ExecParams {
  int rebalance_offset_ticks = 0;  // Rebalance bids this many ticks under the reference; [0, 1e6]
  int64_t rebalance_timeout_bars = 24;  // HTF bars in Rebalance before giving up; [1, 1e7]
  double target_tolerance = 0.2;  // target reached at share >= target * (1 - tolerance); [0, 1)
  int64_t mm_max_bars = 2016;     // HTF bars of MM before Exit (7 days of 5m); [1, 1e7]
  int64_t exit_limit_bars =
      3;  // HTF bars Exit sells at a limit before turning marketable; [0, 1e7]
  // Drawdown of equity since the setup began (entering Rebalance) that forces Exit; [0.1, 100]
  double risk_stop_drawdown_pct = 4;

  void validate() const;
};

struct CoreParams {
  int atr_period = 14;  // HTF bars; [1, 1000]
  StructureParams structure;
  BosParams bos;
  PullbackParams pullback;
  PolicyParams policy;
  GridParams grid;
  ExecParams exec;
  Instrument instrument;
  TransitionTable transitions = TransitionTable::defaults();

  void validate() const;  // every sub-struct; throws std::invalid_argument naming the field
};

enum class DesiredMode { none = 0, rebalance = 1, grid = 2, exit = 3 };
const char* to_string(DesiredMode mode);

// What the core wants resting on the venue. The host diffs it against working orders.
struct Desired {
  DesiredMode mode = DesiredMode::none;
  Grid orders;              // Rebalance: one bid; Exit: one ask; MM: the grid
  bool marketable = false;  // Exit past its limit phase: sell at market
};

struct Wallet {
  int64_t base_e8 = 0;   // base the strategy may sell
  int64_t quote_e8 = 0;  // quote the strategy may spend
};

// What a strategy script decides inside the core (the host's Lua hooks). Called synchronously
// while an input is processed; a hook must not feed the core.
class CoreHooks {
 public:
  virtual ~CoreHooks() = default;
  // Once per closed HTF bar, after the thresholds suggested a level: true and `level` to use
  // the script's level instead.
  virtual bool policy(int64_t ts_ns, PolicyLevel suggested, PolicyLevel& level) = 0;
  // A scripted edge whose fact guard holds: true fires it.
  virtual bool guard(int64_t ts_ns, const Edge& edge) = 0;
  // After a transition (the new state has been entered).
  virtual void transition(int64_t ts_ns, const Edge& edge) = 0;
};

class Core {
 public:
  explicit Core(const CoreParams& params, Wallet initial = Wallet{0, 10'000 * MMH_E8});

  // Inputs. Candles must be closed. At equal close times feed the LTF bar before the HTF bar.
  void on_htf_bar(const mmh_candle& bar);
  void on_ltf_bar(const mmh_candle& bar);
  void on_quote(int64_t ts_ns, int64_t bid_e8, int64_t ask_e8);
  // side: MMH_SIDE_BUY / MMH_SIDE_SELL. Fees in quote and/or base units (negative = rebate);
  // Bybit spot takes a buy's fee in base.
  void on_fill(int64_t ts_ns, uint32_t side, int64_t price_e8, int64_t qty_e8, int64_t fee_quote_e8,
               int64_t fee_base_e8 = 0);
  // New trading rules (an instrument event); throws std::invalid_argument when invalid.
  void set_instrument(const Instrument& instrument);
  // Hot reload: new parameters from the next input on, all or nothing. Structure history, the
  // state machine's state, inventory and the policy level carry over. Parameters that size the
  // indicators' history (structure.*, atr_period, policy.vol_window,
  // policy.drawdown_window_bars) cannot change while running: std::invalid_argument names them.
  void reconfigure(const CoreParams& params);
  // Authoritative balances (a venue's snapshot) replace the wallet the fills maintain.
  void on_balances(int64_t ts_ns, int64_t base_e8, int64_t quote_e8);

  // Script hooks, or nullptr (the built-in policy; scripted edges never fire). Not owned.
  void set_hooks(CoreHooks* hooks) { hooks_ = hooks; }

  // Outputs.
  const Desired& desired() const { return desired_; }
  // Counts changes of desired(): the same count, the same orders (a reader may keep its copy).
  uint64_t desired_changes() const { return desired_changes_; }
  const std::vector<Event>& events() const { return events_; }
  void clear_events() { events_.clear(); }

  // State, for tests and reports.
  State state() const { return machine_.state(); }
  PolicyLevel policy() const { return policy_.level(); }
  const Wallet& wallet() const { return wallet_; }
  double atr_e8() const { return atr_.value_e8(); }
  int64_t protect_low_e8() const { return protect_low_e8_; }
  double inventory_share() const;
  double drawdown_pct() const;        // from the rolling peak the policy sees
  double setup_drawdown_pct() const;  // from the peak since entering Rebalance (risk stop)
  const StructureTracker& structure() const { return structure_; }
  const StateMachine& machine() const { return machine_; }
  // The policy's inputs at the last closed HTF bar.
  const PolicyInputs& policy_inputs() const { return policy_inputs_; }
  uint32_t current_facts() const { return facts(); }
  int64_t last_close_e8() const { return last_close_e8_; }
  double equity() const { return equity_e8(); }  // in 1e-8 quote units
  double initial_equity() const { return initial_equity_e8_; }
  const CoreParams& params() const { return params_; }

 private:
  uint32_t facts() const;
  void evaluate(int64_t ts_ns);
  void on_enter(State state);
  void arm_pullback();
  // Events keep a reason as a pointer; it points into this pool, which only grows, so a
  // reconfigure that replaces the transition table never leaves an event's reason dangling.
  const char* intern_reason(const std::string& reason);
  void update_desired(int64_t ts_ns);
  int64_t mark_e8() const;
  bool holding_base() const;
  void emit_bos(const BosSignal& signal);
  void emit_pullback(EventKind kind, const PullbackUpdate& update);

  static bool script_guard(void* self, const Edge& edge);

  CoreParams params_;
  CoreHooks* hooks_ = nullptr;
  int64_t eval_ts_ns_ = 0;  // the input being evaluated, for script guards
  PolicyInputs policy_inputs_;
  double initial_equity_e8_ = 0;  // at the first HTF close
  WilderAtr atr_;
  StructureTracker structure_;
  BosDetector bos_;
  PullbackTracker pullback_;
  PolicyEvaluator policy_;
  RollingVolatility volatility_;
  StateMachine machine_;
  RollingMax equity_peak_;

  Wallet wallet_;
  uint32_t pulses_ = 0;
  int64_t last_close_e8_ = 0;
  int64_t best_bid_e8_ = 0;
  int64_t best_ask_e8_ = 0;
  double equity_e8() const;
  double setup_peak_equity_e8_ = 0;
  int64_t bars_since_bos_ = -1;
  int64_t protect_low_e8_ = 0;
  double last_spread_bps_ = -1;
  // The latest confirmed bullish BOS: entering BOS arms the pullback from it.
  struct LastBos {
    BosSignal signal;
    int64_t leg_low_e8 = 0;
    double atr_e8 = 0;
  } last_bos_;
  ConfirmedPivots pivots_;  // reused every bar
  BosSignals bos_signals_;  // reused every bar
  Desired desired_;
  uint64_t desired_changes_ = 0;
  std::vector<Event> events_;
  std::deque<std::string> reasons_;
};

}  // namespace mmh::bos
