// batch_report_html: the page's data (rows, parameters, metrics, the Pareto front) and escaping.
// tests/integration/test_report.cpp renders it in Chromium.
#include "batch/batch_report.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace mmh::batch;

namespace {

RunRecord row(const std::string& label, double pnl, double drawdown, const std::string& status) {
  RunRecord r;
  r.label = label;
  r.status = status;
  r.params_json = R"({"grid.levels":)" + std::to_string(static_cast<int>(pnl)) + "}";
  if (status == "ok")
    r.summary_json = R"({"net_pnl":")" + std::to_string(pnl) + R"(","max_drawdown_pct":)" +
                     std::to_string(drawdown) + R"(,"event_hash":"00ff"})";
  else
    r.error = "grid.levels must be in [1, 20]";
  return r;
}

nlohmann::json page_data(const std::string& html) {
  const std::string open = R"(<script type="application/json" id="batch-data">)";
  const size_t at = html.find(open);
  REQUIRE(at != std::string::npos);
  const size_t from = at + open.size();
  return nlohmann::json::parse(html.substr(from, html.find("</script>", from) - from));
}

}  // namespace

TEST_CASE("batch report: rows, parameters, metrics and the front of the chosen objectives") {
  const std::vector<RunRecord> rows = {row("a", 10, 5, "ok"), row("b", 20, 8, "ok"),
                                       row("c", 5, 9, "ok"), row("d</script>", 0, 0, "failed")};
  const std::vector<Objective> objectives = {{"net_pnl", true}, {"max_drawdown_pct", false}};
  const std::string html = batch_report_html(rows, objectives, "sweep <1>");
  CHECK(html.find("sweep &lt;1&gt;") != std::string::npos);
  CHECK(html.find("d</script>") == std::string::npos);  // cannot end the data block early
  const nlohmann::json d = page_data(html);
  REQUIRE(d["rows"].size() == 4);
  CHECK(d["params"] == nlohmann::json::array({"grid.levels"}));
  // Amounts given as decimal text are numbers on the page; hashes are not metrics.
  CHECK(d["rows"][0]["metrics"]["net_pnl"] == 10.0);
  CHECK_FALSE(d["rows"][0]["metrics"].contains("event_hash"));
  // a (10, 5) and b (20, 8) are on the front; c (5, 9) is dominated by both; d failed.
  CHECK(d["rows"][0]["front"] == true);
  CHECK(d["rows"][1]["front"] == true);
  CHECK(d["rows"][2]["front"] == false);
  CHECK(d["rows"][3]["front"] == false);
  CHECK(d["rows"][3]["error"] == "grid.levels must be in [1, 20]");
  CHECK(d["objectives"][0]["metric"] == "net_pnl");
  CHECK(d["objectives"][1]["maximize"] == false);
}
