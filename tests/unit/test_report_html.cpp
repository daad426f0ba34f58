#include "report/report_html.hpp"

#include "report/web_assets.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

using mmh::ReportCollector;

namespace {

constexpr int64_t kMin = 60'000'000'000;

mmh_candle bar(int64_t i, double close) {
  const auto e8 = [](double x) { return static_cast<int64_t>(x * 1e8 + 0.5); };
  return mmh_candle{i * kMin, kMin, e8(close - 1), e8(close + 2), e8(close - 3), e8(close), e8(10),
                    1,        0};
}

// The JSON the page draws from.
nlohmann::json data_of(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const size_t from = page.find(open);
  REQUIRE(from != std::string::npos);
  const size_t begin = from + open.size();
  return nlohmann::json::parse(page.substr(begin, page.find("</script>", begin) - begin));
}

}  // namespace

TEST_CASE("report html: bars, the core's bands and markers, grouped, and the metrics table") {
  ReportCollector c;
  // What the core publishes: how its bar value shades the chart and which decisions it marks.
  mmh::CorePublication pub;
  pub.bands = {{"mm", 0x26A69A29u}};
  pub.markers = {
      {"bos_confirmed", "bearish", "down", MMH_MARKER_ARROW_DOWN, MMH_MARKER_ABOVE, 0},
      {"bos_confirmed", "bullish", "BOS", MMH_MARKER_ARROW_UP, MMH_MARKER_BELOW, 0x2962FFFFu}};
  c.set_publication(pub);
  for (int i = 0; i < 5; ++i) {
    c.bar(bar(i, 100 + i));
    c.mark(10'000 + i, 0.25, i < 2 ? "idle" : "mm");
  }
  c.fill(2 * kMin + 5, true, true);  // two maker buys in bar 2
  c.fill(2 * kMin + 9, true, true);
  c.fill(3 * kMin, false, false);  // a taker sell in bar 3
  c.decision(kMin + 1, "bos_confirmed", "bullish level=101");
  c.decision(kMin + 2, "grid_updated", "ignored");
  nlohmann::ordered_json summary = {{"strategy", "s</script><b>"},
                                    {"net_pnl", "-1.5"},
                                    {"models", {{"fill_model", "candle: O-L-H-C"}}}};
  const std::string page = c.html(summary);
  CHECK(page.find(std::string(mmh::backtest_report_js().substr(0, 40))) != std::string::npos);
  // Grouped figures with units; every field still listed as it is.
  CHECK(page.find("<th title=\"net_pnl\">Net PnL</th><td class=\"n\">\u22121.50 USDT</td>") !=
        std::string::npos);
  // Text from the summary is escaped, never markup.
  CHECK(page.find("s&lt;/script&gt;&lt;b&gt;") != std::string::npos);
  CHECK(page.find("<th>net_pnl</th><td>-1.5</td>") != std::string::npos);
  CHECK(page.find("<th>fill_model</th><td>candle: O-L-H-C</td>") != std::string::npos);

  const nlohmann::json d = data_of(page);
  REQUIRE(d["bars"].size() == 5);
  CHECK(d["bars"][2][0] == 120);    // time in seconds
  CHECK(d["bars"][2][4] == 102.0);  // close
  CHECK(d["bars"][2][6] == 10'002.0);
  CHECK(d["bars"][2][7] == 25.0);  // base share in %
  const auto mm = d["bars"][4][5].get<size_t>();
  CHECK(d["bars"][0][5] == 0);
  CHECK(mm != 0);
  CHECK(d["stateColors"][0] == "rgba(0,0,0,0)");  // "idle": no band
  CHECK(d["stateColors"][mm] == "rgba(38,166,154,0.16)");
  // The second core marker (style 4 + 1) matched the bullish BOS; grid_updated is no marker.
  REQUIRE(d["markers"].size() == 3);
  CHECK(d["markers"][0] == nlohmann::json::array({60, 5, "BOS"}));
  CHECK(d["markerStyles"][5] ==
        nlohmann::json(
            {{"position", "belowBar"}, {"shape", "arrowUp"}, {"color", "rgba(41,98,255,1.00)"}}));
  CHECK(d["markers"][1] == nlohmann::json::array({120, 0, "B x2"}));
  CHECK(d["markers"][2] == nlohmann::json::array({180, 3, "S*"}));
}

TEST_CASE("report html: long runs are thinned to whole multiples of the LTF bar") {
  ReportCollector c;
  for (int i = 0; i < 5; ++i) {
    c.bar(bar(i, 100 + i));
    c.mark(1, 0, "idle");
  }
  c.fill(4 * kMin + 1, false, true);
  const nlohmann::json d = data_of(c.html(nlohmann::ordered_json::object(), 2));
  REQUIRE(d["bars"].size() == 2);   // k = 3: bars 0-2, 3-4
  CHECK(d["bars"][0][1] == 99.0);   // open of the first
  CHECK(d["bars"][0][2] == 104.0);  // highest high (bar 2: 102 + 2)
  CHECK(d["bars"][0][3] == 97.0);   // lowest low (bar 0: 100 - 3)
  CHECK(d["bars"][1][4] == 104.0);  // close of the last
  REQUIRE(d["markers"].size() == 1);
  CHECK(d["markers"][0][0] == 180);  // the fill lands in the second chart bar
}

TEST_CASE("report html: told the run's length, chart bars are built as the bars come") {
  ReportCollector later, streamed;
  streamed.expect_bars(5, 2);  // k = 3, as html() would thin at the end
  for (int i = 0; i < 5; ++i) {
    for (ReportCollector* c : {&later, &streamed}) {
      c->bar(bar(i, 100 + i));
      c->mark(1000 + i, 0.1 * i, i < 3 ? "idle" : "mm");
    }
  }
  const nlohmann::json a = data_of(later.html(nlohmann::ordered_json::object(), 2));
  const nlohmann::json b = data_of(streamed.html(nlohmann::ordered_json::object(), 2));
  REQUIRE(a["bars"].size() == 2);
  CHECK(b["bars"] == a["bars"]);  // open, high, low, close, state, equity, share of each
  CHECK(b["seconds"] == a["seconds"]);
  CHECK(b["stateColors"] == a["stateColors"]);
}

TEST_CASE("report html: chart numbers are written as a JSON tree's dump() writes them") {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {
      0.0,       -0.0, 1.0,   2500.0, 2500.12, 0.001,       1e-5,
      1e15,      1e16, 1e21,  -3.75,  1.0 / 3, 5e-324,      1.7976931348623157e308,
      123456.78, 0.1,  -1e-4, inf,    -inf,    std::nan("")};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> price(0.01, 200'000.0);
  for (int i = 0; i < 2000; ++i) {
    values.push_back(price(rng));
    values.push_back(std::round(price(rng) * 100) / 100);
    values.push_back(
        std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 100));
  }
  for (const double v : values) {
    std::string text = "x";
    mmh::append_json_number(text, v);
    CAPTURE(v);
    CHECK(text.substr(1) == nlohmann::json(v).dump());
  }
  // Through the table of recent texts: each value twice and in between others that may take its
  // slot, the same text every time.
  mmh::JsonNumberTexts kept;
  std::string direct, through;
  for (size_t i = 0; i < values.size(); ++i)
    for (const double v : {values[i], values[(i * 7919) % values.size()], values[i]}) {
      mmh::append_json_number(direct, v);
      kept.append(through, v);
      direct += ',';
      through += ',';
    }
  CHECK(through == direct);
}

TEST_CASE("report html: whole cents written from their decimals, as dump() writes them") {
  // The chart's numbers take a short path when they are n / 100 (prices, equity, shares); it
  // must give the library's bytes for every such double and leave the rest to the library (whole
  // 1e-8 among them: its Grisu2 writes many with 17 digits).
  std::vector<double> values;
  for (int64_t n = 0; n <= 300'000; ++n) values.push_back(static_cast<double>(n) / 100);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200'000; ++i) {
    const int64_t digits = 1 + static_cast<int64_t>(rng() % 15);  // n of 1..15 digits
    int64_t limit = 1;
    for (int64_t d = 0; d < digits; ++d) limit *= 10;
    const auto n = static_cast<double>(rng() % static_cast<uint64_t>(limit));
    const double sign = (rng() & 1) != 0 ? -1.0 : 1.0;
    values.push_back(sign * n / 100);
    values.push_back(sign * n / 1e8);
  }
  // Around the edges: 1e-4 (below it the library writes an exponent), 1e13, 15 and 16 digits,
  // negative zero, the neighbours of a decimal (not decimals themselves).
  for (const double v : {1e-4, 9.999e-5, 0.00012345, 1e-8, 9999999999999.99, 1e13, 1e13 - 0.01,
                         99999999.99999999, 123456789.12345678, -0.0, 0.01, -0.01}) {
    values.push_back(v);
    values.push_back(std::nextafter(v, 1e300));
    values.push_back(std::nextafter(v, -1e300));
  }
  size_t failures = 0;
  for (const double v : values) {
    std::string text;
    mmh::append_json_number(text, v);
    if (text != nlohmann::json(v).dump()) {
      CAPTURE(v);
      CHECK(text == nlohmann::json(v).dump());
      if (++failures == 10) break;
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("report html: script_safe breaks every closing tag and leaves the rest") {
  CHECK(mmh::script_safe("") == "");
  CHECK(mmh::script_safe("no tags <b> here") == "no tags <b> here");
  CHECK(mmh::script_safe("</script>") == "<\\/script>");
  CHECK(mmh::script_safe("a</b</c>x</") == "a<\\/b<\\/c>x<\\/");
  CHECK(mmh::script_safe("<</</") == "<<\\/<\\/");
  // The bundled chart script: no "</" left, and only "</" changed.
  const std::string js(mmh::backtest_report_js());
  const std::string safe = mmh::script_safe(js);
  CHECK(safe.find("</") == std::string::npos);
  std::string back = safe;
  for (size_t at = back.find("<\\/"); at != std::string::npos; at = back.find("<\\/", at + 2))
    back.replace(at, 3, "</");
  CHECK(back == js);
}

TEST_CASE("report scripts: the pinned chart libraries are bundled in") {
  CHECK(mmh::charts_library_version() == "5.2.1");
  const std::string_view backtest = mmh::backtest_report_js();
  CHECK(backtest.size() > 100'000);
  CHECK(backtest.find("Lightweight Charts") != std::string_view::npos);    // its licence comment
  CHECK(mmh::batch_report_js().find("u-over") != std::string_view::npos);  // uPlot's
  CHECK(mmh::web_ui_js().find("u-over") != std::string_view::npos);
}
