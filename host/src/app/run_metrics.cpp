#include "app/run_metrics.hpp"

#include "app/execution.hpp"
#include "app/format.hpp"
#include "app/live_stats.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace mmh {
namespace {

// A label value as the exposition format wants it: \, " and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// The shortest text that reads back as the same double.
std::string number(double v) {
  char text[40];
  return std::string(text,
                     static_cast<size_t>(std::to_chars(text, text + sizeof(text), v).ptr - text));
}

class Text {
 public:
  // # HELP and # TYPE, once per family.
  Text& family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    return *this;
  }
  Text& sample(const std::string& name, double value, const std::string& labels = "") {
    out_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
    return *this;
  }
  void histogram(const char* name, const char* help, const LatencyHistogram& h) {
    family(name, "histogram", help);
    for (size_t i = 0; i < h.bounds().size(); ++i)
      sample(std::string(name) + "_bucket", static_cast<double>(h.at_or_below(i)),
             "le=\"" + number(h.bounds()[i]) + "\"");
    sample(std::string(name) + "_bucket", static_cast<double>(h.count()), "le=\"+Inf\"");
    sample(std::string(name) + "_sum", h.sum());
    sample(std::string(name) + "_count", static_cast<double>(h.count()));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

double e18(amount_e18 v) {
  return static_cast<double>(v) / 1e18;
}

}  // namespace

std::string prometheus_text(const Execution& exec, int64_t now_ns) {
  Text t;
  const OrderManagerStats& o = exec.orders().stats();
  t.family("mmhost_orders_sent_total", "counter", "Order commands sent to the venue, by action.")
      .sample("mmhost_orders_sent_total", static_cast<double>(o.placed), "action=\"place\"")
      .sample("mmhost_orders_sent_total", static_cast<double>(o.amended), "action=\"amend\"")
      .sample("mmhost_orders_sent_total", static_cast<double>(o.cancelled), "action=\"cancel\"");
  const LiveStats& live = exec.live_stats();
  t.family("mmhost_orders_rejected_total", "counter",
           "Order commands the venue rejected, by reason.");
  for (const auto& [reason, n] : live.rejects_by_reason)
    t.sample("mmhost_orders_rejected_total", static_cast<double>(n),
             "reason=\"" + label(reason) + "\"");
  const RiskStats& risk = exec.risk().stats();
  t.family("mmhost_risk_vetoes_total", "counter",
           "Orders the RiskGate held back before they left, by reason.");
  for (const auto& [reason, n] : risk.vetoes)
    t.sample("mmhost_risk_vetoes_total", static_cast<double>(n),
             "reason=\"" + label(reason) + "\"");
  const Ledger& l = exec.ledger();
  t.family("mmhost_fills_total", "counter", "Fills, by liquidity.")
      .sample("mmhost_fills_total", static_cast<double>(l.maker_fills()), "liquidity=\"maker\"")
      .sample("mmhost_fills_total", static_cast<double>(l.taker_fills()), "liquidity=\"taker\"");
  t.family("mmhost_duplicate_fills_total", "counter",
           "Fill reports dropped as already applied (a resumed run's reconciliation).")
      .sample("mmhost_duplicate_fills_total", static_cast<double>(exec.duplicate_fills()));
  t.histogram("mmhost_ack_latency_seconds",
              "From an order command sent to the venue's first answer to it.", live.ack_latency);
  t.histogram("mmhost_market_data_latency_seconds",
              "From the exchange's time of a market data update to the host taking it.",
              live.market_data_latency);
  t.histogram("mmhost_decision_latency_seconds",
              "From a connector's post of market data to every consumer done with it (the "
              "core's decision, the gate, order commands handed to the venue).",
              live.decision_latency);
  t.family("mmhost_market_data_age_seconds", "gauge",
           "Since the last book or ticker update was taken (-1: none yet).")
      .sample("mmhost_market_data_age_seconds",
              live.last_data_local_ns == 0
                  ? -1.0
                  : static_cast<double>(now_ns - live.last_data_local_ns) / 1e9);
  if (const std::optional<uint64_t> n = exec.venue_reconnects())
    t.family("mmhost_venue_reconnects_total", "counter",
             "Times the live venue's connection to the exchange was lost and made again.")
        .sample("mmhost_venue_reconnects_total", static_cast<double>(*n));
  t.family("mmhost_quote_pulls_total", "counter",
           "Times the book was lost (a gap, a stale or reconnecting market stream) and every "
           "quote pulled.")
      .sample("mmhost_quote_pulls_total", static_cast<double>(exec.quote_pulls()));
  t.family("mmhost_quotes_pulled", "gauge",
           "1 while every quote is pulled (the book unknown or the market data stale).")
      .sample("mmhost_quotes_pulled", exec.quotes_pulled_now() ? 1 : 0);
  const RiskLimits& limits = exec.risk().limits();
  const OrderRateUse use = exec.risk().rate_use(now_ns);
  t.family("mmhost_order_rate_headroom", "gauge",
           "Order commands of each action still allowed in the current second.")
      .sample("mmhost_order_rate_headroom", static_cast<double>(limits.places_per_s - use.places),
              "action=\"place\"")
      .sample("mmhost_order_rate_headroom", static_cast<double>(limits.amends_per_s - use.amends),
              "action=\"amend\"");
  const TradingState state = exec.risk().state();
  t.family("mmhost_trading_state", "gauge", "The RiskGate's trading state (1: the current one).");
  for (TradingState s : {TradingState::active, TradingState::reducing, TradingState::halted})
    t.sample("mmhost_trading_state", s == state ? 1 : 0,
             std::string("state=\"") + trading_state_name(s) + "\"");
  const std::string quote = "asset=\"" + label(l.quote_asset()) + "\"";
  t.family("mmhost_equity", "gauge", "Equity in the quote asset at the last mark.")
      .sample("mmhost_equity", e18(l.equity_e18()), quote);
  t.family("mmhost_pnl", "gauge", "Net PnL in the quote asset, since the run's start and today.")
      .sample("mmhost_pnl", e18(l.net_pnl_e18()), quote + ",since=\"start\"")
      .sample("mmhost_pnl",
              static_cast<double>(l.equity_e8() - exec.risk().day_start_equity_e8()) / 1e8,
              quote + ",since=\"day\"");
  t.family("mmhost_fees", "gauge",
           "Fees paid since the run's start, by the asset they were paid in.");
  if (l.fees().empty()) t.sample("mmhost_fees", 0, quote);
  for (const auto& [asset, fee] : l.fees())
    t.sample("mmhost_fees", e18(fee.amount), "asset=\"" + label(asset) + "\"");
  t.family("mmhost_balance", "gauge", "Holdings by asset, as the ledger keeps them.")
      .sample("mmhost_balance", e18(l.base_e18()), "asset=\"" + label(l.base_asset()) + "\"")
      .sample("mmhost_balance", e18(l.quote_e18()), quote);
  t.family("mmhost_base_share", "gauge", "Base value over equity at the last mark (0..1).")
      .sample("mmhost_base_share", l.base_share());
  t.family("mmhost_open_orders", "gauge", "Working orders of the run.")
      .sample("mmhost_open_orders", static_cast<double>(exec.orders().working().size()));
  return t.take();
}

std::string status_json(const Execution& exec, int64_t now_ns) {
  return status_object(exec, now_ns).dump();
}

nlohmann::ordered_json status_object(const Execution& exec, int64_t now_ns) {
  const Ledger& l = exec.ledger();
  const LiveStats& live = exec.live_stats();
  nlohmann::ordered_json j;
  j["time"] = iso_time(now_ns);
  j["state"] = trading_state_name(exec.risk().state());
  j["equity"] = format_e18(l.equity_e18());
  j["pnl"] = format_e18(l.net_pnl_e18());
  j["pnl_today"] = sdk::format_e8(l.equity_e8() - exec.risk().day_start_equity_e8());
  j["fees"] = format_e18(l.fees_quote_value_e18());
  j["base"] = format_e18(l.base_e18());
  j["quote"] = format_e18(l.quote_e18());
  j["base_asset"] = l.base_asset();
  j["quote_asset"] = l.quote_asset();
  j["base_share"] = std::round(l.base_share() * 10000) / 10000;
  j["open_orders"] = exec.orders().working().size();
  j["fills"] = l.maker_fills() + l.taker_fills();
  j["data_age_s"] =
      live.last_data_local_ns == 0
          ? nlohmann::ordered_json()
          : nlohmann::ordered_json(
                std::round(static_cast<double>(now_ns - live.last_data_local_ns) / 1e6) / 1e3);
  j["ack_p50_s"] = live.ack_latency.quantile(0.5);
  j["ack_p99_s"] = live.ack_latency.quantile(0.99);
  j["decision_p99_s"] = live.decision_latency.quantile(0.99);
  return j;
}

std::string status_text(const std::string& json_line) {
  const nlohmann::json j = nlohmann::json::parse(json_line);
  const std::string quote = j.value("quote_asset", "");
  const std::string time = j.value("time", "");
  std::string out = time.size() >= 19 ? time.substr(11, 8) : time;
  out += " " + j.value("state", "") + " equity " + j.value("equity", "") + " " + quote;
  out += " pnl " + j.value("pnl", "") + " (today " + j.value("pnl_today", "") + ")";
  out += " fees " + j.value("fees", "") + " | " + j.value("base", "") + " " +
         j.value("base_asset", "") + " " + j.value("quote", "") + " " + quote;
  out += " | " + std::to_string(j.value("open_orders", 0)) + " open, " +
         std::to_string(j.value("fills", 0)) + " fills";
  out +=
      " | data age " + (j["data_age_s"].is_null() ? std::string("n/a")
                                                  : number(j["data_age_s"].get<double>()) + " s");
  out += " | ack p50 " + number(j.value("ack_p50_s", 0.0) * 1000) + " ms p99 " +
         number(j.value("ack_p99_s", 0.0) * 1000) + " ms | decision p99 " +
         number(j.value("decision_p99_s", 0.0) * 1e6) + " us";
  return out;
}

}  // namespace mmh
