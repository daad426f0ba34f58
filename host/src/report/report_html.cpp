#include "report/report_html.hpp"

#include "app/format.hpp"
#include "report/web_assets.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

namespace mmh {
namespace {

using json = nlohmann::ordered_json;

enum MarkKind { kBuyMaker, kSellMaker, kBuyTaker, kSellTaker, kCoreMarkers };

// 0xRRGGBBAA as CSS.
std::string css_color(uint32_t rgba) {
  char text[48];
  std::snprintf(text, sizeof(text), "rgba(%u,%u,%u,%.2f)", rgba >> 24, (rgba >> 16) & 0xffu,
                (rgba >> 8) & 0xffu, static_cast<double>(rgba & 0xffu) / 255.0);
  return text;
}

// "</script" inside embedded JSON or script text would end the element early.

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "n/a";
  return v.dump();
}

// Summary fields as rows "group.key | value", in the summary's own order.
void flatten(const json& j, const std::string& prefix, std::string& rows) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      flatten(*it, key, rows);
    } else if (it->is_array()) {
      std::string joined;
      for (const json& e : *it) joined += (joined.empty() ? "" : ", ") + scalar_text(e);
      rows += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(joined) + "</td></tr>\n";
    } else {
      rows += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(scalar_text(*it)) +
              "</td></tr>\n";
    }
  }
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6475;margin-bottom:12px}
#chart{height:760px;border:1px solid #e0e3eb;border-radius:4px}
.groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:8px 28px}
.groups h3{font-size:14px;margin:14px 0 4px}td.n{text-align:right}
.note{color:#5b6475;font-size:13px;max-width:900px}
.legend{color:#5b6475;font-size:12px;margin:6px 0}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}
table{border-collapse:collapse}th,td{text-align:left;padding:3px 10px;border-bottom:1px solid #eef0f4;
vertical-align:top}th{font-weight:500;color:#5b6475;white-space:nowrap}td{font-variant-numeric:tabular-nums}
)";

enum class Unit { money, pct, share, count, ratio, bps, text };

// A figure as a trader reads it: money to cents with thousands grouped, percentages to two
// decimals, counts whole; the unit beside it.
std::string figure_text(const json& v, Unit unit, const std::string& quote) {
  if (v.is_null()) return "n/a";
  double d = 0;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    char* end = nullptr;
    const std::string& t = v.get_ref<const std::string&>();
    d = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || unit == Unit::text) return t;
  } else {
    return scalar_text(v);
  }
  auto grouped = [](double x, int decimals) {
    const std::string digits = fixed(std::fabs(x), decimals);  // "1234.50"
    const size_t dot = std::min(digits.find('.'), digits.size());
    const bool negative = x < 0 && digits.find_first_not_of("0.") != std::string::npos;
    return (negative ? "\u2212" : "") + with_commas(std::stoull(digits.substr(0, dot))) +
           digits.substr(dot);
  };
  switch (unit) {
    case Unit::money:
      return grouped(d, 2) + " " + quote;
    case Unit::pct:
      return grouped(d, 2) + " %";
    case Unit::share:
      return grouped(d * 100, 1) + " %";
    case Unit::count:
      return grouped(d, 0);
    case Unit::ratio:
      return grouped(d, 2);
    case Unit::bps:
      return grouped(d, 1) + " bps";
    case Unit::text:
      break;
  }
  return scalar_text(v);
}

// summary at a dotted path, or null.
const json* at_path(const json& j, const std::string& path) {
  const json* at = &j;
  for (size_t from = 0; from <= path.size();) {
    const size_t dot = std::min(path.find('.', from), path.size());
    const std::string key = path.substr(from, dot - from);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    from = dot + 1;
  }
  return at;
}

struct FigureSpec {
  const char* path;
  const char* label;
  Unit unit;
};
struct FigureGroup {
  const char* title;
  std::vector<FigureSpec> figures;
};

const std::vector<FigureGroup>& figure_groups() {
  static const std::vector<FigureGroup> groups = {
      {"Returns",
       {{"start_equity", "Start equity", Unit::money},
        {"end_equity", "End equity", Unit::money},
        {"net_pnl", "Net PnL", Unit::money},
        {"return_pct", "Return", Unit::pct},
        {"gross_pnl", "Gross PnL (before fees)", Unit::money},
        {"realized_pnl", "Realized PnL", Unit::money},
        {"unrealized_pnl", "Unrealized PnL", Unit::money}}},
      {"Risk",
       {{"max_drawdown_pct", "Max drawdown", Unit::pct},
        {"sharpe_daily", "Sharpe (daily)", Unit::ratio},
        {"sortino_daily", "Sortino (daily)", Unit::ratio},
        {"inventory.mean_base_share", "Mean base share", Unit::share},
        {"inventory.max_base_share", "Max base share", Unit::share},
        {"inventory.time_holding_base_share", "Time holding base", Unit::share},
        {"inventory.final_base", "Base at the end", Unit::text},
        {"inventory.final_quote", "Quote at the end", Unit::money},
        {"days", "Days", Unit::count}}},
      {"Execution",
       {{"fills.total", "Fills", Unit::count},
        {"fills.maker", "Maker fills", Unit::count},
        {"fills.taker", "Taker fills", Unit::count},
        {"orders.placed", "Orders placed", Unit::count},
        {"orders.amended", "Orders amended", Unit::count},
        {"orders.cancel_requests", "Cancels", Unit::count},
        {"orders.rejected", "Rejected", Unit::count},
        {"orders.open_at_end", "Open at the end", Unit::count},
        {"turnover", "Turnover", Unit::money},
        {"avg_spread_captured_bps", "Spread captured (mean)", Unit::bps}}},
      {"Fees", {{"fees_total", "Fees (in quote)", Unit::money}}},
  };
  return groups;
}

// A group's rows; an object the core published (its dotted names one level down) as the
// "Structure" group: counts whole, shares as percentages.
std::string group_rows(const json& summary, const FigureGroup& g, const std::string& quote) {
  std::string rows;
  for (const FigureSpec& f : g.figures)
    if (const json* v = at_path(summary, f.path))
      rows += "<tr><th title=\"" + html_escape(f.path) + "\">" + html_escape(f.label) +
              "</th><td class=\"n\">" + html_escape(figure_text(*v, f.unit, quote)) +
              "</td></tr>\n";
  return rows;
}

void published_rows(const json& j, const std::string& prefix, std::string& rows) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      published_rows(*it, key, rows);
      continue;
    }
    Unit unit = Unit::text;
    if (it->is_number_integer()) unit = Unit::count;
    if (it->is_number_float())
      unit = key.find("share") != std::string::npos ? Unit::share : Unit::ratio;
    rows += "<tr><th>" + html_escape(key) + "</th><td class=\"n\">" +
            html_escape(figure_text(*it, unit, "")) + "</td></tr>\n";
  }
}

}  // namespace

void ReportCollector::expect_bars(uint64_t ltf_bars, size_t max_bars) {
  max_bars = std::max<size_t>(1, max_bars);
  if (bars_.empty()) per_bar_ = std::max<uint64_t>(1, (ltf_bars + max_bars - 1) / max_bars);
}

void ReportCollector::add_mark(int64_t ts_ns, int kind) {
  // A mark belongs to the last bar opening at or before it. Before the newest bar's open that
  // bar is known now; from it on, only once the next bar opens (or the run ends).
  if (bars_.empty() || ts_ns >= bars_.back().open_ts_ns) {
    pending_.emplace_back(ts_ns, kind);
    return;
  }
  const auto it = std::upper_bound(bars_.begin(), bars_.end(), ts_ns,
                                   [](int64_t t, const Bar& b) { return t < b.open_ts_ns; });
  const size_t at = it == bars_.begin() ? 0 : static_cast<size_t>(it - bars_.begin()) - 1;
  ++marks_[{at, kind}];
}

void ReportCollector::bar(const mmh_candle& c) {
  if (bars_.empty() || in_last_ >= per_bar_) {
    // A new bar opens: the marks before it belong to the one before (or, before the first bar,
    // to the first).
    const size_t at = bars_.empty() ? 0 : bars_.size() - 1;
    std::erase_if(pending_, [&](const std::pair<int64_t, int>& m) {
      if (m.first >= c.open_ts_ns) return false;
      ++marks_[{at, m.second}];
      return true;
    });
  }
  if (!bars_.empty() && in_last_ < per_bar_) {  // into the chart bar being built
    Bar& b = bars_.back();
    b.high = std::max(b.high, sdk::e8_to_double(c.high_e8));
    b.low = std::min(b.low, sdk::e8_to_double(c.low_e8));
    b.close = sdk::e8_to_double(c.close_e8);
    ++in_last_;
    return;
  }
  in_last_ = 1;
  Bar b;
  b.open_ts_ns = c.open_ts_ns;
  b.interval_ns = c.interval_ns;
  b.open = sdk::e8_to_double(c.open_e8);
  b.high = sdk::e8_to_double(c.high_e8);
  b.low = sdk::e8_to_double(c.low_e8);
  b.close = sdk::e8_to_double(c.close_e8);
  bars_.push_back(b);
}

void ReportCollector::set_publication(const CorePublication& pub) {
  bands_ = pub.bands;
  markers_ = pub.markers;
}

void ReportCollector::mark(double equity, double base_share, std::string_view band) {
  if (bars_.empty()) return;
  Bar& b = bars_.back();
  b.equity = equity;
  b.base_share = base_share;
  if (last_state_ >= states_.size() || states_[last_state_] != band) {
    auto it = std::find(states_.begin(), states_.end(), band);
    if (it == states_.end()) it = states_.insert(states_.end(), std::string(band));
    last_state_ = static_cast<size_t>(it - states_.begin());
  }
  b.state = static_cast<int>(last_state_);
}

void ReportCollector::fill(int64_t ts_ns, bool buy, bool maker) {
  add_mark(ts_ns, maker ? (buy ? kBuyMaker : kSellMaker) : (buy ? kBuyTaker : kSellTaker));
}

void ReportCollector::decision(int64_t ts_ns, std::string_view kind, std::string_view detail) {
  for (size_t i = 0; i < markers_.size(); ++i) {
    const CorePublication::Marker& m = markers_[i];
    if (m.decision_kind == kind &&
        detail.compare(0, m.detail_prefix.size(), m.detail_prefix) == 0) {
      add_mark(ts_ns, kCoreMarkers + static_cast<int>(i));
      return;
    }
  }
}

namespace {

// The chart's numbers are mostly whole cents: prices of a 0.01 tick, equity and shares rounded
// to them. When `value` is the double nearest to n / 100 (checked by dividing back) with n of
// at most 15 digits, that decimal is its shortest round-trip form — two decimals of 15 digits
// or fewer never round to one double — and is written from n as the library writes it
// ("2500.0", "0.05"); nullptr otherwise (and for -0.0).
// ~120 instructions instead of ~450. Only cents: for whole 1e-8 the library's Grisu2 often
// writes 17 digits ("0.013370719999999999"), and the page keeps the library's bytes.
char* write_cents(char* out, double value) {
  const double magnitude = std::fabs(value);
  if (!(magnitude < 1e13) || (std::signbit(value) && value == 0)) return nullptr;  // also NaN
  const auto n = static_cast<uint64_t>(magnitude * 100 + 0.5);
  if (static_cast<double>(n) / 100 != magnitude) return nullptr;
  if (value < 0) *out++ = '-';
  out = std::to_chars(out, out + 20, n / 100).ptr;
  const auto cents = static_cast<uint32_t>(n % 100);
  *out++ = '.';
  sdk::detail::write_digit_pair(out, cents);
  return out + (cents % 10 != 0 ? 2 : 1);  // "2500.0", "2500.5", "2500.05"
}

// The library's own shortest round-trip form (its dump() writes doubles with it): the same
// bytes as a tree of the same numbers would give. At `out` (room: 64); returns the end.
char* write_library_number(char* out, double value) {
  if (!std::isfinite(value)) return std::copy_n("null", 4, out);  // as nlohmann::json dumps it
  return nlohmann::detail::to_chars(out, out + 64, value);
}

// The text of append_json_number at `out` (room: 64); returns the end.
char* write_json_number(char* out, double value) {
  if (char* end = write_cents(out, value)) return end;
  return write_library_number(out, value);
}

}  // namespace

void append_json_number(std::string& out, double value) {
  char buf[64];
  out.append(buf, write_json_number(buf, value));
}

JsonNumberTexts::JsonNumberTexts() : slots_(4096) {}

char* JsonNumberTexts::write(char* out, double value) {
  if (char* end = write_cents(out, value)) return end;
  const auto bits = std::bit_cast<uint64_t>(value);
  Slot& slot = slots_[(bits * 0x9E3779B97F4A7C15ULL) >> 52];  // the top 12 bits: 4,096 slots
  if (slot.size == 0 || slot.bits != bits) {
    char* const end = write_library_number(out, value);  // not cents: asked above
    const auto size = static_cast<size_t>(end - out);
    if (size <= sizeof(slot.text)) {  // a longer text (none: 24 at most) is not kept
      slot.bits = bits;
      slot.size = static_cast<uint8_t>(size);
      std::memcpy(slot.text, out, size);
    }
    return end;
  }
  return std::copy_n(slot.text, slot.size, out);
}

std::string ReportCollector::html(const json& summary, size_t max_bars) const {
  // Chart bars: runs of k LTF bars.
  const size_t k =
      std::max<size_t>(1, (bars_.size() + max_bars - 1) / std::max<size_t>(1, max_bars));
  // The chart bars straight to JSON text (what a tree's dump() would give, without the tree: the
  // largest value of the page, ~20,000 arrays of eight numbers).
  std::string bars_text = "[";
  JsonNumberTexts numbers;
  std::vector<int64_t> bucket_open_ns;
  // A chart bar's text: "[", the open time, six numbers and the state, commas, "]".
  char row[2 + 20 + 7 * (1 + JsonNumberTexts::kMaxChars) + 2];
  for (size_t i = 0; i < bars_.size(); i += k) {
    const size_t end = std::min(bars_.size(), i + k);
    double high = bars_[i].high, low = bars_[i].low;
    for (size_t j = i; j < end; ++j) {
      high = std::max(high, bars_[j].high);
      low = std::min(low, bars_[j].low);
    }
    const Bar& last = bars_[end - 1];
    bucket_open_ns.push_back(bars_[i].open_ts_ns);
    char* p = row;
    if (i > 0) *p++ = ',';
    *p++ = '[';
    p = std::to_chars(p, p + 20, bars_[i].open_ts_ns / 1'000'000'000).ptr;
    for (const double v : {bars_[i].open, high, low, last.close}) {
      *p++ = ',';
      p = numbers.write(p, v);
    }
    *p++ = ',';
    p = std::to_chars(p, p + 11, last.state).ptr;
    for (const double v :
         {std::round(last.equity * 100) / 100, std::round(last.base_share * 10000) / 100}) {
      *p++ = ',';
      p = numbers.write(p, v);
    }
    *p++ = ']';
    bars_text.append(row, p);
  }
  bars_text += ']';
  const size_t chart_bars = bucket_open_ns.size();
  // Markers: per chart bar and kind, one marker with a count (the marks still waiting belong to
  // the last bar).
  std::map<std::pair<size_t, int>, uint64_t> grouped;
  if (!bars_.empty()) {
    for (const auto& [at, n] : marks_) grouped[{at.first / k, at.second}] += n;
    for (const auto& [ts_ns, kind] : pending_) ++grouped[{(bars_.size() - 1) / k, kind}];
  }
  // Straight to text as well: [[open time, kind, "label"],...], as the tree's dump() writes it.
  std::string markers_text = "[";
  for (const auto& [key, n] : grouped) {
    static constexpr const char* kFillLetters[] = {"B", "S", "B*", "S*"};
    std::string text = key.second < kCoreMarkers
                           ? std::string(kFillLetters[key.second])
                           : markers_[static_cast<size_t>(key.second - kCoreMarkers)].label;
    if (n > 1) text += " x" + std::to_string(n);
    if (markers_text.size() > 1) markers_text += ',';
    markers_text += '[';
    markers_text += std::to_string(bucket_open_ns[key.first] / 1'000'000'000);
    markers_text += ',';
    markers_text += std::to_string(key.second);
    markers_text += ',';
    // Labels are printable ASCII (CoreInstance checks a publication's); anything else as the
    // library escapes it.
    if (std::all_of(text.begin(), text.end(),
                    [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; }))
      markers_text += '"' + text + '"';
    else
      markers_text += json(text).dump();
    markers_text += ']';
  }
  markers_text += ']';
  json state_colors = json::array();
  std::string legend;
  for (const std::string& s : states_) {
    auto it = std::find_if(bands_.begin(), bands_.end(),
                           [&](const CorePublication::Band& b) { return b.value == s; });
    const std::string color = it == bands_.end() ? "rgba(0,0,0,0)" : css_color(it->rgba);
    state_colors.push_back(color);
    if (!s.empty())
      legend += "<span style=\"background:" + color + "\">" + html_escape(s) + "</span>";
  }
  json styles = json::array({
      {{"position", "belowBar"}, {"shape", "circle"}, {"color", "#26a69a"}},
      {{"position", "aboveBar"}, {"shape", "circle"}, {"color", "#ef5350"}},
      {{"position", "belowBar"}, {"shape", "square"}, {"color", "#00796b"}},
      {{"position", "aboveBar"}, {"shape", "square"}, {"color", "#c62828"}},
  });
  static constexpr const char* kShapes[] = {"", "arrowUp", "arrowDown", "circle", "square"};
  for (const CorePublication::Marker& m : markers_)
    styles.push_back({{"position", m.position == MMH_MARKER_ABOVE ? "aboveBar" : "belowBar"},
                      {"shape", kShapes[m.shape]},
                      {"color", css_color(m.rgba)}});
  json marker_names = {"maker buys (B)", "maker sells (S)", "taker buys (B*)", "taker sells (S*)"};
  for (const CorePublication::Marker& m : markers_)
    marker_names.push_back(m.label.empty() ? m.decision_kind
                                           : m.label + " (" + m.decision_kind + ")");
  const int64_t ltf_ns = bars_.empty() ? 60'000'000'000 : bars_.front().interval_ns;
  double start_equity = bars_.empty() ? 0.0 : bars_.front().equity;
  if (summary.contains("start_equity") && summary["start_equity"].is_string())
    start_equity =
        std::strtod(summary["start_equity"].get_ref<const std::string&>().c_str(), nullptr);
  json data = {{"bars", nullptr},  // bars_text, spliced in below
               {"markerNames", std::move(marker_names)},
               {"startEquity", start_equity},
               {"markers", nullptr},  // markers_text
               {"stateColors", state_colors},
               {"markerStyles", styles},
               {"seconds", ltf_ns * static_cast<int64_t>(per_bar_ * k) < 60'000'000'000},
               {"quote", quote_asset}};

  auto text = [&](const char* key) {
    return summary.contains(key) ? scalar_text(summary[key]) : "";
  };
  // Figures grouped, with units; what the core published is its own group; every key of
  // summary.json stays in summary.json (and in the table at the end).
  std::string metrics;
  for (const FigureGroup& g : figure_groups()) {
    const std::string rows = group_rows(summary, g, quote_asset);
    if (!rows.empty())
      metrics += "<div><h3>" + std::string(g.title) + "</h3><table>\n" + rows + "</table></div>\n";
  }
  static const std::set<std::string> host_keys = {"strategy",
                                                  "symbol",
                                                  "ltf_interval",
                                                  "htf_interval",
                                                  "data_file",
                                                  "period",
                                                  "start_equity",
                                                  "capital",
                                                  "end_equity",
                                                  "net_pnl",
                                                  "gross_pnl",
                                                  "realized_pnl",
                                                  "unrealized_pnl",
                                                  "fees_total",
                                                  "return_pct",
                                                  "max_drawdown_pct",
                                                  "sharpe_daily",
                                                  "sortino_daily",
                                                  "days",
                                                  "fills",
                                                  "turnover",
                                                  "fees_by_currency",
                                                  "avg_spread_captured_bps",
                                                  "inventory",
                                                  "orders",
                                                  "risk",
                                                  "event_hash",
                                                  "events",
                                                  "decision_hash",
                                                  "plugins",
                                                  "script",
                                                  "models",
                                                  "options",
                                                  "tick_files",
                                                  "bars_from_trades"};
  std::string published;
  for (auto it = summary.begin(); it != summary.end(); ++it)
    if (!host_keys.count(it.key()) && it->is_object()) published_rows(*it, it.key(), published);
  if (!published.empty())
    metrics += "<div><h3>Structure (what the core published)</h3><table>\n" + published +
               "</table></div>\n";
  std::string all_fields;
  json shown = summary;
  for (const char* skip : {"models", "plugins", "options", "tick_files", "risk"}) shown.erase(skip);
  flatten(shown, "", all_fields);
  std::string risk;
  if (summary.contains("risk")) flatten(summary["risk"], "", risk);
  std::string models;
  if (summary.contains("models")) flatten(summary["models"], "", models);
  std::string plugins;
  if (summary.contains("plugins"))
    for (const json& p : summary["plugins"])
      plugins += "<tr><th>" + html_escape(scalar_text(p.value("role", json()))) + "</th><td>" +
                 html_escape(scalar_text(p.value("name", json())) + " " +
                             scalar_text(p.value("version", json()))) +
                 "</td></tr>\n";
  std::string options;
  if (summary.contains("options")) flatten(summary["options"], "", options);

  const std::string title = "mmhost backtest: " + text("strategy") + " " + text("symbol");
  std::string page;
  page.reserve(chart_bars * 80 + 300'000);
  page += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>";
  page += html_escape(title) + "</title>\n<style>" + kStyle + std::string(backtest_report_css()) +
          "</style>\n</head><body>\n";
  page += "<h1>" + html_escape(title) + "</h1>\n<div class=\"sub\">";
  if (summary.contains("period"))
    page += html_escape(scalar_text(summary["period"].value("first_bar_close", json())) + " to " +
                        scalar_text(summary["period"].value("last_bar_close", json())));
  auto shown_figure = [&](const char* key, Unit unit) {
    return summary.contains(key) ? figure_text(summary[key], unit, quote_asset) : "";
  };
  page += " &middot; net " + html_escape(shown_figure("net_pnl", Unit::money)) + " (" +
          html_escape(shown_figure("return_pct", Unit::pct)) + ") &middot; max drawdown " +
          html_escape(shown_figure("max_drawdown_pct", Unit::pct)) + " &middot; event hash " +
          html_escape(text("event_hash")) + "</div>\n";
  if (const json* fill_model = at_path(summary, "models.fill_model"))
    page += "<p class=\"note\"><b>Fill model:</b> " + html_escape(scalar_text(*fill_model)) +
            (at_path(summary, "models.biases") != nullptr
                 ? ". <b>Its biases:</b> " +
                       html_escape(scalar_text(*at_path(summary, "models.biases")))
                 : std::string()) +
            "</p>\n";
  page += "<div class=\"legend\">Panes: price (candles";
  if (per_bar_ * k > 1) page += ", " + std::to_string(per_bar_ * k) + " LTF bars each";
  page +=
      ") &middot; inventory (base share %) &middot; equity with its drawdown from the peak "
      "(left scale, %). The whole run shows first: scroll to zoom, drag to pan; markers of a "
      "kind close together merge (B ×12). State shading: " +
      legend + "</div>\n<div id=\"marker-toggles\"></div>\n<div id=\"chart\"></div>\n";
  page += "<h2>Daily PnL</h2>\n<div id=\"daily\"></div>\n";
  page += "<h2>Metrics</h2>\n<div class=\"groups\">\n" + metrics + "</div>\n";
  if (!risk.empty())
    page +=
        "<h2>Risk gate</h2>\n<p class=\"sub\">Limits (0 = off), trips and orders held back "
        "by reason, time in each trading state (docs/strategy-api.md).</p>\n<table>\n" +
        risk + "</table>\n";
  page += "<h2>Models</h2>\n<table>\n" + models + options + "</table>\n";
  page += "<h2>Plugins</h2>\n<table>\n" + plugins + "</table>\n";
  page += "<details><summary>Every field of summary.json</summary>\n<table>\n" + all_fields +
          "</table></details>\n";
  page += "<p class=\"sub\">Charts: TradingView Lightweight Charts&trade; " +
          std::string(charts_library_version()) +
          " (Apache-2.0), embedded. Generated by mmhost.</p>\n";
  std::string data_text = data.dump();
  data = json();
  // The first occurrence of each is its key (a string value cannot hold an unescaped quote).
  for (const auto& [key, value] :
       {std::pair<const char*, std::string*>{"\"bars\":null", &bars_text},
        {"\"markers\":null", &markers_text}}) {
    const size_t at = data_text.find(key);
    data_text.replace(at + std::strlen(key) - 4, 4, *value);
    value->clear();
    value->shrink_to_fit();
  }
  page += "<script type=\"application/json\" id=\"report-data\">" +
          script_safe(std::move(data_text)) + "</script>\n";
  page += "<script>\n" + script_safe(std::string(backtest_report_js())) +
          "\n</script>\n</body></html>\n";
  return page;
}

void ReportCollector::write(const std::filesystem::path& file, const json& summary) const {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f << html(summary);
  f.flush();
  if (!f) throw std::runtime_error(file.string() + ": cannot write");
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string script_safe(std::string s) {
  size_t at = s.find("</");
  if (at == std::string::npos) return s;
  // One pass (a replace in place moved the rest of a 200 KB script at every "</").
  std::string out;
  out.reserve(s.size() + s.size() / 32);
  size_t from = 0;
  for (; at != std::string::npos; at = s.find("</", at + 2)) {
    out.append(s, from, at - from);
    out += "<\\/";
    from = at + 2;
  }
  out.append(s, from);
  return out;
}

}  // namespace mmh
