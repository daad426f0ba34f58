// A client of `mmhost serve` for the tests: starts serve on a free loopback port over a store
// (and stops it with SIGTERM), GETs and POSTs JSON with its token, polls a run to its end.
#pragma once

#include "http_get.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <future>
#include <string>

namespace mmh::test {

using nlohmann::json;

// A serve on a free loopback port over `store`, stopped (SIGTERM) when it goes out of scope.
class Serve {
 public:
  explicit Serve(const std::string& store, int workers = 2, const std::string& extra = "",
                 const std::string& env = "")
      : store_(store) {
    const std::string ready = store + ".url";
    std::filesystem::remove(ready);
    done_ = std::async(std::launch::async, [=] {
      return run_mmhost("serve --listen 127.0.0.1:0 --workers " + std::to_string(workers) +
                            " --store " + store + " --ready-file " + ready + " " + extra,
                        env);
    });
    REQUIRE(wait_for([&] { return std::filesystem::exists(ready); }, 15000));
    url_ = read_file(ready);
    url_.erase(url_.find_last_not_of("\n") + 1);
    token_ = read_file(store + "/api-token");
    token_.erase(token_.find_last_not_of("\n") + 1);
  }
  ~Serve() {
    if (done_.valid()) stop();
  }
  CommandResult stop() {
    // The mmhost process only (not the shell that started it): its exit code is the answer.
    run_command("pkill -TERM -f -- '^" + mmhost_binary() + " serve .*--store " + store_ + " '");
    return done_.get();
  }
  std::pair<int, json> get(const std::string& path) {
    const auto [code, body] = http_request(url_ + path);
    return {code, json::parse(body, nullptr, false)};
  }
  std::pair<int, json> post(const std::string& path, const std::string& body,
                            const std::string& token = "<own>") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty())
      headers.emplace_back("Authorization", "Bearer " + (token == "<own>" ? token_ : token));
    const auto [code, text] = http_request(url_ + path, "POST", body, headers);
    return {code, json::parse(text, nullptr, false)};
  }
  // Polls the run until it is finished; its last state.
  json wait_finished(const std::string& id, int ms = 60000) {
    json run;
    wait_for(
        [&] {
          run = get("/runs/" + id).second;
          const std::string s = run.value("status", "");
          return s == "done" || s == "failed" || s == "cancelled";
        },
        ms);
    return run;
  }
  const std::string& url() const { return url_; }

 private:
  std::string store_, url_, token_;
  std::future<CommandResult> done_;
};

// The seed's POST /runs body: the flagship, 5m structure, 1m execution, June 2025.
inline constexpr const char* kSeedBody =
    R"({"name":"eth mtf june","kind":"backtest_mm_mtf","cli_args":[
    "--symbol","ETHUSDT","--htf-interval","5","--ltf-interval","1",
    "--start","2025-06-01","--end","2025-07-01"]})";

// The seed body's job (and the sweeps') data: the 90-day ETHUSDT 1m file.
inline std::string eth_1m_file() {
  return shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
}

// `mmhost backtest strategies/eth_bos_mm.lua ARGS --cache <the 90-day file>` on the command line
// into OUT: its summary.json, to compare with what serve ran.
inline json cli_backtest_summary(const std::string& args, const std::string& out) {
  const CommandResult cli = run_mmhost("backtest strategies/eth_bos_mm.lua " + args + " --cache " +
                                       eth_1m_file() + " --no-progress --out " + out);
  REQUIRE(cli.exit_code == 0);
  return json::parse(read_file(out + "/summary.json"));
}

// The seed body's job (kSeedBody of the serve tests) on the command line.
inline json cli_seed_summary(const std::string& out) {
  return cli_backtest_summary(
      "--symbol ETHUSDT --htf-interval 5 --ltf-interval 1 --start 2025-06-01 --end 2025-07-01",
      out);
}

}  // namespace mmh::test
