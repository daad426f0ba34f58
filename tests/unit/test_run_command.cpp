#include "app/run_command.hpp"

#include "test_support.hpp"

#include <mmhost/sdk/hash.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>

using namespace mmh;

TEST_CASE("run command: a live run's client-id prefix names its start second in base 36") {
  CHECK(run_order_prefix(1700000000LL * 1000000000LL) == "mmh-s44we8");
  CHECK(run_order_prefix(0) == "mmh-0");
  // Within Bybit's 36-character orderLinkId with room for "-mm-<n>" for centuries.
  CHECK(run_order_prefix(INT64_MAX).size() <= 17);
}

TEST_CASE("run command: --risk flags over the host's defaults, refused with what is wrong") {
  const RiskLimits l = risk_limits_from_flags({"daily_loss_pct=2.5", "places_per_s=10"});
  CHECK(l.daily_loss_pct == 2.5);
  CHECK(l.places_per_s == 10);
  CHECK(l.amends_per_s == 8);       // a default left as it is
  CHECK(l.max_open_orders == 400);  // likewise
  CHECK_THROWS_WITH_AS(risk_limits_from_flags({"daily_loss_pct=2%"}),
                       "--risk daily_loss_pct=2%: expected NAME=NUMBER, e.g. --risk "
                       "daily_loss_pct=2",
                       UsageError);
  CHECK_THROWS_WITH_AS(risk_limits_from_flags({"max_open_orders=0"}),
                       "--risk max_open_orders=0: max_open_orders must be a whole number in [1, "
                       "500], got 0",
                       UsageError);
}

TEST_CASE("run command: a new run directory per mode and time, never an existing one") {
  const std::filesystem::path dir = default_run_dir("strategies/eth_bos_mm.lua", "paper");
  const std::string name = dir.filename().string();
  CHECK(dir.parent_path() == "runs");
  CHECK(name.rfind("eth_bos_mm-paper-", 0) == 0);
  CHECK(name.size() == std::string("eth_bos_mm-paper-20261206-101500").size());
  CHECK(default_run_dir("s.lua", "").filename().string().rfind("s-2", 0) == 0);
}

TEST_CASE("run command: two runs created in the same second take two directories") {
  mmh::test::TempDir dir;
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const std::filesystem::path a = default_run_dir("s.lua", "paced", /*create=*/true);
  const std::filesystem::path b = default_run_dir("s.lua", "paced", /*create=*/true);
  std::filesystem::current_path(cwd);
  CHECK(a != b);
  CHECK(std::filesystem::is_directory(dir.path() / a));
  CHECK(std::filesystem::is_directory(dir.path() / b));
}

namespace {
mmh_decision decision(int64_t ts_ns, const char* kind, const char* detail) {
  mmh_decision d{};
  d.ts_ns = ts_ns;
  std::snprintf(d.kind, sizeof(d.kind), "%s", kind);
  std::snprintf(d.detail, sizeof(d.detail), "%s", detail);
  return d;
}
// What the decision hash is defined over: (ts_ns, kind, NUL, detail, NUL) per decision.
void append_hashed(std::string& bytes, const mmh_decision& d) {
  bytes.append(reinterpret_cast<const char*>(&d.ts_ns), sizeof(d.ts_ns));
  bytes.append(d.kind, std::strlen(d.kind) + 1);
  bytes.append(d.detail, std::strlen(d.detail) + 1);
}
}  // namespace

TEST_CASE("decision summary: counts by kind and first word, the hash over every decision") {
  DecisionSummary s;
  std::string bytes;
  const char* kinds[] = {"transition", "bos_confirmed", "grid_updated", "policy"};
  const char* details[] = {"idle->bos reason=bos_confirmed", "bullish level=3512.1",
                           "levels=4 step=1.5", "normal: atr_pct=0.2"};
  // Past the 64 KiB the bytes are hashed in, so the hash is checked across a cut.
  for (int i = 0; i < 3000; ++i) {
    const mmh_decision d = decision(1'000 + i, kinds[i % 4], details[(i / 4 + i) % 4]);
    s.add(d);
    append_hashed(bytes, d);
    if (i == 10) CHECK(s.hash() == sdk::hash64(bytes));  // a look in between changes nothing
  }
  CHECK(bytes.size() > 64 * 1024);
  CHECK(s.total == 3000);
  CHECK(s.by_kind.size() == 4);
  CHECK(s.by_kind.at("transition") == 750);
  // "levels=4" and "normal:" are not sub-kinds (they hold '=' or ':').
  uint64_t words = 0;
  for (const auto& [kind, subs] : s.by_subkind)
    for (const auto& [word, n] : subs) {
      CHECK((word == "idle->bos" || word == "bullish"));
      words += n;
    }
  CHECK(words == 1500);
  CHECK(s.hash() == sdk::hash64(bytes));
  CHECK(s.hash() == sdk::hash64(bytes));

  // A copy counts and hashes on its own, into its own maps.
  DecisionSummary copy = s;
  const mmh_decision more = decision(9'999, "transition", "bos->rebalance reason=x");
  copy.add(more);
  CHECK(copy.by_kind.at("transition") == 751);
  CHECK(s.by_kind.at("transition") == 750);
  CHECK(copy.by_subkind.at("transition").at("bos->rebalance") == 1);
  CHECK(s.by_subkind.at("transition").count("bos->rebalance") == 0);
  CHECK(s.hash() == sdk::hash64(bytes));
  append_hashed(bytes, more);
  CHECK(copy.hash() == sdk::hash64(bytes));
}
