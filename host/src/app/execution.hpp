// The execution path of a run: desired orders -> order manager -> venue -> order updates, fills,
// balances -> ledger, core, strategy script. Ticks (on_market) reach the venue as they happen;
// bars go one LTF bar at a time and in this order:
//   before_bar(bar): the venue sees the bar (a simulated venue fills along it); its fills go to
//                    the ledger, the core and the script's on_fill;
//   (the caller feeds the bar to the core)
//   after_bar(bar):  mark the ledger at the close, sync the core's desired orders to the venue.
// Every input and output is an event of the run's record: folded into the event hash (XXH3-64 of
// the binary event records, ADR 0031), and written as a line of events.jsonl when the run writes
// files, so two runs on the same inputs can be compared by one number.
#pragma once

#include "app/live_stats.hpp"
#include "app/routes.hpp"
#include "app/run_recovery.hpp"
#include "engine/clock.hpp"
#include "hash/bulk_hash.hpp"
#include "journal/journal.hpp"
#include "ledger/ledger.hpp"
#include "loader/core_instance.hpp"
#include "loader/venue_instance.hpp"
#include "orders/order_manager.hpp"
#include "risk/risk_gate.hpp"

#include <mmhost/plugin.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

class StrategyRuntime;

// Where a run's records go (backtest files); every member is optional.
class ExecutionSink {
 public:
  virtual ~ExecutionSink() = default;
  // Whole event records (app/event_line.hpp), in order, in chunks: records[0, used).
  // events.jsonl renders them. The sink may take the buffer by swapping it with one of its own
  // (no copy of the run's largest stream): `records` is then that buffer, its size its room.
  virtual void event_records(std::vector<char>& records, size_t used) = 0;
  // A fill with its price and quantity in units of 1e-8 (the run's instrument applied).
  virtual void fill(const mmh_fill& fill, int64_t price_e8, int64_t qty_e8,
                    const Ledger& ledger) = 0;
  // The core's publication (ABI 1.3: the values it wants recorded per bar, chart bands and
  // markers), once before the run; empty for a core that publishes none.
  virtual void publication(const CorePublication& /*pub*/) {}
  // `bar_values`: the core's values named in its publication, at this bar's close;
  // `equity_e8` and `base_share`: the ledger's at this mark (taken once for the bar).
  virtual void mark(int64_t ts_ns, const Ledger& ledger, int64_t equity_e8, double base_share,
                    const std::vector<std::string>& bar_values) = 0;
  virtual void expect_bars(uint64_t /*ltf_bars*/) {}  // about how many bars the run will have
  virtual void bar(const mmh_candle& /*bar*/) {}      // each LTF bar, before its mark
  virtual void decision(const mmh_decision& /*decision*/) {}
};

struct ExecutionSetup {
  std::string base_asset;
  std::string quote_asset;
  int64_t tick_e8 = 1'000'000;
  int64_t lot_e8 = 1'000;
  amount_e18 start_base_e18 = 0;
  amount_e18 start_quote_e18 = 0;
  OrderManagerConfig orders;
  // Venue balance reports must add up to the ledger's totals (simulated venues). A live
  // exchange's wallet pushes race its fill pushes, so live runs compare at the end instead.
  bool check_venue = true;
  // Live runs: no order goes out before the first live book snapshot (the warm-up bars are
  // history; quoting on them would quote stale prices).
  bool wait_for_book = false;
  // Live runs: the wallet the core trades (capped by capital.allocation), handed to it as a
  // balance report with the first live book, after the warm-up (which it spends holding only
  // quote, so history's prices move no equity it does not have). Amounts at 1e-8.
  // (Otherwise the venue's balance reports reach the core as they come: its wallet is the
  // venue's.)
  bool core_wallet_at_book = false;
  int64_t core_base_e8 = 0;
  int64_t core_quote_e8 = 0;
  // Where fills and balances go (the core, the script): the run's routing table.
  Routes routes;
  // The RiskGate's limits (the host's and the strategy's, the tighter of each).
  RiskLimits risk;
  // Where the gate's trading state is kept across a restart (a run directory's risk_state.json;
  // empty = nowhere), and a state read back from it.
  std::string risk_state_file;
  std::string restored_risk_state;
  // Wall-clock runs: every input, intent and decision goes to the run's journal as well; order
  // intents reach the disk before their requests leave.
  JournalWriter* journal = nullptr;
  // Operators' alerts (a webhook; empty: none), called on the engine thread, never blocking:
  // halted (daily_loss, drawdown or an operator), stale data past `alert_stale_ns`, quotes
  // pulled for an unknown book 5 times within 10 minutes (a reconnect storm).
  std::function<void(const std::string& kind, const std::string& message, int64_t ts_ns)> alert;
  int64_t alert_stale_ns = 30'000'000'000;
  // A resumed run (--resume): what its journal says it did (the ledger's start and every fill,
  // re-applied once; later reports of those fills are dropped), and what to do with its orders
  // the venue still has open (adopt, or cancel before quoting).
  const RecoveredRun* recovered = nullptr;
  bool adopt_open_orders = false;
  // The venue reports the run's past executions again when it starts (a live exchange
  // reconciling since the run's start): the journal's are dropped. A simulated venue starts
  // afresh, with ids of its own that may repeat the dead process's.
  bool venue_repeats_fills = false;
  // A simulated venue on a stream (paper) lives on the exchange's time, as its market data does:
  // commands sent on the wall clock's timers (resync, staleness, steering) are stamped with the
  // last market time, not the wall clock, or the venue would hold them until the market caught
  // up with a clock it does not follow (an exchange clock behind, or a soak's faster one).
  bool venue_on_market_time = false;
  // The run's clock: market data is stamped with its time on arrival (stale-data checks).
  // nullptr: the data's own time (a run on the simulated clock).
  const Clock* clock = nullptr;
};

// An operator's command to the RiskGate (control socket, SIGUSR1).
enum class RiskCommand { halt, reduce, resume };

// Time-weighted (per LTF bar) statistics of the run.
struct ExecutionStats {
  uint64_t bars = 0;
  double base_share_sum = 0.0;
  double base_share_max = 0.0;
  uint64_t bars_holding_base = 0;
  // Daily equity (UTC day of the mark -> last equity of that day), for Sharpe/Sortino.
  std::vector<std::pair<int64_t, int64_t>> daily_equity_e8;
};

class Execution {
 public:
  Execution(VenueInstance& venue, CoreInstance* core, StrategyRuntime* runtime,
            const ExecutionSetup& setup, ExecutionSink* sink);

  // Called after the core's input changed (fills): the caller collects the core's decisions.
  void set_after_core_input(std::function<void()> fn) { after_core_input_ = std::move(fn); }

  // Ticks for the venue between bars (trades, book updates): fills happen at their time. An
  // EMPTY book snapshot means the connector lost the book (gap, stale stream, disconnect): every
  // working order is cancelled and none is placed until a non-empty snapshot arrives.
  void on_market(const mmh_batch& batch);
  bool quotes_pulled() const { return quotes_pulled_; }
  uint64_t quote_pulls() const { return quote_pulls_; }
  // Every quote is pulled now: the book is unknown, or the market data is stale.
  bool quotes_pulled_now() const { return quotes_pulled_ || gate_.data_stale(); }
  // Wall-clock runs: latencies, rejects by reason, the data's age (metrics, status line).
  const LiveStats& live_stats() const { return live_; }
  // What a live venue says of its connection ("reconnects: N" in its description), for the
  // metrics; nullopt when it says nothing.
  std::optional<uint64_t> venue_reconnects() const;
  // A market update posted by a live connector was handled `ns` after its post (the engine's
  // observer): the decision latency operators watch.
  void reacted(uint32_t kind, int64_t ns);
  // Fill reports dropped as already applied (a resumed run's reconciliation).
  uint64_t duplicate_fills() const { return duplicate_fills_; }
  // A live venue posted (from its own thread): take its events now, on the engine thread, and
  // after fills sync the core's orders at once.
  void on_venue_events();
  void before_bar(const mmh_candle& bar);
  void after_bar(const mmh_candle& bar);
  // A decision the run recorded (core or script): logged and hashed with the rest.
  void record_decision(const mmh_decision& decision);

  // An operator's command: `halt` cancels every working order now and sends nothing new until
  // `resume` (fills and balances are still applied); `reduce` keeps only orders toward the
  // target inventory. Returns false when the gate was in that state already.
  bool command(RiskCommand command, int64_t ts_ns, const std::string& reason);
  // A live run's end, after the venue's last reconciliation: the ledger's holdings against the
  // venue's wallet; a difference is alerted. True when they agree.
  bool wallets_agree(int64_t ts_ns);
  // A live timer, once a second: the orders the core wants now go out even when no bar closes
  // and nothing fills (the book moved the core's grid; the venue cancelled orders on its own
  // after an outage; places it refused while reconciling). Nothing before the first book.
  void resync(int64_t now_ns);
  // Between market data updates (a live timer): data older than the stale limit pulls quotes.
  void check_data_age(int64_t now_ns);

  // The stop has begun: no order command leaves after this, whatever arrives (a fill racing the
  // stop's cancel would otherwise rebuild the grid behind the venue's back); fills, updates and
  // balances are still applied, so the report ends as the exchange does.
  void stop_orders() { orders_stopped_ = true; }

  const Ledger& ledger() const { return ledger_; }
  const RiskGate& risk() const { return gate_; }
  const OrderManager& orders() const { return orders_; }
  // The time of the last market data or bar the run took (INT64_MIN before any).
  int64_t last_market_ns() const { return last_market_ns_; }
  const ExecutionStats& stats() const { return stats_; }
  uint64_t event_hash() const;
  uint64_t event_count() const { return events_; }

 private:
  bool drain();  // true when fills were applied (then fill_batch_ holds them)
  void give_core_wallet(int64_t ts_ns);
  // One event's record ended: counted; records are hashed and handed to the sink in bulk.
  void line();
  // Hashes the records not hashed yet and hands them to the sink.
  void take_records() const;
  void sample_bar_values();
  void risk_line(int64_t ts_ns, const std::string& reason);
  void data_line(int64_t ts_ns);
  void data_seen(int64_t exchange_ns, bool crossed);
  // The time a command sent at wall time `now_ns` carries (venue_on_market_time).
  int64_t command_time(int64_t now_ns) const;
  void sync(int64_t ts_ns);
  // The journal (wall-clock runs): one record, stamped with the local time now.
  void journal(uint32_t kind, int64_t exchange_ns, const void* record, size_t size);
  void start_ledger(int64_t ts_ns, int64_t mid_e8);
  // A fill's first report (true), or one already applied (a restart's reconciliation).
  bool first_report(const mmh_fill& fill);
  void adopt_if_ours(const mmh_order_update& update);

  VenueInstance& venue_;
  CoreInstance* core_;
  StrategyRuntime* runtime_;
  ExecutionSetup setup_;
  ExecutionSink* sink_;
  Ledger ledger_;
  OrderManager orders_;
  RiskGate gate_;
  std::function<void()> after_core_input_;
  bool started_ = false;
  bool core_wallet_given_ = false;
  bool forward_balances_ = false;  // by the routing table
  bool fills_to_core_ = false;
  bool fills_to_script_ = false;
  std::set<std::string, std::less<>> exec_ids_;  // fills applied (wall-clock runs)
  uint64_t duplicate_fills_ = 0;
  LiveStats live_;
  int64_t stale_since_ns_ = 0;  // data stale since (0: fresh)
  bool stale_alerted_ = false;
  std::vector<int64_t> pull_times_ns_;  // quote pulls for an unknown book, last 10 minutes
  int64_t storm_alerted_ns_ = 0;        // 0: never
  std::vector<mmh_order_command> commands_;
  std::vector<mmh_desired_order> desired_;  // what the core wants, as the gate passed it
  std::vector<mmh_fill> fill_batch_;
  std::vector<mmh_balance> balance_batch_;  // drain's balances for the core, told together
  std::vector<VenueEvent> venue_events_;
  // Event records not hashed yet: the first record_used_ bytes (app/event_line.hpp).
  mutable std::vector<char> record_ = std::vector<char>(80 * 1024);
  mutable size_t record_used_ = 0;
  ExecutionStats stats_;
  int64_t day_ = INT64_MIN;
  mutable BulkHash64 hash_;  // of the event records (ADR 0031)
  uint64_t events_ = 0;
  bool quotes_pulled_ = false;
  bool orders_stopped_ = false;
  std::string restored_note_;
  int64_t last_market_ns_ = INT64_MIN;  // a restored state not yet in events.jsonl
  uint64_t quote_pulls_ = 0;
  // The core's per-bar values (its publication): names, their snapshot indexes (found at the
  // first bar), and their text at the last bar.
  std::vector<std::string> bar_values_;
  std::vector<size_t> bar_value_index_;
  uint32_t bar_values_wanted_ = 0;
  std::vector<std::string> bar_texts_;
};

}  // namespace mmh
