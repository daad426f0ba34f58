// `mmhost serve` end to end over HTTP, as a client would use it: the seed's body submitted, run
// to done, every artifact fetched, the event hash equal to the command line's; duplicates,
// refusals (token, bad fields, big bodies, artifact names that would leave the run), cancel of a
// running batch, a restart of serve with runs queued and running, and a fetch from the fake
// exchange into the store's data.
#include "csv_series.hpp"
#include "fake_bybit.hpp"
#include "file_bytes.hpp"
#include "serve_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

using namespace mmh::test;
using nlohmann::json;

TEST_CASE("mmhost serve: the seed's body runs to done, its files served, the CLI's event hash") {
  TempDir dir;
  Serve serve(dir.file("store"));
  const auto [health_code, health] = serve.get("/health");
  CHECK(health_code == 200);
  CHECK(health["status"] == "ok");
  CHECK(health["workers"]["slots"] == 2);

  const auto [code, submitted] = serve.post("/runs", kSeedBody);
  REQUIRE(code == 201);
  const std::string id = submitted["id"];
  CHECK(submitted["status"] == "queued");
  const json run = serve.wait_finished(id);
  INFO(run.dump());
  REQUIRE(run["status"] == "done");
  CHECK(run["attempts"] == 1);

  // The same job from the command line: the same event hash.
  const json cli_summary = cli_seed_summary(dir.file("cli"));
  const auto [mcode, metrics] = serve.get("/runs/" + id + "/metrics");
  CHECK(mcode == 200);
  CHECK(metrics["event_hash"] == cli_summary["event_hash"]);
  CHECK(metrics["net_pnl"] == cli_summary["net_pnl"]);
  CHECK(run["figures"]["event_hash"] == cli_summary["event_hash"]);

  // Every artifact, byte for byte what the run wrote.
  const auto [acode, artifacts] = serve.get("/runs/" + id + "/artifacts");
  CHECK(acode == 200);
  std::set<std::string> names;
  for (const json& a : artifacts["artifacts"]) names.insert(a["name"].get<std::string>());
  for (const char* want :
       {"report.html", "summary.json", "events.jsonl", "fills.csv", "equity.csv", "log.txt"}) {
    CHECK_MESSAGE(names.count(want), want);
    const auto [fcode, bytes] = http_request(serve.url() + "/runs/" + id + "/artifacts/" + want);
    CHECK(fcode == 200);
    CHECK(bytes == read_file(dir.file("store/runs/" + id + "/" + want)));
  }
  // Events: paged and by kind.
  const auto [ecode, page] = serve.get("/runs/" + id + "/events?limit=5&offset=10");
  CHECK(ecode == 200);
  CHECK(page["events"].size() == 5);
  CHECK(page["total"].get<int64_t>() > 1000);
  const json fills = serve.get("/runs/" + id + "/events?kind=fill&limit=1000").second;
  CHECK(fills["total"] == metrics["fills"]["total"]);
  for (const json& e : fills["events"]) CHECK(e["type"] == "fill");

  // Posted again (another name): the same run, not a second one.
  json again_body = json::parse(kSeedBody);
  again_body["name"] = "the same job";
  const auto [again_code, again] = serve.post("/runs", again_body.dump());
  CHECK(again_code == 200);
  CHECK(again["id"] == id);
  CHECK(again["existing"] == true);
  CHECK(serve.get("/runs").second["total"] == 1);
  // The stream of a finished run: its last state, then the end.
  const auto [scode, events] = http_request(serve.url() + "/runs/" + id + "/stream");
  CHECK(scode == 200);
  CHECK(events.find("event: run\ndata: {") != std::string::npos);
  CHECK(events.find("\"status\":\"done\"") != std::string::npos);
}

TEST_CASE("mmhost serve: refusals name what is wrong, artifact names stay in the run") {
  TempDir dir;
  Serve serve(dir.file("store"), 1);
  CHECK(serve.post("/runs", kSeedBody, "").first == 401);
  CHECK(serve.post("/runs", kSeedBody, "not-the-token-at-all").first == 401);
  auto bad = [&](const std::string& body) { return serve.post("/runs", body); };
  {
    const auto [code, e] = bad("{not json");
    CHECK(code == 400);
    CHECK(e["error"]["message"] == "the body is not valid JSON");
  }
  {
    const auto [code, e] = bad(R"({"kind":"backtest_mm_mtf","cli_args":["--out","/tmp/x"]})");
    CHECK(code == 400);
    CHECK(e["error"]["field"] == "cli_args[0]");
    CHECK(e["error"]["message"].get<std::string>().find("unknown option '--out'") == 0);
  }
  {
    const auto [code, e] =
        bad(R"({"kind":"backtest_mm_mtf","cli_args":["--cache","/etc/passwd"]})");
    CHECK(code == 400);
    CHECK(e["error"]["field"] == "cli_args[1]");
  }
  CHECK(bad(R"({"kind":"everything"})").second["error"]["field"] == "kind");
  CHECK(bad(R"({"kind":"sweep"})").second["error"]["field"] == "grid");
  CHECK(bad(std::string(2 << 20, ' ')).first == 413);  // over the 1 MiB limit
  CHECK(serve.get("/runs?limit=0").first == 400);
  CHECK(serve.get("/runs?status=sleeping").second["error"]["field"] == "status");
  CHECK(serve.get("/runs/0123456789abcdef").first == 404);
  CHECK(serve.get("/nothing").first == 404);
  CHECK(http_request(serve.url() + "/runs", "PUT").first == 405);

  const std::string id = serve.post("/runs", kSeedBody).second["id"];
  REQUIRE(serve.wait_finished(id)["status"] == "done");
  for (const char* name :
       {"..%2Fruns.sqlite", "..%2F..%2Fapi-token", "%2Fetc%2Fpasswd", ".hidden", "missing.csv"})
    CHECK_MESSAGE(http_request(serve.url() + "/runs/" + id + "/artifacts/" + name).first == 404,
                  name);
  // A finished run cannot be cancelled.
  CHECK(serve.post("/runs/" + id + "/cancel", "").first == 409);
  // The token is never logged.
  const CommandResult out = serve.stop();
  CHECK(out.output.find(read_file(dir.file("store/api-token")).substr(0, 32)) == std::string::npos);
}

TEST_CASE("mmhost serve: a non-loopback address needs a token given by the operator") {
  TempDir dir;
  const CommandResult r =
      run_mmhost("serve --listen 0.0.0.0:0 --store " + dir.file("store"), "-u MMHOST_API_TOKEN");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("is not a loopback address: give the API token yourself") !=
        std::string::npos);
  // A token file others can read is refused.
  write_file(dir.file("token"), "0123456789abcdef0123\n");
  std::filesystem::permissions(
      dir.file("token"), std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  const CommandResult open =
      run_mmhost("serve --token-file " + dir.file("token") + " --store " + dir.file("store"));
  CHECK(open.exit_code == 1);
  CHECK(open.output.find("chmod 600 it") != std::string::npos);
}

TEST_CASE("mmhost serve: cancel stops a running batch and its workers") {
  TempDir dir;
  Serve serve(dir.file("store"), 1);
  const std::string id = serve
                             .post("/runs", R"({"kind":"batch","script":"scripts/sweep_grid.lua",
                                                "jobs":1})")
                             .second["id"];
  REQUIRE(wait_for([&] { return serve.get("/runs/" + id).second["status"] == "running"; }, 15000));
  REQUIRE(wait_for(
      [&] { return std::filesystem::exists(dir.file("store/runs/" + id + "/results.sqlite")); },
      15000));
  // The batch tells how far it is (runs finished of 90).
  CHECK(wait_for([&] { return serve.get("/runs/" + id).second["progress"].get<double>() > 0; },
                 15000));
  CHECK(serve.get("/runs/" + id + "/artifacts").second.dump().find("progress") ==
        std::string::npos);
  const auto [code, accepted] = serve.post("/runs/" + id + "/cancel", "");
  CHECK(code == 202);
  const json run = serve.wait_finished(id, 10000);
  CHECK(run["status"] == "cancelled");
  // No process of the run is left (the batch and the workers it forked).
  CHECK(wait_for([&] { return run_command("pgrep -f -- '[r]uns/" + id + "'").output.empty(); },
                 3000));
}

TEST_CASE("mmhost serve: queued and running runs survive a restart and finish once") {
  TempDir dir;
  std::string long_id, quick_id;
  {
    Serve serve(dir.file("store"), 1);
    long_id = serve.post("/runs", R"({"kind":"batch","script":"scripts/sweep_grid.lua","jobs":2})")
                  .second["id"];
    quick_id = serve.post("/runs", kSeedBody).second["id"];
    REQUIRE(wait_for([&] { return serve.get("/runs/" + long_id).second["status"] == "running"; },
                     15000));
    CHECK(serve.get("/runs/" + quick_id).second["status"] == "queued");
    const CommandResult stopped = serve.stop();
    CHECK(stopped.exit_code == 0);
    CHECK(stopped.output.find("running runs go back to the queue") != std::string::npos);
  }
  Serve again(dir.file("store"), 2);
  const json quick = again.wait_finished(quick_id);
  CHECK(quick["status"] == "done");
  const json long_run = again.wait_finished(long_id, 300000);  // 90 backtests (ASan: minutes)
  CHECK(long_run["status"] == "done");
  CHECK(long_run["attempts"] == 1);  // a clean stop gives the run back without using an attempt
  CHECK(again.get("/runs").second["total"] == 2);
}

TEST_CASE("mmhost serve: a sweep is a parent run whose children are the backtests") {
  TempDir dir;
  Serve serve(dir.file("store"), 2);
  const auto [code, sweep] = serve.post("/runs", R"({"kind":"sweep","name":"steps",
      "cli_args":["--htf-interval","5","--ltf-interval","1","--start","2025-06-01",
                  "--end","2025-06-15"],
      "grid":{"grid.step_atr":[0.2,0.6],"grid.levels":[2,4]}})");
  REQUIRE(code == 201);
  CHECK(sweep["runs"] == 4);
  CHECK(sweep["kind"] == "sweep");
  const std::string id = sweep["id"];
  const json done = serve.wait_finished(id, 120000);
  INFO(done.dump());
  CHECK(done["status"] == "done");
  CHECK(done["progress"] == 1.0);
  CHECK(done["children"]["done"] == 4);
  const json children = serve.get("/runs?parent=" + id).second;
  REQUIRE(children["total"] == 4);
  std::set<std::string> hashes;
  for (const json& child : children["runs"]) {
    CHECK(child["status"] == "done");
    CHECK(child["parent_id"] == id);
    hashes.insert(child["figures"]["event_hash"].get<std::string>());
  }
  CHECK(hashes.size() == 4);  // each set is its own run
  // The sweep finished when its last child did (not when a request noticed). Times on a whole
  // second have no ".000" ("...:24Z" sorts after "...:24.028Z" as text): compared with it.
  auto with_ms = [](std::string t) {
    if (t.find('.') == std::string::npos && !t.empty()) t.insert(t.size() - 1, ".000");
    return t;
  };
  std::string last;
  for (const json& child : children["runs"]) {
    const std::string finished = child["finished"];
    if (last.empty() || with_ms(finished) > with_ms(last)) last = finished;
  }
  CHECK(done["finished"] == last);
  // One child, checked against the command line with the same --set.
  const json one = serve.get("/runs?parent=" + id + "&name=grid.levels%3D4%20grid.step_atr%3D0.6")
                       .second["runs"][0];
  CHECK(one["figures"]["event_hash"] ==
        cli_backtest_summary("--htf-interval 5 --ltf-interval 1 --start 2025-06-01 --end "
                             "2025-06-15 --set grid.levels=4 --set grid.step_atr=0.6",
                             dir.file("cli"))["event_hash"]);
  // Posted again: the same sweep.
  const auto [again_code, again] = serve.post("/runs", R"({"kind":"sweep","name":"steps",
      "cli_args":["--htf-interval","5","--ltf-interval","1","--start","2025-06-01",
                  "--end","2025-06-15"],
      "grid":{"grid.step_atr":[0.2,0.6],"grid.levels":[2,4]}})");
  CHECK(again_code == 200);
  CHECK(again["id"] == id);
}

namespace {

// POST /runs of the flagship backtest on the 90-day file from `start` to `end`: the run's id.
std::string post_backtest(Serve& serve, const std::string& start, const std::string& end) {
  const auto [code, run] =
      serve.post("/runs", R"({"kind":"backtest","strategy":"strategies/eth_bos_mm.lua","data":")" +
                              eth_1m_file() + R"(","htf_interval":5,"ltf_interval":1,"start":")" +
                              start + R"(","end":")" + end + R"("})");
  REQUIRE(code == 201);
  return run["id"].get<std::string>();
}

// The command that lists the pids of the backtest workers of the serve on `store`.
std::string backtest_workers_command(const std::string& store) {
  const std::string serve_pid =
      run_command("pgrep -f -- '^" + mmhost_binary() + " serve .*--store " + store + " '").output;
  REQUIRE(!serve_pid.empty());
  return "pgrep -P " + serve_pid.substr(0, serve_pid.find('\n')) +
         " -f -- 'mmhost backtest-worker'";
}

}  // namespace

TEST_CASE("mmhost serve: a slot keeps its backtest worker between runs and replaces a dead one") {
  TempDir dir;
  Serve serve(dir.file("store"), 1);
  auto week = [&](const std::string& start, const std::string& end) {
    return serve.wait_finished(post_backtest(serve, start, end));
  };
  const std::string workers = backtest_workers_command(dir.file("store"));
  CHECK(week("2025-06-01", "2025-06-08")["status"] == "done");
  const std::string first = run_command(workers).output;
  CHECK(week("2025-06-08", "2025-06-15")["status"] == "done");
  CHECK(run_command(workers).output == first);  // the same process ran both
  REQUIRE(!first.empty());
  run_command("kill -9 " + first);
  const json after = week("2025-06-15", "2025-06-22");
  INFO(after.dump());
  CHECK(after["status"] == "done");
  CHECK(after["attempts"] == 1);
  const std::string second = run_command(workers).output;
  CHECK(!second.empty());
  CHECK(second != first);
}

TEST_CASE("mmhost serve: a run given to a worker that dies before taking it goes to a new one") {
  TempDir dir;
  Serve serve(dir.file("store"), 1);
  const std::string workers = backtest_workers_command(dir.file("store"));
  CHECK(serve.wait_finished(post_backtest(serve, "2025-06-01", "2025-06-08"))["status"] == "done");
  std::string first = run_command(workers).output;
  REQUIRE(!first.empty());
  first.erase(first.find_last_not_of('\n') + 1);
  // Stopped, the worker cannot read the next job line that serve writes into its pipe; killed
  // then, it never took the job (as a worker killed while idle whose death serve has not seen).
  run_command("kill -STOP " + first);
  const std::string id = post_backtest(serve, "2025-06-08", "2025-06-15");
  REQUIRE(wait_for([&] { return serve.get("/runs/" + id).second["status"] == "running"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  run_command("kill -9 " + first);
  const json run = serve.wait_finished(id);
  INFO(run.dump());
  CHECK(run["status"] == "done");
  CHECK(run["attempts"] == 1);
  const std::string second = run_command(workers).output;
  CHECK(!second.empty());
  CHECK(("\n" + second).find("\n" + first + "\n") == std::string::npos);  // a whole pid
}

// Needs the bybit_spot plugin (the fake exchange speaks its protocol).
TEST_SUITE_BEGIN("bybit");

TEST_CASE(
    "mmhost serve: a fetch run downloads candles into the store, where a backtest reads them") {
  FakeBybit fake;
  const std::string path = eth_1m_file();
  auto series =
      mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path, 60000000000LL);
  series.candles.resize(2 * 1440);
  fake.set_candles(series.candles);
  TempDir dir;
  // A host configuration whose venues/ holds the fake (fetch finds venues beside the config).
  std::filesystem::create_directories(dir.file("config/venues"));
  std::filesystem::copy_file(source_dir() + "/configs/mmhost.yaml", dir.file("config/mmhost.yaml"));
  fake.write_venue_file(dir.file("config/venues"));
  Serve serve(dir.file("store"), 1, "", "MMHOST_CONFIG=" + dir.file("config/mmhost.yaml"));

  auto bad = [&](const std::string& body) { return serve.post("/runs", body); };
  CHECK(
      bad(R"({"kind":"fetch","start":"2025-05-20","end":"2025-05-22"})").second["error"]["field"] ==
      "symbol");
  CHECK(bad(R"({"kind":"fetch","symbol":"ETHUSDT","interval":"7","start":"2025-05-20",
                "end":"2025-05-22"})")
            .second["error"]["field"] == "interval");
  CHECK(bad(R"({"kind":"fetch","symbol":"ETHUSDT","venue":"../../etc/x","start":"2025-05-20",
                "end":"2025-05-22"})")
            .second["error"]["field"] == "venue");
  CHECK(bad(R"({"kind":"fetch","symbol":"ETHUSDT","start":"2025-02-30","end":"2025-05-22"})")
            .second["error"]["field"] == "start");
  CHECK(bad(R"({"kind":"fetch","symbol":"ETHUSDT","start":"2025-05-22","end":"2025-05-22"})")
            .second["error"]["field"] == "end");

  const char* body =
      R"({"kind":"fetch","symbol":"ETHUSDT","interval":"1","start":"2025-05-20","end":"2025-05-22","venue":"fake"})";
  const auto [code, submitted] = serve.post("/runs", body);
  REQUIRE(code == 201);
  const json run = serve.wait_finished(submitted["id"]);
  INFO(run.dump());
  REQUIRE(run["status"] == "done");
  const std::string file = dir.file("store/data/fake_spot_ETHUSDT_1m_2025-05-20_2025-05-21.csv");
  REQUIRE(std::filesystem::exists(file));
  const auto fetched = mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(file), file);
  REQUIRE(fetched.candles.size() == series.candles.size());
  CHECK(fetched.candles.front().open_ts_ns == series.candles.front().open_ts_ns);
  CHECK(fetched.candles.back().close_e8 == series.candles.back().close_e8);
  // Posted again: the same run.
  CHECK(serve.post("/runs", body).second["id"] == submitted["id"]);

  // The store's data directory is one the backtests may read.
  const auto [bcode, backtest] =
      serve.post("/runs", R"({"kind":"backtest","strategy":"strategies/eth_bos_mm.lua","data":")" +
                              file + R"(","htf_interval":5,"ltf_interval":1})");
  REQUIRE(bcode == 201);
  const json done = serve.wait_finished(backtest["id"]);
  INFO(done.dump());
  CHECK(done["status"] == "done");
}

TEST_SUITE_END();
