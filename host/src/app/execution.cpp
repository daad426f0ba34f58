#include "app/execution.hpp"

#include "app/event_line.hpp"
#include "app/format.hpp"
#include "app/strategy_runtime.hpp"
#include "engine/event_time.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mmh {
namespace {

constexpr int64_t kDayNs = 86'400'000'000'000;

// Names as string_views of literals: an event line takes their length without a strlen.
std::string_view side_name(uint32_t side) {
  using namespace std::string_view_literals;
  return side == MMH_SIDE_BUY ? "buy"sv : side == MMH_SIDE_SELL ? "sell"sv : "none"sv;
}

std::string_view status_name(uint32_t status) {
  switch (status) {
    case MMH_ORDER_STATUS_NEW:
      return "new";
    case MMH_ORDER_STATUS_PARTIALLY_FILLED:
      return "partially_filled";
    case MMH_ORDER_STATUS_FILLED:
      return "filled";
    case MMH_ORDER_STATUS_CANCELLED:
      return "cancelled";
    case MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED:
      return "partially_filled_cancelled";
    case MMH_ORDER_STATUS_REJECTED:
      return "rejected";
    default:
      return "unknown";
  }
}

std::string_view action_name(uint32_t action) {
  switch (action) {
    case MMH_ORDER_ACTION_PLACE:
      return "place";
    case MMH_ORDER_ACTION_AMEND:
      return "amend";
    case MMH_ORDER_ACTION_CANCEL:
      return "cancel";
    case MMH_ORDER_ACTION_CANCEL_ALL:
      return "cancel_all";
    default:
      return "unknown";
  }
}

std::string_view tif_name(uint32_t tif) {
  switch (tif) {
    case MMH_TIF_GTC:
      return "gtc";
    case MMH_TIF_POST_ONLY:
      return "post_only";
    case MMH_TIF_IOC:
      return "ioc";
    case MMH_TIF_FOK:
      return "fok";
    default:
      return "none";
  }
}

double decimal_value(const mmh_decimal& d) {
  return static_cast<double>(d.mantissa) * std::pow(10.0, d.exponent);
}

// A fee for the event line: exact, as the venue reported it.
std::string decimal_text(const mmh_decimal& d) {
  bool rounded = false;
  return format_e18(decimal_to_e18_rounded(d, rounded).value_or(0));
}

int64_t event_ts_ns(const VenueEvent& e) {
  switch (e.kind) {
    case MMH_EVENT_ORDER_UPDATE:
      return e.update.ts_ns;
    case MMH_EVENT_FILL:
      return e.fill.ts_ns;
    case MMH_EVENT_BALANCE:
      return e.balance.ts_ns;
    default:
      return INT64_MIN;
  }
}

}  // namespace

Execution::Execution(VenueInstance& venue, CoreInstance* core, StrategyRuntime* runtime,
                     const ExecutionSetup& setup, ExecutionSink* sink)
    : venue_(venue),
      core_(core),
      runtime_(runtime),
      setup_(setup),
      sink_(sink),
      ledger_(LedgerConfig{setup.base_asset, setup.quote_asset, setup.tick_e8, setup.lot_e8,
                           setup.start_base_e18, setup.start_quote_e18, setup.check_venue}),
      orders_(setup.orders),
      gate_(setup.risk),
      quotes_pulled_(setup.wait_for_book) {
  forward_balances_ = core_ != nullptr && setup_.routes.to(MMH_EVENT_BALANCE, kToCore);
  fills_to_core_ = core_ != nullptr && setup_.routes.to(MMH_EVENT_FILL, kToCore);
  fills_to_script_ = runtime_ != nullptr && setup_.routes.to(MMH_EVENT_FILL, kToScript);
  if (core_ != nullptr) {
    // The values the core asks to be recorded per bar, and how the report draws them.
    CorePublication pub = core_->publication();
    for (const std::string& why : pub.left_out) spdlog::warn("core publication: {} left out", why);
    bar_values_ = pub.bar_values;
    bar_texts_.assign(bar_values_.size(), std::string());
    if (sink_ != nullptr) sink_->publication(pub);
  }
  if (const RecoveredRun* r = setup_.recovered) {
    // The run so far, as its journal holds it: the same start, every fill once.
    if (r->ledger_started) {
      ledger_.start(r->start_ts_ns, r->start_mid_e8);
      started_ = true;
    }
    for (const mmh_fill& f : r->fills) ledger_.apply_fill(f);
    if (setup_.venue_repeats_fills) exec_ids_.insert(r->exec_ids.begin(), r->exec_ids.end());
  }
  if (!setup_.restored_risk_state.empty()) {
    gate_.restore(setup_.restored_risk_state);
    if (gate_.state() != TradingState::active)
      restored_note_ = std::string("restored from ") + setup_.risk_state_file + " at start";
  }
}

uint64_t Execution::event_hash() const {
  take_records();
  return hash_.value();
}

void Execution::take_records() const {
  hash_.add(record_.data(), record_used_);
  if (sink_ != nullptr) sink_->event_records(record_, record_used_);
  record_used_ = 0;
}

void Execution::line() {
  ++events_;
  // Records are hashed in bulk: the stream's hash does not depend on how it is cut.
  if (record_used_ >= 64 * 1024) take_records();
}

void Execution::journal(uint32_t kind, int64_t exchange_ns, const void* record, size_t size) {
  if (setup_.journal == nullptr) return;
  setup_.journal->append(static_cast<uint16_t>(kind), WallClock().now_ns(), exchange_ns, record,
                         size);
}

void Execution::start_ledger(int64_t ts_ns, int64_t mid_e8) {
  ledger_.start(ts_ns, mid_e8);
  started_ = true;
  const int64_t mark[2] = {ts_ns, mid_e8};
  journal(kJournalLedgerStart, ts_ns, mark, sizeof(mark));
}

void Execution::adopt_if_ours(const mmh_order_update& u) {
  // A resumed run: an order of its own still open on the venue, not known here.
  const std::string_view id(u.client_id, strnlen(u.client_id, sizeof(u.client_id)));
  const std::string& prefix = setup_.orders.id_prefix;
  if ((u.status != MMH_ORDER_STATUS_NEW && u.status != MMH_ORDER_STATUS_PARTIALLY_FILLED) ||
      id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0 ||
      id[prefix.size()] != '-' || orders_.knows(id))
    return;
  orders_.adopt(u, !setup_.adopt_open_orders);
  const char* what = setup_.adopt_open_orders ? "adopted" : "cancelled before quoting";
  spdlog::warn("resume: order {} is still open on the venue: {}", id, what);
  if (setup_.journal != nullptr)
    setup_.journal->note(WallClock().now_ns(),
                         "order " + std::string(id) + " open at resume: " + what);
}

bool Execution::first_report(const mmh_fill& f) {
  if (setup_.journal == nullptr) return true;  // runs on the simulated clock: one report each
  const std::string_view id(f.exec_id, strnlen(f.exec_id, sizeof(f.exec_id)));
  if (id.empty() || exec_ids_.insert(std::string(id)).second) return true;
  ++duplicate_fills_;
  spdlog::info("fill {} of {} was applied before (a restart's reconciliation): not again", id,
               std::string_view(f.client_id, strnlen(f.client_id, sizeof(f.client_id))));
  return false;
}

void Execution::record_decision(const mmh_decision& d) {
  journal(MMH_EVENT_DECISION, d.ts_ns, &d, sizeof(d));
  if (sink_ != nullptr) sink_->decision(d);
  EventLine(record_, record_used_)
      .str("type", "decision")
      .num("ts_ns", d.ts_ns)
      .time("time", d.ts_ns)
      .str("kind", d.kind)
      .str("detail", d.detail)
      .done();
  line();
}

void Execution::reacted(uint32_t kind, int64_t ns) {
  if (kind == MMH_EVENT_BOOK_SNAPSHOT || kind == MMH_EVENT_BOOK_DELTA || kind == MMH_EVENT_TICKER ||
      kind == MMH_EVENT_TRADE || kind == MMH_EVENT_CANDLE)
    live_.decision_latency.add(static_cast<double>(ns) / 1e9);
}

void Execution::on_market(const mmh_batch& batch) {
  if (setup_.journal != nullptr && batch.count > 0) {
    const int64_t now_ns = WallClock().now_ns();
    setup_.journal->append_batch(batch, now_ns);
    const void* last =
        static_cast<const char*>(batch.records) + (batch.count - 1) * batch.record_size;
    const int64_t lag_ns = now_ns - event_time_ns(batch.kind, last);
    if (lag_ns >= 0 && setup_.clock != nullptr)  // a stream's updates, not a paced replay's
      live_.market_data_latency.add(static_cast<double>(lag_ns) / 1e9);
    if (batch.kind != MMH_EVENT_TRADE) live_.last_data_local_ns = now_ns;
  }
  venue_.on_market(batch);
  drain();
  if (setup_.journal != nullptr) setup_.journal->flush();
  if (batch.count == 0) return;
  const void* last_record =
      static_cast<const char*>(batch.records) + (batch.count - 1) * batch.record_size;
  if (batch.kind == MMH_EVENT_TICKER) {
    const auto* t = static_cast<const mmh_ticker*>(last_record);
    const bool crossed =
        t->bid_price_e8 > 0 && t->ask_price_e8 > 0 && t->bid_price_e8 >= t->ask_price_e8;
    data_seen(t->ts_ns, crossed);
    return;
  }
  if (batch.kind != MMH_EVENT_BOOK_SNAPSHOT && batch.kind != MMH_EVENT_BOOK_DELTA) return;
  const auto* last = static_cast<const mmh_book_update*>(last_record);
  // A delta's first levels are not the book's top: only a snapshot shows a crossed book.
  data_seen(last->ts_ns, batch.kind == MMH_EVENT_BOOK_SNAPSHOT && last->bid_count > 0 &&
                             last->ask_count > 0 &&
                             last->bids[0].price_e8 >= last->asks[0].price_e8);
  if (batch.kind != MMH_EVENT_BOOK_SNAPSHOT) return;
  const bool unknown = last->bid_count == 0 && last->ask_count == 0;
  if (unknown == quotes_pulled_) return;
  quotes_pulled_ = unknown;
  if (unknown) {
    ++quote_pulls_;
    // Five unknown books within ten minutes: the connection is failing over and over.
    constexpr int64_t kWindowNs = 600'000'000'000;
    const int64_t now_ns = WallClock().now_ns();
    pull_times_ns_.push_back(now_ns);
    std::erase_if(pull_times_ns_, [&](int64_t t) { return now_ns - t > kWindowNs; });
    if (setup_.alert && pull_times_ns_.size() >= 5 &&
        (storm_alerted_ns_ == 0 || now_ns - storm_alerted_ns_ > kWindowNs)) {
      storm_alerted_ns_ = now_ns;
      setup_.alert("reconnect_storm",
                   std::to_string(pull_times_ns_.size()) +
                       " times the book was lost within 10 minutes (gaps, disconnects)",
                   last->ts_ns);
    }
  }
  EventLine(record_, record_used_)
      .str("type", unknown ? "quotes_pulled" : "quotes_restored")
      .num("ts_ns", last->ts_ns)
      .time("time", last->ts_ns)
      .str("reason", unknown ? "book unknown (gap, stale stream or disconnect)" : "fresh book")
      .done();
  line();
  if (unknown)
    spdlog::warn(
        "quotes pulled at {}: the book is unknown (gap, stale stream or disconnect); "
        "orders stay cancelled until a fresh snapshot",
        iso_time(last->ts_ns));
  else
    spdlog::info("quotes restored at {}: fresh book snapshot", iso_time(last->ts_ns));
  // A live run's ledger starts at the first live mid, not at the warm-up's first bar: the
  // wallet's PnL over history is not the run's.
  if (!unknown && !started_ && last->bid_count > 0 && last->ask_count > 0) {
    start_ledger(last->ts_ns, (last->bids[0].price_e8 + last->asks[0].price_e8) / 2);
  }
  if (!unknown && setup_.core_wallet_at_book && !core_wallet_given_) give_core_wallet(last->ts_ns);
  sync(last->ts_ns);
}

void Execution::data_seen(int64_t exchange_ns, bool crossed) {
  last_market_ns_ = std::max(last_market_ns_, exchange_ns);
  const int64_t local_ns = setup_.clock != nullptr ? setup_.clock->now_ns() : exchange_ns;
  if (!gate_.on_data(exchange_ns, local_ns, crossed)) return;
  data_line(exchange_ns);
  sync(exchange_ns);
}

std::optional<uint64_t> Execution::venue_reconnects() const {
  if (!venue_.is_live()) return std::nullopt;
  const std::string text = venue_.describe();
  const size_t at = text.find("\nreconnects: ");
  if (at == std::string::npos) return std::nullopt;
  return std::strtoull(text.c_str() + at + 13, nullptr, 10);
}

int64_t Execution::command_time(int64_t now_ns) const {
  return setup_.venue_on_market_time && last_market_ns_ != INT64_MIN ? last_market_ns_ : now_ns;
}

void Execution::resync(int64_t now_ns) {
  if (quotes_pulled_ || orders_stopped_ || (setup_.core_wallet_at_book && !core_wallet_given_))
    return;
  sync(command_time(now_ns));
  if (setup_.journal != nullptr) setup_.journal->flush();
}

bool Execution::wallets_agree(int64_t ts_ns) {
  std::string diff;
  for (const auto& [asset, mine] :
       {std::pair<std::string, amount_e18>{ledger_.base_asset(), ledger_.base_e18()},
        std::pair<std::string, amount_e18>{ledger_.quote_asset(), ledger_.quote_e18()}}) {
    const auto [free, locked] = ledger_.venue_balance(asset);
    if (free + locked != mine)
      diff += " " + asset + " venue " + format_e18(free + locked) + ", ledger " + format_e18(mine) +
              ";";
  }
  if (diff.empty()) return true;
  if (setup_.alert)
    setup_.alert("reconciliation_mismatch", "the venue's wallet and the ledger differ:" + diff,
                 ts_ns);
  return false;
}

void Execution::check_data_age(int64_t now_ns) {
  if (setup_.alert && stale_since_ns_ != 0 && !stale_alerted_ &&
      WallClock().now_ns() - stale_since_ns_ >= setup_.alert_stale_ns) {
    stale_alerted_ = true;
    setup_.alert("stale_data",
                 "market data stale for " + std::to_string(setup_.alert_stale_ns / 1'000'000'000) +
                     " s: " + gate_.stale_reason(),
                 now_ns);
  }
  if (!gate_.check_data_age(now_ns)) return;
  data_line(command_time(now_ns));
  sync(command_time(now_ns));
}

// Stale market data pulls every quote (and fresh data restores them): part of the run's record.
void Execution::data_line(int64_t ts_ns) {
  const bool stale = gate_.data_stale();
  stale_since_ns_ = stale ? WallClock().now_ns() : 0;
  stale_alerted_ = false;
  EventLine(record_, record_used_)
      .str("type", stale ? "quotes_pulled" : "quotes_restored")
      .num("ts_ns", ts_ns)
      .time("time", ts_ns)
      .str("reason", gate_.stale_reason())
      .done();
  line();
  spdlog::log(stale ? spdlog::level::warn : spdlog::level::info, "risk: quotes {} ({})",
              stale ? "pulled" : "restored", gate_.stale_reason());
}

void Execution::give_core_wallet(int64_t ts_ns) {
  core_wallet_given_ = true;
  mmh_balance wallet[2] = {};
  const std::pair<const std::string*, int64_t> assets[2] = {
      {&setup_.base_asset, setup_.core_base_e8}, {&setup_.quote_asset, setup_.core_quote_e8}};
  for (int i = 0; i < 2; ++i) {
    wallet[i].ts_ns = ts_ns;
    std::snprintf(wallet[i].asset, sizeof(wallet[i].asset), "%s", assets[i].first->c_str());
    wallet[i].free = mmh_decimal{assets[i].second, -8, 0};
  }
  EventLine(record_, record_used_)
      .str("type", "core_wallet")
      .num("ts_ns", ts_ns)
      .time("time", ts_ns)
      .e8("base", setup_.core_base_e8)
      .e8("quote", setup_.core_quote_e8)
      .done();
  line();
  if (core_ == nullptr) return;
  core_->on_events(
      mmh_batch{sizeof(mmh_batch), MMH_EVENT_BALANCE, sizeof(mmh_balance), 0, 2, wallet});
  if (after_core_input_) after_core_input_();
}

void Execution::before_bar(const mmh_candle& bar) {
  if (!started_ && !setup_.wait_for_book) {
    start_ledger(bar.open_ts_ns, bar.open_e8);
  }
  mmh_batch one{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1, &bar};
  journal(MMH_EVENT_CANDLE, bar.open_ts_ns + bar.interval_ns, &bar, sizeof(bar));
  venue_.on_market(one);
  drain();
}

void Execution::on_venue_events() {
  // A fill changes what the core wants (a rebalance done, inventory bands): answer it now, not
  // at the next bar. Backtests get the same from after_bar, right after the bar's fills.
  if (drain()) sync(fill_batch_.back().ts_ns);
  if (setup_.journal != nullptr) setup_.journal->flush();
}

bool Execution::drain() {
  std::vector<VenueEvent>& pending = venue_events_;
  venue_.take_pending(pending);
  if (pending.empty()) return false;
  fill_batch_.clear();
  // The core hears fills as soon as no later event precedes them, so its decisions (stamped with
  // the fill's time) are written before anything later: events.jsonl stays in time order.
  size_t told = 0;
  auto tell_core = [&] {
    if (told == fill_batch_.size()) return;
    const mmh_fill* first = fill_batch_.data() + told;
    const size_t count = fill_batch_.size() - told;
    told = fill_batch_.size();
    // A live core takes the venue's wallet at the first book; fills before it are in it.
    if (fills_to_core_ && (!setup_.core_wallet_at_book || core_wallet_given_))
      core_->on_events(
          mmh_batch{sizeof(mmh_batch), MMH_EVENT_FILL, sizeof(mmh_fill), 0, count, first});
    if (fills_to_script_)
      for (const mmh_fill* f = first; f != first + count; ++f)
        runtime_->on_fill(*f, sdk::e8_to_double(f->price_ticks * setup_.tick_e8),
                          sdk::e8_to_double(f->qty_lots * setup_.lot_e8), decimal_value(f->fee));
    if (after_core_input_) after_core_input_();
  };
  // A venue reports balances one per asset, together: the core hears them in one call.
  std::vector<mmh_balance>& balances = balance_batch_;
  balances.clear();
  auto tell_balances = [&] {
    if (balances.empty()) return;
    core_->on_events(mmh_batch{sizeof(mmh_batch), MMH_EVENT_BALANCE, sizeof(mmh_balance), 0,
                               balances.size(), balances.data()});
    balances.clear();
    if (after_core_input_) after_core_input_();
  };
  for (const VenueEvent& e : pending) {
    if (e.kind != MMH_EVENT_BALANCE) tell_balances();
    if (told < fill_batch_.size() && event_ts_ns(e) > fill_batch_.back().ts_ns) tell_core();
    switch (e.kind) {
      case MMH_EVENT_ORDER_UPDATE: {
        const mmh_order_update& u = e.update;
        journal(MMH_EVENT_ORDER_UPDATE, u.ts_ns, &u, sizeof(u));
        if (setup_.recovered != nullptr) adopt_if_ours(u);
        if (setup_.journal != nullptr) {
          // The venue's first answer to a command: its ack latency.
          const auto sent = live_.sent_ns.find(
              std::string(u.client_id, strnlen(u.client_id, sizeof(u.client_id))));
          if (sent != live_.sent_ns.end()) {
            live_.ack_latency.add(static_cast<double>(WallClock().now_ns() - sent->second) / 1e9);
            live_.sent_ns.erase(sent);
          }
          if (u.status == MMH_ORDER_STATUS_REJECTED)
            live_.rejected(std::string_view(u.reject_reason,
                                            strnlen(u.reject_reason, sizeof(u.reject_reason))));
        }
        orders_.on_update(u);
        EventLine j(record_, record_used_);
        j.str("type", "update")
            .num("ts_ns", u.ts_ns)
            .time("time", u.ts_ns)
            .str("id", u.client_id)
            .str("status", status_name(u.status))
            .str("side", side_name(u.side))
            .e8("price", u.price_ticks * setup_.tick_e8)
            .e8("qty", u.qty_lots * setup_.lot_e8)
            .e8("filled", u.filled_qty_lots * setup_.lot_e8);
        if (u.status == MMH_ORDER_STATUS_REJECTED)
          j.str("answers", action_name(u.action)).str("reason", u.reject_reason);
        j.done();
        line();
        break;
      }
      case MMH_EVENT_FILL: {
        const mmh_fill& f = e.fill;
        if (!first_report(f)) break;  // applied once, and journaled once
        journal(MMH_EVENT_FILL, f.ts_ns, &f, sizeof(f));
        ledger_.apply_fill(f);
        fill_batch_.push_back(f);
        EventLine(record_, record_used_)
            .str("type", "fill")
            .num("ts_ns", f.ts_ns)
            .time("time", f.ts_ns)
            .str("id", f.client_id)
            .str("side", side_name(f.side))
            .e8("price", f.price_ticks * setup_.tick_e8)
            .e8("qty", f.qty_lots * setup_.lot_e8)
            .str("fee", decimal_text(f.fee))
            .str("fee_asset", f.fee_asset)
            .flag("maker", f.is_maker != 0)
            .str("exec_id", f.exec_id)
            .done();
        line();
        if (sink_ != nullptr)
          sink_->fill(f, f.price_ticks * setup_.tick_e8, f.qty_lots * setup_.lot_e8, ledger_);
        break;
      }
      case MMH_EVENT_BALANCE:
        journal(MMH_EVENT_BALANCE, e.balance.ts_ns, &e.balance, sizeof(e.balance));
        ledger_.apply_balance(e.balance);
        if (forward_balances_) {
          tell_core();
          balances.push_back(e.balance);
        }
        break;
      default:
        break;
    }
  }
  tell_balances();
  pending.clear();
  tell_core();
  return !fill_batch_.empty();
}

namespace {

// Whether `text` holds exactly the NUL-terminated `c_text`.
bool same_text(const std::string& text, const char* c_text) {
  size_t i = 0;
  for (; i < text.size(); ++i)
    if (c_text[i] != text[i]) return false;  // also stops at c_text's NUL: text holds none
  return c_text[i] == '\0';
}

}  // namespace

void Execution::sample_bar_values() {
  if (bar_values_.empty() || sink_ == nullptr) return;  // only the files show them
  mmh_core_snapshot snap{};
  // After the first call the indexes are known: ask for the values up to them only.
  const uint32_t wanted = bar_value_index_.empty() ? 0 : bar_values_wanted_;
  if (!core_->snapshot(snap, wanted)) return;
  if (bar_value_index_.empty()) {
    for (const std::string& name : bar_values_) {
      size_t at = snap.count;  // absent: an empty column
      for (size_t i = 0; i < snap.count; ++i)
        if (snap.values[i].name != nullptr && name == snap.values[i].name) at = i;
      bar_value_index_.push_back(at);
      if (at < snap.count)
        bar_values_wanted_ = std::max(bar_values_wanted_, static_cast<uint32_t>(at + 1));
    }
  }
  for (size_t k = 0; k < bar_value_index_.size(); ++k) {
    const size_t i = bar_value_index_[k];
    std::string& text = bar_texts_[k];
    if (i >= snap.count) continue;
    const mmh_core_value& v = snap.values[i];
    if (v.type == MMH_VALUE_TEXT) {
      // Most bars repeat the last bar's text: compare before copying (byte by byte, stopping at
      // the first difference: std::string's compare measured the core's text first).
      if (v.text != nullptr && !same_text(text, v.text)) text = v.text;
    } else {
      char number[32];
      std::snprintf(number, sizeof(number), "%.10g", v.number);
      text = number;
    }
  }
}

void Execution::after_bar(const mmh_candle& bar) {
  const int64_t close_ns = bar.open_ts_ns + bar.interval_ns;
  last_market_ns_ = std::max(last_market_ns_, close_ns);
  if (!started_) return;  // live warm-up: history, before the run's ledger starts
  const int64_t equity_e8 = ledger_.mark(close_ns, bar.close_e8);  // nothing below changes it
  if (!restored_note_.empty()) {
    risk_line(close_ns, restored_note_);
    restored_note_.clear();
  }
  std::string why;
  if (gate_.on_mark(close_ns, equity_e8, why)) risk_line(close_ns, why);
  sample_bar_values();
  ++stats_.bars;
  const double share = ledger_.base_share(equity_e8);
  stats_.base_share_sum += share;
  stats_.base_share_max = std::max(stats_.base_share_max, share);
  if (ledger_.base_e8() > 0) ++stats_.bars_holding_base;
  // The close of the last bar of each UTC day carries that day's equity.
  const int64_t day = (close_ns - 1) / kDayNs;
  if (day != day_) {
    stats_.daily_equity_e8.emplace_back(day, equity_e8);
    day_ = day;
  } else {
    stats_.daily_equity_e8.back().second = equity_e8;
  }
  if (sink_ != nullptr) {
    sink_->bar(bar);
    sink_->mark(close_ns, ledger_, equity_e8, share, bar_texts_);
  }
  sync(close_ns);
}

// A change of trading state is part of the run's record (and of its hash), and of the run
// directory's risk_state.json (a restart starts from it).
void Execution::risk_line(int64_t ts_ns, const std::string& reason) {
  if (setup_.alert && gate_.state() == TradingState::halted &&
      reason.rfind("restored from", 0) != 0)
    setup_.alert(reason.rfind("daily_loss", 0) == 0     ? "daily_loss"
                 : reason.rfind("max_drawdown", 0) == 0 ? "drawdown"
                                                        : "halted",
                 "trading halted: " + reason, ts_ns);
  if (setup_.journal != nullptr)
    setup_.journal->note(WallClock().now_ns(),
                         std::string("risk ") + trading_state_name(gate_.state()) + ": " + reason);
  EventLine j(record_, record_used_);
  j.str("type", "risk")
      .num("ts_ns", ts_ns)
      .time("time", ts_ns)
      .str("state", trading_state_name(gate_.state()))
      .str("reason", reason);
  j.done();
  line();
  spdlog::log(gate_.state() == TradingState::active ? spdlog::level::info : spdlog::level::warn,
              "risk: trading {} ({})", trading_state_name(gate_.state()), reason);
  if (setup_.risk_state_file.empty()) return;
  try {
    const std::string text = gate_.saved_state(ts_ns, reason);
    sdk::TempOutput out(setup_.risk_state_file);
    out.write(text.data(), text.size());
    out.commit(/*sync=*/true);
  } catch (const std::exception& e) {
    // The gate itself holds; only a restart would not know. Said loudly, never fatal.
    spdlog::error("risk: could not keep the trading state: {}", e.what());
  }
}

bool Execution::command(RiskCommand command, int64_t ts_ns, const std::string& reason) {
  bool changed = false;
  std::string why;
  switch (command) {
    case RiskCommand::halt:
      changed = gate_.halt(reason);
      why = reason + ": halted by the operator until resume";
      break;
    case RiskCommand::reduce:
      changed = gate_.reduce(reason);
      why = reason + ": reducing by the operator (only orders toward the target inventory)";
      break;
    case RiskCommand::resume:
      changed = gate_.resume();
      why = reason + ": resumed by the operator";
      break;
  }
  if (!changed) return false;
  ts_ns = command_time(ts_ns);
  risk_line(ts_ns, why);
  sync(ts_ns);  // halted: the desired set is now empty, every working order is cancelled at once
  return true;
}

void Execution::sync(int64_t ts_ns) {
  if (orders_stopped_) return;
  desired_.clear();
  if (core_ != nullptr && !quotes_pulled_) {
    // The gate filters a copy. Most bars of a strategy out of the market want nothing.
    const std::vector<mmh_desired_order>& wanted = core_->wanted_orders();
    if (!wanted.empty()) desired_.assign(wanted.begin(), wanted.end());
  }
  gate_.filter(desired_, GateInputs{ledger_.mid_e8(), setup_.tick_e8, setup_.lot_e8,
                                    ledger_.base_e8(), ledger_.quote_e8()});
  commands_.clear();
  orders_.sync(ts_ns, desired_, commands_, &gate_);
  // Intents are on disk before any request leaves: a restart knows every order it may have sent.
  if (setup_.journal != nullptr && !commands_.empty()) {
    for (const mmh_order_command& c : commands_)
      journal(MMH_EVENT_ORDER_COMMAND, c.ts_ns, &c, sizeof(c));
    setup_.journal->sync();
  }
  for (const mmh_order_command& c : commands_) {
    EventLine j(record_, record_used_);
    j.str("type", "order")
        .num("ts_ns", c.ts_ns)
        .time("time", c.ts_ns)
        .str("action", action_name(c.action))
        .str("id", c.client_id);
    if (c.action == MMH_ORDER_ACTION_PLACE || c.action == MMH_ORDER_ACTION_AMEND) {
      j.str("side", side_name(c.side))
          .str("order_type", c.order_type == MMH_ORDER_TYPE_MARKET ? "market" : "limit")
          .str("tif", tif_name(c.time_in_force));
      if (c.order_type == MMH_ORDER_TYPE_LIMIT) j.e8("price", c.price_ticks * setup_.tick_e8);
      j.e8("qty", c.qty_lots * setup_.lot_e8);
    }
    j.done();
    line();
    if (setup_.journal != nullptr) {
      // Answers that never come (a cancel racing its fill) must not pile up.
      if (live_.sent_ns.size() > 4096) live_.sent_ns.clear();
      live_.sent_ns[std::string(c.client_id, strnlen(c.client_id, sizeof(c.client_id)))] =
          WallClock().now_ns();
    }
    venue_.submit(c);
  }
  drain();
  if (setup_.journal != nullptr) setup_.journal->flush();
}

}  // namespace mmh
