// Hot reload inside a run: a reload that changes nothing leaves the decision stream untouched
// (nothing lost, doubled or reset by the swap), a changed parameter rules from the next bar, and
// a broken script is refused while the old one keeps running.
#include "app/format.hpp"
#include "reload_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace mmh;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

std::string strategy(const std::string& extra_policy) {
  return "return mmhost.strategy{ core = 'bos_mm',\n"
         "  market = { symbol = 'ETHUSDT', ltf = '5m', htf = '5m', " MMH_ETH_INSTRUMENT
         " },\n"
         "  grid = { levels = 4 },\n"
         "  policy = { recovery_bars = 6" +
         extra_policy + " },\n}\n";
}

using Run = mmh::test::ReloadRun;

Run run(const std::string& script, const std::string& csv,
        const std::function<void(int64_t)>& at_boundary) {
  // Paced (a reload needs the wall clock), at a speed where pacing costs nothing.
  return mmh::test::run_with_hook(script, csv, at_boundary, 1e9);
}

std::string trimmed_csv(const TempDir& dir, size_t rows) {
  return mmh::test::bybit_5m_csv(dir, rows);
}

bool is_reload(const std::string& line) {
  return line.find(" reload_") != std::string::npos;
}

}  // namespace

TEST_CASE("reload: rewriting the same parameters changes no decision") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 8000);
  const std::string script = write_file(dir.file("s.lua"), strategy(""));
  const Run baseline = run(script, csv, {});
  int64_t bars = 0;
  const Run reloaded = run(script, csv, [&](int64_t) {
    if (++bars == 4000) write_file(script, strategy(""));  // same content, written again
  });
  REQUIRE(reloaded.report.decisions.reloads_ok == 1);
  std::vector<std::string> without_reload;
  for (const std::string& line : reloaded.lines)
    if (!is_reload(line)) without_reload.push_back(line);
  CHECK(without_reload == baseline.lines);
  CHECK(reloaded.report.stats.total_events() == baseline.report.stats.total_events());
}

TEST_CASE("reload: a changed threshold rules from the next bar, a broken script is refused") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 8000);
  const std::string script = write_file(dir.file("s.lua"), strategy(""));
  const Run baseline = run(script, csv, {});
  int64_t bars = 0;
  int64_t changed_at_ns = 0;
  const Run r = run(script, csv, [&](int64_t next_close_ns) {
    ++bars;
    if (bars == 3000) {
      // An ATR of 0.01% of price is always exceeded: Defensive from the next bar on.
      write_file(script, strategy(", defensive_atr_pct = 0.01"));
      changed_at_ns = next_close_ns;
    } else if (bars == 5000) {
      write_file(script, strategy(", defensive_atr_pct = 0.01") + "\nlocal = broken\n");
    } else if (bars == 6000) {
      write_file(script,
                 "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'ETHUSDT', "
                 "ltf = '5m', htf = '5m', " MMH_ETH_INSTRUMENT " }, grid = { levels = 99 } }\n");
    }
  });
  CHECK(r.report.decisions.reloads_ok == 1);
  CHECK(r.report.decisions.reloads_failed == 2);
  // Up to the reload the run matches the baseline line for line.
  size_t reload_at = 0;
  while (reload_at < r.lines.size() && !is_reload(r.lines[reload_at])) ++reload_at;
  REQUIRE(reload_at < r.lines.size());
  CHECK(r.lines[reload_at].find("reload_ok changed: policy.defensive_atr_pct (default) -> 0.01") !=
        std::string::npos);
  CHECK(std::vector<std::string>(r.lines.begin(),
                                 r.lines.begin() + static_cast<ptrdiff_t>(reload_at)) ==
        std::vector<std::string>(baseline.lines.begin(),
                                 baseline.lines.begin() + static_cast<ptrdiff_t>(reload_at)));
  // The bar right after the swap (its decisions carry its close time) turns the policy Defensive.
  size_t policy_at = reload_at + 1;
  while (policy_at < r.lines.size() &&
         r.lines[policy_at].find(" policy_changed ") == std::string::npos)
    ++policy_at;
  REQUIRE(policy_at < r.lines.size());
  CHECK(r.lines[policy_at].find(iso_time(changed_at_ns) + " policy_changed normal->defensive") ==
        0);
  // The broken scripts are refused with their line, and the run goes on to the end.
  bool syntax = false, range = false;
  for (const std::string& line : r.lines) {
    syntax = syntax || (line.find("reload_failed") != std::string::npos &&
                        line.find("s.lua:7: ") != std::string::npos &&  // wording: per Lua
                        line.find("near 'local'") != std::string::npos);
    range = range ||
            (line.find("reload_failed") != std::string::npos &&
             line.find("s.lua:1: grid.levels must be in [1, 20], got 99") != std::string::npos);
  }
  CHECK(syntax);
  CHECK(range);
  CHECK(r.report.stats.total_events() == baseline.report.stats.total_events());
}

namespace {

const char* kMarket =
    "return mmhost.strategy{ core = 'bos_mm',\n"
    "  market = { symbol = 'ETHUSDT', ltf = '5m', htf = '5m', " MMH_ETH_INSTRUMENT " },\n";

// Records, on every bar, the engine state a swap must carry over.
const char* kRecordState =
    "local code = { idle = 1, bos = 2, rebalance = 3, mm = 4, exit = 5 }\n"
    "local function record(prefix, ctx)\n"
    "  mmhost.metric(prefix .. '.state', code[ctx.state])\n"
    "  mmhost.metric(prefix .. '.bars_in_state', ctx.bars_in_state)\n"
    "  mmhost.metric(prefix .. '.base', ctx.inventory.base)\n"
    "  mmhost.metric(prefix .. '.quote', ctx.balances.quote)\n"
    "end\n";

double last(const RunReport& r, const std::string& name) {
  const auto it = r.metrics.find(name);
  REQUIRE_MESSAGE(it != r.metrics.end(), "no metric ", name);
  return it->second.last;
}

int count_lines(const std::vector<std::string>& lines, const std::string& text) {
  int n = 0;
  for (const std::string& line : lines) n += line.find(text) != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("scripts: callbacks see every HTF bar and transition, a policy function rules") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 6000);
  const std::string script = write_file(
      dir.file("s.lua"),
      std::string(kMarket) +
          "  on_start = function(ctx) mmhost.state.bars = 0; mmhost.state.moves = 0 end,\n"
          "  on_bar = function(bar, ctx) mmhost.state.bars = mmhost.state.bars + 1\n"
          "    mmhost.metric('bars', mmhost.state.bars) end,\n"
          "  on_transition = function(from, to, reason, ctx)\n"
          "    mmhost.state.moves = mmhost.state.moves + 1\n"
          "    mmhost.metric('moves', mmhost.state.moves) end,\n"
          "}\n");
  const Run r = run(script, csv, {});
  CHECK(last(r.report, "bars") == static_cast<double>(r.report.htf_bars));
  CHECK(last(r.report, "moves") ==
        static_cast<double>(r.report.decisions.by_kind.at("transition")));
  CHECK(r.report.decisions.by_kind.at("transition") > 10);

  // A policy function that answers what the thresholds suggest changes no decision, and sees
  // the same inputs through `m` as through the ctx views.
  write_file(script, std::string(kMarket) + "}\n");
  const Run table = run(script, csv, {});
  write_file(script, std::string(kMarket) +
                         "  policy = function(m, ctx)\n"
                         "    mmhost.metric('m.atr_pct', m.atr_pct)\n"
                         "    mmhost.metric('gap', math.abs(m.atr_pct - ctx.market.atr_pct) +\n"
                         "      math.abs(m.drawdown_pct - ctx.pnl.drawdown_pct))\n"
                         "    return m.suggested end,\n"
                         "}\n");
  const Run suggested = run(script, csv, {});
  CHECK(suggested.report.decisions.hash() == table.report.decisions.hash());
  CHECK(suggested.lines == table.lines);
  CHECK(suggested.report.metrics.at("m.atr_pct").max > 0);  // real inputs, not the fallbacks
  CHECK(suggested.report.metrics.at("gap").max == 0);

  // A policy that always says Disabled: no setup ever starts.
  write_file(script, std::string(kMarket) +
                         "  policy = function(m, ctx) return 'Disabled' end,\n"
                         "}\n");
  const Run disabled = run(script, csv, {});
  CHECK(disabled.report.decisions.by_kind.count("transition") == 0);
  CHECK(count_lines(disabled.lines, "policy_changed normal->disabled cause=script") == 1);
}

TEST_CASE("scripts: a failing callback is an error event, keep or stop quoting after it") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 6000);
  auto failing = [&](const std::string& action) {
    return std::string(kMarket) + "  risk = { on_script_error = '" + action +
           "' },\n"
           "  policy = function(m, ctx)\n"
           "    mmhost.state.n = (mmhost.state.n or 0) + 1\n"
           "    if mmhost.state.n == 2000 then error('bad luck') end\n"
           "    return m.suggested end,\n"
           "}\n";
  };
  const std::string script = write_file(dir.file("s.lua"), failing("keep"));
  const Run keep = run(script, csv, {});
  CHECK(keep.report.script_errors == 1);
  REQUIRE(count_lines(keep.lines, " script_error ") == 1);
  CHECK(count_lines(keep.lines, "s.lua:6: bad luck (in policy)") == 1);
  CHECK(keep.report.htf_bars == 6000);                  // the run went on to the end
  CHECK(count_lines(keep.lines, "cause=script") == 0);  // the kept level was the suggestion

  write_file(script, failing("stop_quoting"));
  const Run stop = run(script, csv, {});
  CHECK(stop.report.script_errors == 1);
  // Disabled from the failure on: the policy changes once more and never again.
  size_t error_at = 0;
  while (error_at < stop.lines.size() &&
         stop.lines[error_at].find(" script_error ") == std::string::npos)
    ++error_at;
  REQUIRE(error_at < stop.lines.size());
  const std::vector<std::string> after(stop.lines.begin() + static_cast<ptrdiff_t>(error_at),
                                       stop.lines.end());
  CHECK(count_lines(after, "->disabled cause=script") == 1);
  CHECK(count_lines(after, "idle->bos") == 0);
}

TEST_CASE("scripts: an on_bar failure is an error event at its bar") {
  // The feeder collects what a script's on_bar leaves only when the script has one: a script
  // with one must still have its failure heard, stamped with the bar it failed on.
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 6000);
  const std::string script = write_file(
      dir.file("s.lua"), std::string(kMarket) +
                             "  on_bar = function(bar, ctx)\n"
                             "    mmhost.state.n = (mmhost.state.n or 0) + 1\n"
                             "    if mmhost.state.n == 3000 then error('bar boom') end end,\n"
                             "}\n");
  const Run r = run(script, csv, {});
  CHECK(r.report.script_errors == 1);
  REQUIRE(count_lines(r.lines, "bar boom (in on_bar)") == 1);
  CHECK(r.report.htf_bars == 6000);
  // In time order with the core's decisions around it (a fill's time has milliseconds, a bar's
  // none: ".000" filled in so the texts compare as times).
  std::string previous;
  for (const std::string& line : r.lines) {
    std::string time = line.substr(0, line.find(' '));
    if (time.find('.') == std::string::npos) time.insert(time.size() - 1, ".000");
    CHECK(time >= previous);
    previous = time;
  }
}

TEST_CASE("reload: state, bars in state and inventory survive, on_reload gets the old state") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 8000);
  const std::string before = std::string(kRecordState) + kMarket +
                             "  grid = { levels = 4 },\n"
                             "  on_bar = function(bar, ctx) record('before', ctx)\n"
                             "    mmhost.state.bars = (mmhost.state.bars or 0) + 1 end,\n"
                             "}\n";
  const std::string after =
      std::string(kRecordState) + kMarket +
      "  grid = { levels = 2 },\n"
      "  on_reload = function(old_state) record('reload', mmhost.core)\n"
      "    mmhost.metric('bars_before', old_state.bars) end,\n"
      "  on_bar = function(bar, ctx) mmhost.state.bars = mmhost.state.bars + 1\n"
      "    mmhost.metric('bars_total', mmhost.state.bars) end,\n"
      "}\n";
  const std::string script = write_file(dir.file("s.lua"), before);
  int64_t bars = 0;
  const Run r = run(script, csv, [&](int64_t) {
    if (++bars == 4000) write_file(script, after);
  });
  REQUIRE(r.report.decisions.reloads_ok == 1);
  CHECK(count_lines(r.lines, "reload_ok changed: grid.levels 4 -> 2") == 1);
  for (const char* what : {"state", "bars_in_state", "base", "quote"})
    CHECK(last(r.report, std::string("reload.") + what) ==
          last(r.report, std::string("before.") + what));
  CHECK(last(r.report, "bars_before") == 3999);  // the bars before the swap
  CHECK(last(r.report, "bars_total") == static_cast<double>(r.report.htf_bars));  // none lost
  // After the swap every grid has at most 2 levels a side.
  size_t reload_at = 0;
  while (!is_reload(r.lines[reload_at])) ++reload_at;
  for (size_t i = reload_at; i < r.lines.size(); ++i)
    if (r.lines[i].find(" grid_updated state=mm") != std::string::npos)
      CHECK(r.lines[i].find("bids=4") == std::string::npos);
}

TEST_CASE("reload: a failing on_reload or dry run keeps the old script and parameters") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 3000);
  const std::string good = std::string(kMarket) + "  reload = { dry_run_bars = 50 },\n" +
                           "  on_bar = function(bar, ctx) mmhost.metric('version', 1) end,\n}\n";
  const std::string bad_reload =
      std::string(kMarket) + "  grid = { levels = 2 },\n" +
      "  on_reload = function(old) error('not today') end,\n" +
      "  on_bar = function(bar, ctx) mmhost.metric('version', 2) end,\n}\n";
  const std::string bad_bar = std::string(kMarket) + "  reload = { dry_run_bars = 50 },\n" +
                              "  on_bar = function(bar, ctx)\n" +
                              "    if ctx.structure.atr > 0 then error('atr!') end end,\n}\n";
  const std::string script = write_file(dir.file("s.lua"), good);
  int64_t bars = 0;
  const Run r = run(script, csv, [&](int64_t) {
    ++bars;
    if (bars == 1000) write_file(script, bad_reload);
    if (bars == 2000) write_file(script, bad_bar);
  });
  CHECK(r.report.decisions.reloads_failed == 2);
  CHECK(r.report.decisions.reloads_ok == 0);
  CHECK(count_lines(r.lines, "reload_failed " + script + ":4: not today (in on_reload)") == 1);
  CHECK(count_lines(r.lines, "atr! (in on_bar) (dry run on the last 50 HTF bars)") == 1);
  CHECK(last(r.report, "version") == 1);  // the first script ran to the end
  CHECK(r.report.script_errors == 0);     // failures inside a reload are not the running script's
}

TEST_CASE("reload: a run on the simulated clock never reloads, nor a paced one with --no-reload") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 3000);
  const std::string script = write_file(dir.file("s.lua"), strategy(""));
  const Run baseline = mmh::test::run_with_hook(script, csv, {});
  int64_t bars = 0;
  auto edit = [&](int64_t) {
    if (++bars == 1000) write_file(script, strategy(", defensive_atr_pct = 0.01"));
  };
  // Unpaced, as a backtest or batch run: the edit changes nothing, and nothing is watched.
  const Run unpaced = mmh::test::run_with_hook(script, csv, edit);
  CHECK(unpaced.report.decisions.reloads_ok + unpaced.report.decisions.reloads_failed == 0);
  CHECK(unpaced.lines == baseline.lines);
  // Paced with hot reload off.
  write_file(script, strategy(""));
  bars = 0;
  const Run off = mmh::test::run_with_hook(script, csv, edit, 1e9, /*hot_reload=*/false);
  CHECK(off.report.decisions.reloads_ok + off.report.decisions.reloads_failed == 0);
  CHECK(off.lines == baseline.lines);
  // Paced with it on (the default), the same edit lands.
  write_file(script, strategy(""));
  bars = 0;
  const Run on = mmh::test::run_with_hook(script, csv, edit, 1e9);
  CHECK(on.report.decisions.reloads_ok == 1);
}
