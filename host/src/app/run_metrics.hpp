// A running run's figures in the Prometheus text exposition format (version 0.0.4): orders,
// rejects and vetoes by reason, fills by liquidity, ack and market-data latency histograms, the
// data's age, order-rate headroom, trading state, equity, PnL, fees and inventory. Names are
// mmhost_*, in base units (seconds, the quote asset); no order ids in labels. docs/operations.md
// lists them.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace mmh {

class Execution;

// Rendered on the engine thread (it reads the execution's state).
std::string prometheus_text(const Execution& exec, int64_t now_ns);

// The status line's figures as one JSON object (RUN_DIR/status.jsonl): time, state, equity,
// PnL since the start and today, fees (quote value), holdings, base share, open orders, the
// market data's age and the ack latency p50/p99 (histogram bounds).
std::string status_json(const Execution& exec, int64_t now_ns);
nlohmann::ordered_json status_object(const Execution& exec,
                                     int64_t now_ns);  // the same, unrendered
// The same for a terminal: "08:15:42 active equity 10012.3 USDT pnl +12.3 (today +1.2) ...".
std::string status_text(const std::string& json_line);

}  // namespace mmh
