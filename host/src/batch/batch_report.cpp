#include "batch/batch_report.hpp"

#include "report/report_html.hpp"
#include "report/web_assets.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace mmh::batch {

namespace {

using json = nlohmann::json;

// Numeric leaves of a summary as "a.b" paths (amounts are decimal strings there).
void flatten(const json& j, const std::string& prefix, json& out) {
  for (const auto& [k, v] : j.items()) {
    const std::string path = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) {
      flatten(v, path, out);
    } else if (v.is_number()) {
      out[path] = v;
    } else if (v.is_string() && k.find("hash") == std::string::npos) {
      if (const std::optional<double> d = decimal_number(v.get_ref<const std::string&>()))
        out[path] = *d;
    }
  }
}

}  // namespace

std::string batch_report_html(const std::vector<RunRecord>& rows,
                              const std::vector<Objective>& objectives, const std::string& title) {
  std::set<std::string> params, metric_names;
  json data_rows = json::array();
  std::vector<std::vector<double>> values;
  std::vector<bool> ok;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RunRecord& r = rows[i];
    json p = json::parse(r.params_json, nullptr, false);
    if (!p.is_object()) p = json::object();
    for (const auto& [k, v] : p.items()) params.insert(k);
    json metrics = json::object();
    const json summary =
        r.summary_json.empty() ? json::object() : json::parse(r.summary_json, nullptr, false);
    if (summary.is_object()) flatten(summary, "", metrics);
    for (const auto& [k, v] : metrics.items()) metric_names.insert(k);
    std::vector<double> v;
    bool fine = r.status == "ok";
    for (const Objective& o : objectives) {
      auto it = metrics.find(o.metric);
      fine = fine && it != metrics.end();
      v.push_back(it != metrics.end() ? it->get<double>() : 0.0);
    }
    values.push_back(v);
    ok.push_back(fine);
    data_rows.push_back({{"i", i},
                         {"label", r.label.empty() ? r.window_start : r.label},
                         {"status", r.status},
                         {"error", r.error},
                         {"params", p},
                         {"metrics", metrics},
                         {"front", false}});
  }
  const auto fronts = non_dominated_fronts(values, objectives, ok);
  size_t front_size = 0;
  if (!fronts.empty())
    for (size_t i : fronts[0])
      if (ok[i]) {
        data_rows[i]["front"] = true;
        ++front_size;
      }
  // The table's metric columns: the main ones first, then the rest of the summary's numbers.
  std::vector<std::string> metric_cols = {"net_pnl",      "return_pct",  "max_drawdown_pct",
                                          "sharpe_daily", "fills.total", "fees_total"};
  for (const Objective& o : objectives)
    if (std::find(metric_cols.begin(), metric_cols.end(), o.metric) == metric_cols.end())
      metric_cols.push_back(o.metric);
  metric_cols.erase(std::remove_if(metric_cols.begin(), metric_cols.end(),
                                   [&](const std::string& m) { return !metric_names.count(m); }),
                    metric_cols.end());
  json data = {{"rows", data_rows},
               {"params", json(std::vector<std::string>(params.begin(), params.end()))},
               {"metrics", metric_cols},
               {"objectives", json::array()}};
  for (const Objective& o : objectives)
    data["objectives"].push_back({{"metric", o.metric}, {"maximize", o.maximize}});
  size_t failed = 0;
  for (const RunRecord& r : rows) failed += r.status != "ok";

  auto sense = [](const Objective& o) { return o.metric + (o.maximize ? " (max)" : " (min)"); };
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mmhost batch: " +
      html_escape(title) +
      "</title>\n<style>\n"
      "body{font:14px/1.4 system-ui,sans-serif;color:#1d2330;margin:24px;}\n"
      "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}\n"
      ".chart{min-height:360px;border:1px solid #e0e3eb;position:relative}\n"
      "table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
      "th,td{padding:3px 8px;border-bottom:1px solid #eef0f4;text-align:right;white-space:nowrap}\n"
      "th{cursor:pointer;background:#f7f8fa;position:sticky;top:0}\n"
      "tr.front td{background:#fff4f4}tr.failed td{color:#9e9e9e}\n"
      "</style></head><body>\n<h1>mmhost batch: " +
      html_escape(title) + "</h1>\n<p>" + std::to_string(rows.size()) + " runs, " +
      std::to_string(failed) + " failed; Pareto front of " + html_escape(sense(objectives[0])) +
      " and " + html_escape(sense(objectives[1])) + ": " + std::to_string(front_size) +
      " runs (highlighted). Hover a point for its run's parameters.</p>\n<h2>Pareto "
      "front</h2><p>x: " +
      html_escape(sense(objectives[0])) + ", y: " + html_escape(sense(objectives[1])) +
      "; grey: every run, red: the front.</p>\n<div id=\"pareto\" class=\"chart\"></div>\n"
      "<h2>Parameter against metric</h2><p>x <select id=\"scatter-x\"></select> y <select "
      "id=\"scatter-y\"></select></p>\n<div id=\"scatter\" class=\"chart\"></div>\n"
      "<h2>Runs</h2><p>Click a column to sort.</p>\n<table id=\"runs\"></table>\n";
  page += "<style>\n" + std::string(batch_report_css()) + "\n</style>\n";
  page += "<script type=\"application/json\" id=\"batch-data\">" + script_safe(data.dump()) +
          "</script>\n<script>\n" + script_safe(std::string(batch_report_js())) +
          "\n</script>\n</body></html>\n";
  return page;
}

}  // namespace mmh::batch
