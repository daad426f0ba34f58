#include "batch/batch_report.hpp"

#include "report/charts_library.hpp"
#include "report/report_html.hpp"

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

// The page's script: the table (click a header to sort), the scatter and the Pareto front.
// Points sharing an x go to separate series (a series needs strictly increasing x).
constexpr const char* kScript = R"JS(
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  var D = JSON.parse(document.getElementById('batch-data').textContent);
  var L = window.LightweightCharts;
  function value(r, col) {
    if (col.indexOf('params.') === 0) { var p = r.params[col.slice(7)]; var n = Number(p); return isNaN(n) ? p : n; }
    return r.metrics[col];
  }
  // Table.
  var cols = ['label'].concat(D.params.map(function (p) { return 'params.' + p; }), D.metrics, ['status']);
  var sortCol = D.objectives[0].metric, sortDesc = D.objectives[0].maximize;
  function cell(v) {
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return Math.abs(v) >= 1000 || v === Math.round(v) ? String(Math.round(v * 100) / 100) : v.toFixed(4);
    return String(v);
  }
  function drawTable() {
    var rows = D.rows.slice();
    rows.sort(function (a, b) {
      var x = value(a, sortCol), y = value(b, sortCol);
      if (x === undefined) return 1; if (y === undefined) return -1;
      if (x === y) return a.i - b.i;
      return (x < y ? -1 : 1) * (sortDesc ? -1 : 1);
    });
    var h = '<tr>' + cols.map(function (c) {
      return '<th data-col="' + c + '">' + c.replace(/^params\./, '') + (c === sortCol ? (sortDesc ? ' \u25bc' : ' \u25b2') : '') + '</th>';
    }).join('') + '</tr>';
    rows.forEach(function (r) {
      h += '<tr class="' + (r.front ? 'front' : '') + (r.status !== 'ok' ? ' failed' : '') + '">' + cols.map(function (c) {
        if (c === 'label') return '<td>' + r.label + '</td>';
        if (c === 'status') return '<td title="' + (r.error || '').replace(/"/g, '&quot;') + '">' + r.status + '</td>';
        return '<td>' + cell(value(r, c)) + '</td>';
      }).join('') + '</tr>';
    });
    var t = document.getElementById('runs');
    t.innerHTML = h;
    t.querySelectorAll('th').forEach(function (th) {
      th.addEventListener('click', function () {
        var c = th.getAttribute('data-col');
        if (c === sortCol) sortDesc = !sortDesc; else { sortCol = c; sortDesc = true; }
        drawTable();
      });
    });
  }
  drawTable();
  function chart(id) {
    return L.createOptionsChart(document.getElementById(id), {
      autoSize: true,
      layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1d2330' },
      grid: { vertLines: { color: '#f2f3f7' }, horzLines: { color: '#f2f3f7' } },
    });
  }
  // Points [{x, y}] as dot series; returns the series made.
  function dots(c, points, color) {
    points = points.filter(function (p) { return typeof p.x === 'number' && typeof p.y === 'number' && isFinite(p.x) && isFinite(p.y); });
    points.sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    var layers = [];
    points.forEach(function (p) {
      for (var k = 0; ; ++k) {
        if (!layers[k]) layers[k] = [];
        var l = layers[k];
        if (!l.length || l[l.length - 1].time < p.x) { l.push({ time: p.x, value: p.y }); break; }
      }
    });
    return layers.map(function (l) {
      var s = c.addSeries(L.LineSeries, { color: color, lineVisible: false, pointMarkersVisible: true,
        pointMarkersRadius: 3, lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false });
      s.setData(l);
      return s;
    });
  }
  // Scatter: a parameter against a metric.
  var scatter = chart('scatter'), scatterSeries = [];
  var px = document.getElementById('scatter-x'), py = document.getElementById('scatter-y');
  D.params.forEach(function (p) { px.add(new Option(p, 'params.' + p)); });
  D.metrics.forEach(function (m) { py.add(new Option(m, m)); });
  py.value = D.objectives[0].metric;
  function drawScatter() {
    scatterSeries.forEach(function (s) { scatter.removeSeries(s); });
    scatterSeries = dots(scatter, D.rows.filter(function (r) { return r.status === 'ok'; }).map(function (r) {
      return { x: value(r, px.value), y: value(r, py.value) };
    }), '#2962ff');
    scatter.timeScale().fitContent();
  }
  px.addEventListener('change', drawScatter);
  py.addEventListener('change', drawScatter);
  if (D.params.length) drawScatter();
  // Pareto: every run, the front drawn over it.
  var pareto = chart('pareto');
  var ox = D.objectives[0].metric, oy = D.objectives[1].metric;
  var ok = D.rows.filter(function (r) { return r.status === 'ok'; });
  dots(pareto, ok.map(function (r) { return { x: value(r, ox), y: value(r, oy) }; }), '#b0b7c3');
  var front = ok.filter(function (r) { return r.front; }).map(function (r) { return { time: value(r, ox), value: value(r, oy) }; });
  front.sort(function (a, b) { return a.time - b.time; });
  front = front.filter(function (p, i) { return i === 0 || p.time > front[i - 1].time; });
  var fs = pareto.addSeries(L.LineSeries, { color: '#ef5350', lineWidth: 2, pointMarkersVisible: true,
    pointMarkersRadius: 4, lastValueVisible: false, priceLineVisible: false });
  fs.setData(front);
  pareto.timeScale().fitContent();
  // Two frames later the canvases are painted: count each chart's non-white pixels (a test reads
  // them; an empty chart paints only its axes).
  function painted(c) {
    var shot = c.takeScreenshot();
    var px = shot.getContext('2d').getImageData(0, 0, shot.width, shot.height).data, n = 0;
    for (var i = 0; i < px.length; i += 4) if (px[i] < 250 || px[i + 1] < 250 || px[i + 2] < 250) n++;
    return n;
  }
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    var b = document.body;
    b.setAttribute('data-painted-pareto', String(painted(pareto)));
    b.setAttribute('data-painted-scatter', String(painted(scatter)));
    b.setAttribute('data-table-rows', String(document.querySelectorAll('#runs tr').length - 1));
    b.setAttribute('data-front-points', String(front.length));
    b.setAttribute('data-errors', String(errors.length));
    b.setAttribute('data-rendered', 'yes');
  }); });
})();
)JS";

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
      ".chart{height:360px;border:1px solid #e0e3eb}\n"
      "table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
      "th,td{padding:3px 8px;border-bottom:1px solid #eef0f4;text-align:right;white-space:nowrap}\n"
      "th{cursor:pointer;background:#f7f8fa;position:sticky;top:0}\n"
      "tr.front td{background:#fff4f4}tr.failed td{color:#9e9e9e}\n"
      "</style></head><body>\n<h1>mmhost batch: " +
      html_escape(title) + "</h1>\n<p>" + std::to_string(rows.size()) + " runs, " +
      std::to_string(failed) + " failed; Pareto front of " + html_escape(sense(objectives[0])) +
      " and " + html_escape(sense(objectives[1])) + ": " + std::to_string(front_size) +
      " runs (highlighted). Charts: lightweight-charts " + std::string(charts_library_version()) +
      ".</p>\n<h2>Pareto front</h2><p>x: " + html_escape(sense(objectives[0])) +
      ", y: " + html_escape(sense(objectives[1])) +
      "; grey: every run, red: the front.</p>\n<div id=\"pareto\" class=\"chart\"></div>\n"
      "<h2>Parameter against metric</h2><p>x <select id=\"scatter-x\"></select> y <select "
      "id=\"scatter-y\"></select></p>\n<div id=\"scatter\" class=\"chart\"></div>\n"
      "<h2>Runs</h2><p>Click a column to sort.</p>\n<table id=\"runs\"></table>\n";
  page += "<script>\n" + script_safe(std::string(charts_library_js())) + "\n</script>\n";
  page += "<script type=\"application/json\" id=\"batch-data\">" + script_safe(data.dump()) +
          "</script>\n<script>\n" + kScript + "</script>\n</body></html>\n";
  return page;
}

}  // namespace mmh::batch
