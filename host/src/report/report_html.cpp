#include "report/report_html.hpp"

#include "report/charts_library.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

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
.legend{color:#5b6475;font-size:12px;margin:6px 0}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}
table{border-collapse:collapse}th,td{text-align:left;padding:3px 10px;border-bottom:1px solid #eef0f4;
vertical-align:top}th{font-weight:500;color:#5b6475;white-space:nowrap}td{font-variant-numeric:tabular-nums}
)";

// Draws the chart from the REPORT data; marks the page when done (tests read the marks).
constexpr const char* kRender = R"(
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  var R = JSON.parse(document.getElementById('report-data').textContent);
  var L = window.LightweightCharts;
  var chart = L.createChart(document.getElementById('chart'), {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1d2330',
              panes: { separatorColor: '#e0e3eb' } },
    grid: { vertLines: { color: '#f2f3f7' }, horzLines: { color: '#f2f3f7' } },
    timeScale: { timeVisible: true, secondsVisible: R.seconds },
  });
  var shade = chart.addSeries(L.HistogramSeries, {
    priceScaleId: 'state', lastValueVisible: false, priceLineVisible: false,
    title: '' }, 0);
  chart.priceScale('state', 0).applyOptions({ scaleMargins: { top: 0, bottom: 0 },
                                               visible: false });
  shade.setData(R.bars.map(function (b) {
    return { time: b[0], value: 1, color: R.stateColors[b[5]] || 'rgba(0,0,0,0)' };
  }));
  var candles = chart.addSeries(L.CandlestickSeries, {
    upColor: '#26a69a', downColor: '#ef5350', borderVisible: false,
    wickUpColor: '#26a69a', wickDownColor: '#ef5350' }, 0);
  candles.setData(R.bars.map(function (b) {
    return { time: b[0], open: b[1], high: b[2], low: b[3], close: b[4] };
  }));
  var styles = R.markerStyles;
  L.createSeriesMarkers(candles, R.markers.map(function (m) {
    var s = styles[m[1]];
    return { time: m[0], position: s.position, shape: s.shape, color: s.color, text: m[2] };
  }));
  var inventory = chart.addSeries(L.LineSeries, {
    color: '#7e57c2', lineWidth: 1, title: 'base share %', priceLineVisible: false }, 1);
  inventory.setData(R.bars.map(function (b) { return { time: b[0], value: b[7] }; }));
  var equity = chart.addSeries(L.LineSeries, {
    color: '#2962ff', lineWidth: 2, title: 'equity ' + R.quote, priceLineVisible: false }, 2);
  equity.setData(R.bars.map(function (b) { return { time: b[0], value: b[6] }; }));
  var panes = chart.panes();
  if (panes.length === 3) { panes[0].setHeight(460); panes[1].setHeight(130); panes[2].setHeight(170); }
  chart.timeScale().fitContent();
  // Two frames later the canvases are painted: count the non-white pixels of the whole chart.
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    var shot = chart.takeScreenshot();
    var data = shot.getContext('2d').getImageData(0, 0, shot.width, shot.height).data;
    var painted = 0;
    for (var i = 0; i < data.length; i += 4)
      if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) painted++;
    document.body.setAttribute('data-painted-pixels', String(painted));
    document.body.setAttribute('data-errors', String(errors.length));
    document.body.setAttribute('data-rendered', 'yes');
  }); });
})();
)";

}  // namespace

void ReportCollector::bar(const mmh_candle& c) {
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

void ReportCollector::mark(double equity, double base_share, const std::string& band) {
  if (bars_.empty()) return;
  Bar& b = bars_.back();
  b.equity = equity;
  b.base_share = base_share;
  auto it = std::find(states_.begin(), states_.end(), band);
  if (it == states_.end()) it = states_.insert(states_.end(), band);
  b.state = static_cast<int>(it - states_.begin());
}

void ReportCollector::fill(int64_t ts_ns, bool buy, bool maker) {
  marks_.push_back(
      {ts_ns, maker ? (buy ? kBuyMaker : kSellMaker) : (buy ? kBuyTaker : kSellTaker), ""});
}

void ReportCollector::decision(int64_t ts_ns, const std::string& kind, const std::string& detail) {
  for (size_t i = 0; i < markers_.size(); ++i) {
    const CorePublication::Marker& m = markers_[i];
    if (m.decision_kind == kind &&
        detail.compare(0, m.detail_prefix.size(), m.detail_prefix) == 0) {
      marks_.push_back({ts_ns, kCoreMarkers + static_cast<int>(i), m.label});
      return;
    }
  }
}

std::string ReportCollector::html(const json& summary, size_t max_bars) const {
  // Chart bars: runs of k LTF bars.
  const size_t k =
      std::max<size_t>(1, (bars_.size() + max_bars - 1) / std::max<size_t>(1, max_bars));
  json bars = json::array();
  std::vector<int64_t> bucket_open_ns;
  for (size_t i = 0; i < bars_.size(); i += k) {
    const size_t end = std::min(bars_.size(), i + k);
    double high = bars_[i].high, low = bars_[i].low;
    for (size_t j = i; j < end; ++j) {
      high = std::max(high, bars_[j].high);
      low = std::min(low, bars_[j].low);
    }
    const Bar& last = bars_[end - 1];
    bucket_open_ns.push_back(bars_[i].open_ts_ns);
    bars.push_back({bars_[i].open_ts_ns / 1'000'000'000, bars_[i].open, high, low, last.close,
                    last.state, std::round(last.equity * 100) / 100,
                    std::round(last.base_share * 10000) / 100});
  }
  // Markers: per chart bar and kind, one marker with a count.
  std::map<std::pair<size_t, int>, std::pair<int, std::string>> grouped;
  for (const Mark& m : marks_) {
    if (bucket_open_ns.empty()) break;
    const auto it = std::upper_bound(bucket_open_ns.begin(), bucket_open_ns.end(), m.ts_ns);
    const size_t b =
        it == bucket_open_ns.begin() ? 0 : static_cast<size_t>(it - bucket_open_ns.begin()) - 1;
    auto& g = grouped[{b, m.kind}];
    ++g.first;
    g.second = m.text;
  }
  json markers = json::array();
  for (const auto& [key, g] : grouped) {
    static constexpr const char* kFillLetters[] = {"B", "S", "B*", "S*"};
    std::string text = key.second < kCoreMarkers ? kFillLetters[key.second] : g.second;
    if (g.first > 1) text += " x" + std::to_string(g.first);
    markers.push_back({bucket_open_ns[key.first] / 1'000'000'000, key.second, text});
  }
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
  const int64_t ltf_ns = bars_.empty() ? 60'000'000'000 : bars_.front().interval_ns;
  json data = {{"bars", bars},
               {"markers", markers},
               {"stateColors", state_colors},
               {"markerStyles", styles},
               {"seconds", ltf_ns * static_cast<int64_t>(k) < 60'000'000'000},
               {"quote", quote_asset}};

  auto text = [&](const char* key) {
    return summary.contains(key) ? scalar_text(summary[key]) : "";
  };
  std::string metrics;
  json shown = summary;
  for (const char* skip : {"models", "plugins", "options", "tick_files", "risk"}) shown.erase(skip);
  flatten(shown, "", metrics);
  // The RiskGate gets its own table: what it held back is read apart from the strategy's figures.
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
  page.reserve(bars.size() * 80 + 300'000);
  page += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>";
  page += html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head><body>\n";
  page += "<h1>" + html_escape(title) + "</h1>\n<div class=\"sub\">";
  if (summary.contains("period"))
    page += html_escape(scalar_text(summary["period"].value("first_bar_close", json())) + " to " +
                        scalar_text(summary["period"].value("last_bar_close", json())));
  page += " &middot; net " + html_escape(text("net_pnl")) + " (" + html_escape(text("return_pct")) +
          " %) &middot; max drawdown " + html_escape(text("max_drawdown_pct")) +
          " % &middot; event hash " + html_escape(text("event_hash")) + "</div>\n";
  page += "<div class=\"legend\">Panes: price (candles";
  if (k > 1) page += ", " + std::to_string(k) + " LTF bars each";
  page +=
      "; markers: B/S maker fills, B*/S* taker fills, arrows BOS, grey BOS failed, orange "
      "pullback) &middot; inventory (base share %) &middot; equity. State shading: " +
      legend + "</div>\n<div id=\"chart\"></div>\n";
  page += "<h2>Metrics</h2>\n<table>\n" + metrics + "</table>\n";
  if (!risk.empty())
    page +=
        "<h2>Risk gate</h2>\n<p class=\"sub\">Limits (0 = off), trips and orders held back "
        "by reason, time in each trading state (docs/strategy-api.md).</p>\n<table>\n" +
        risk + "</table>\n";
  page += "<h2>Models</h2>\n<table>\n" + models + options + "</table>\n";
  page += "<h2>Plugins</h2>\n<table>\n" + plugins + "</table>\n";
  page += "<p class=\"sub\">Charts: TradingView Lightweight Charts&trade; " +
          std::string(charts_library_version()) +
          " (Apache-2.0), embedded. Generated by mmhost.</p>\n";
  page += "<script>\n" + script_safe(std::string(charts_library_js())) + "\n</script>\n";
  page += "<script type=\"application/json\" id=\"report-data\">" + script_safe(data.dump()) +
          "</script>\n";
  page += std::string("<script>") + kRender + "</script>\n</body></html>\n";
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
  for (size_t at = s.find("</"); at != std::string::npos; at = s.find("</", at + 2))
    s.replace(at, 2, "<\\/");
  return s;
}

}  // namespace mmh
