#include "app/run_command.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

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
