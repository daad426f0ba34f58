// The batch results database: rows survive reopening, a key is found again, metric columns come
// from the summary, replacing a row keeps one, CSV has a column per parameter.
#include "batch/result_store.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace mmh::batch;
using namespace mmh::test;

namespace {

RunRecord record(const std::string& key, const std::string& step) {
  RunRecord r;
  r.key = key;
  r.batch_script = "s.lua";
  r.strategy = "strategies/eth_bos_mm.lua";
  r.label = "grid";
  r.params_json = "{\"grid.step_atr\":\"" + step + "\"}";
  r.options_json = "{}";
  r.status = "ok";
  r.summary_json =
      R"({"net_pnl":"-12.5","return_pct":-0.125,"max_drawdown_pct":3.5,"sharpe_daily":null,)"
      R"("fills":{"maker":3,"taker":1,"total":4},"event_hash":"00ab"})";
  r.script_hash = "s";
  r.data_hash = "d";
  r.wall_ms = 12.5;
  return r;
}

}  // namespace

TEST_CASE("batch store: rows are kept across opens, metrics come from the summary") {
  TempDir dir;
  const std::string db = dir.file("results.sqlite");
  {
    ResultStore store(db);
    RunRecord k1 = record("k1", "0.3");
    store.put(k1);
    CHECK(k1.net_pnl == -12.5);  // the record's metric columns are filled as it is written
    RunRecord failed = record("k2", "0.4");
    failed.seq = 1;
    failed.status = "failed";
    failed.summary_json.clear();
    failed.error = "s.lua:3: grid.levels must be in [1, 20]";
    store.put(failed);
    store.put(k1);  // the same key again: still one row
    RunRecord first = record("k0", "0.2");
    first.seq = -1;  // written last, listed first: rows come in batch order
    store.put(first);
    CHECK(store.count() == 3);
  }
  ResultStore store(db);
  const auto r = store.find("k1");
  REQUIRE(r);
  CHECK(r->net_pnl == -12.5);
  CHECK(r->fills == 4);
  CHECK(r->max_drawdown_pct == 3.5);
  CHECK(!r->sharpe_daily);
  CHECK(r->event_hash == "00ab");
  CHECK(r->params_json == "{\"grid.step_atr\":\"0.3\"}");
  CHECK(!store.find("nope"));
  auto all = store.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].key == "k0");
  all.erase(all.begin());
  CHECK(all[1].status == "failed");
  CHECK(all[1].error.find("grid.levels") != std::string::npos);
  std::ostringstream csv;
  write_csv(all, csv);
  const std::string text = csv.str();
  CHECK(text.rfind("key,label,strategy,window_start,window_end,grid.step_atr,status,net_pnl", 0) ==
        0);
  CHECK(text.find(",0.3,ok,-12.5,") != std::string::npos);
  CHECK(text.find("\"s.lua:3: grid.levels must be in [1, 20]\"") != std::string::npos);  // quoted
  CHECK(text.find(",failed,") != std::string::npos);
}

TEST_CASE("batch store: only exact decimal text reads as a number") {
  CHECK(decimal_number("-12.5") == -12.5);
  CHECK(decimal_number("3") == 3.0);
  CHECK(decimal_number("0.00000001") == 1e-8);
  for (const char* no : {"", "-", ".", "1e5", "0x10", "nan", "1.2.3", "12a", " 1", "--1"})
    CHECK_MESSAGE(!decimal_number(no), no);
}

TEST_CASE("batch store: a path that cannot be opened is named") {
  CHECK_THROWS_WITH_AS(ResultStore("/nonexistent-dir/x/results.sqlite"),
                       doctest::Contains("/nonexistent-dir/x/results.sqlite"), StoreError);
}
