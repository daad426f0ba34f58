// report.html: one self-contained page per backtest that opens offline. A candlestick chart with
// BOS / pullback markers, grid fills and the state machine's state as shading, inventory and
// equity panes below it (lightweight-charts, embedded), then the metrics table and the models
// that ran with their known biases (rendered as HTML, readable without JavaScript).
//
// The collector takes the run as it happens (each LTF bar, fill and decision) and thins the bars
// to at most `max_bars` chart bars (whole multiples of the LTF bar), so a 90-day 1m run stays a
// few megabytes. Told the run's length first (expect_bars), it builds the chart bars as the LTF
// bars come: its memory then does not grow with the run's length.
#pragma once

#include "loader/core_instance.hpp"

#include <mmhost/plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

// Text for HTML element content / attribute values, and for inside a <script> element.
std::string html_escape(const std::string& text);
std::string script_safe(std::string text);
// A double as nlohmann::json's dump() writes it ("2500.0", "1e-05", "null" when not finite).
void append_json_number(std::string& out, double value);

// append_json_number with the texts of recent values kept (by their bits, in a table of 4,096):
// a chart's prices and equity repeat (a bar opens where the last closed), and the shortest
// form costs ~450 instructions a number. Whole cents, most of a chart's numbers, are written
// from their decimal digits without the table.
class JsonNumberTexts {
 public:
  static constexpr size_t kMaxChars = 64;  // room write() needs at `out`
  JsonNumberTexts();
  // The text at `out`; returns its end.
  char* write(char* out, double value);
  void append(std::string& out, double value) {
    char text[kMaxChars];
    out.append(text, write(text, value));
  }

 private:
  struct Slot {
    uint64_t bits = 0;
    uint8_t size = 0;  // 0: empty
    char text[31];
  };
  std::vector<Slot> slots_;
};

class ReportCollector {
 public:
  std::string quote_asset = "USDT";  // the equity pane's unit

  // How the core wants its run drawn: a shade per value of its first bar value, a marker per
  // decision kind (and detail prefix).
  void set_publication(const CorePublication& pub);
  static constexpr size_t kMaxChartBars = 20000;
  // The run will have about `ltf_bars` bars: each chart bar takes ceil(ltf_bars / max_bars) of
  // them as they come (the thinning html() would do at the end).
  void expect_bars(uint64_t ltf_bars, size_t max_bars = kMaxChartBars);
  void bar(const mmh_candle& bar);
  // After bar(): the ledger and the core at that bar's close (`band`: its first bar value).
  void mark(double equity, double base_share, std::string_view band);
  void fill(int64_t ts_ns, bool buy, bool maker);
  void decision(int64_t ts_ns, std::string_view kind, std::string_view detail);

  // The page as text; `summary` is summary.json's object.
  std::string html(const nlohmann::ordered_json& summary, size_t max_bars = kMaxChartBars) const;
  void write(const std::filesystem::path& file, const nlohmann::ordered_json& summary) const;

 private:
  struct Bar {
    int64_t open_ts_ns = 0;
    int64_t interval_ns = 0;
    double open = 0, high = 0, low = 0, close = 0;
    double equity = 0, base_share = 0;
    int state = 0;
  };
  void add_mark(int64_t ts_ns, int kind);  // kind 0-3: fills (see the .cpp), 4 + i: markers_[i]
  std::vector<Bar> bars_;  // chart bars of per_bar_ LTF bars each (the last one filling)
  uint64_t per_bar_ = 1;
  uint64_t in_last_ = 0;             // LTF bars in bars_.back()
  std::vector<std::string> states_;  // the band values seen, in order
  size_t last_state_ = 0;            // the last bar's, most often the next's too
  std::vector<CorePublication::Band> bands_;
  std::vector<CorePublication::Marker> markers_;
  // Marks counted per (bar of bars_, kind): bounded by the chart, not by the run's length. A
  // mark at or after the newest bar's open waits in pending_ until the next bar opens.
  std::map<std::pair<size_t, int>, uint64_t> marks_;
  std::vector<std::pair<int64_t, int>> pending_;
};

}  // namespace mmh
