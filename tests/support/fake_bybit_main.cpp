// mmhost_fake_bybit: the tests' fake Bybit as a process of its own, for the soak
// (bench/soak_paper.sh). It replays real 1m candles as a live market on an accelerated clock
// (book moves and trades along each candle's path, a confirmed kline at each minute's end),
// injects a fault every few minutes and checks, through the run's /metrics, that the run
// recovered from each. A report (JSON) at the end says what was injected and recovered.
#include "csv_series.hpp"
#include "fake_bybit.hpp"
#include "file_bytes.hpp"
#include "http_get.hpp"

#include <mmhost/plugin.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace mmh::test;

namespace {

constexpr int64_t E8 = 100'000'000;
constexpr int64_t kMinuteMs = 60'000;
std::atomic<bool> g_stop{false};

struct Options {
  std::string candles;
  std::string venue_dir;
  std::string report;
  std::string metrics_url;  // the run's /metrics (recovery checks); empty: none
  int64_t speed = 12;
  int64_t warmup_bars = 1100;
  int64_t fault_every_s = 120;
  int64_t faults_until_s = 0;  // no fault after this many seconds (0: until the end)
};

void usage() {
  std::cerr
      << "usage: mmhost_fake_bybit --candles FILE --venue-dir DIR [--speed 12] [--warmup-bars "
         "1100]\n"
         "         [--fault-every 120] [--faults-until S] [--metrics-url URL] [--report FILE]\n"
         "Serves the fake Bybit (TLS on a loopback port), writes DIR/venue.yaml for mmhost's\n"
         "--venue, prints 'ready' and plays FILE's 1m candles from bar --warmup-bars on at "
         "--speed\n"
         "times real time until SIGTERM. Every --fault-every seconds (0: never) it injects the "
         "next\n"
         "fault of: book gap, book restart (u = 1), stream silence, dropped connections (none "
         "after\n"
         "--faults-until seconds); with --metrics-url it checks that the run quotes on fresh data\n"
         "again after each.\n";
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A 20-level book around `mid_e8` (0.10 apart, 1 tick = 0.01 inside the spread).
void book_around(int64_t mid_e8, std::vector<mmh_book_level>& bids,
                 std::vector<mmh_book_level>& asks) {
  const int64_t tick = E8 / 100;
  const int64_t bid0 = mid_e8 / tick * tick - tick;
  bids.clear();
  asks.clear();
  for (int i = 0; i < 20; ++i) {
    bids.push_back({bid0 - i * 10 * tick, (2 + i % 3) * E8});
    asks.push_back({bid0 + 2 * tick + i * 10 * tick, (2 + i % 4) * E8});
  }
}

// The book moved to a new mid: a delta that removes the old levels and adds the new ones.
void move_book(FakeBybit& fake, std::vector<mmh_book_level>& bids,
               std::vector<mmh_book_level>& asks, int64_t mid_e8) {
  std::vector<mmh_book_level> new_bids, new_asks;
  book_around(mid_e8, new_bids, new_asks);
  auto diff = [](const std::vector<mmh_book_level>& old_side,
                 const std::vector<mmh_book_level>& new_side) {
    std::vector<mmh_book_level> out = new_side;
    for (const auto& l : old_side)
      if (std::none_of(new_side.begin(), new_side.end(),
                       [&](const mmh_book_level& n) { return n.price_e8 == l.price_e8; }))
        out.push_back({l.price_e8, 0});
    return out;
  };
  fake.publish_book_delta(diff(bids, new_bids), diff(asks, new_asks));
  bids = std::move(new_bids);
  asks = std::move(new_asks);
}

// The value of one sample of an exposition, or -1.
double sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + series.size() + 2);
}

struct FaultRecord {
  std::string kind;
  int64_t at_wall_ms = 0;
  int64_t recovered_after_ms = -1;  // -1: not (yet)
  double pulls_before = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "mmhost_fake_bybit: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--candles")
      o.candles = value();
    else if (a == "--venue-dir")
      o.venue_dir = value();
    else if (a == "--report")
      o.report = value();
    else if (a == "--metrics-url")
      o.metrics_url = value();
    else if (a == "--speed")
      o.speed = std::atoll(value().c_str());
    else if (a == "--warmup-bars")
      o.warmup_bars = std::atoll(value().c_str());
    else if (a == "--fault-every")
      o.fault_every_s = std::atoll(value().c_str());
    else if (a == "--faults-until")
      o.faults_until_s = std::atoll(value().c_str());
    else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else {
      std::cerr << "mmhost_fake_bybit: unknown argument " << a << "\n";
      usage();
      return 2;
    }
  }
  if (o.candles.empty() || o.venue_dir.empty() || o.speed < 1) {
    usage();
    return 2;
  }
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::signal(SIGINT, [](int) { g_stop = true; });

  const auto series = mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(o.candles),
                                                    o.candles, 60'000'000'000LL);
  const std::vector<mmh_candle>& bars = series.candles;
  if (static_cast<int64_t>(bars.size()) <= o.warmup_bars + 1) {
    std::cerr << "mmhost_fake_bybit: " << o.candles << " has too few bars\n";
    return 2;
  }
  FakeBybit fake;
  fake.set_candles(bars);
  size_t next = static_cast<size_t>(o.warmup_bars);  // the first bar played live
  const int64_t start_ms = bars[next].open_ts_ns / 1'000'000;
  fake.set_market_clock(start_ms, o.speed);
  std::vector<mmh_book_level> bids, asks;
  book_around(bars[next - 1].close_e8, bids, asks);
  fake.set_book("ETHUSDT", bids, asks, 1000);
  // REST faults at the start (the only REST a paper run makes): a 502 on the warm-up's klines
  // and a 10006 on the instrument. Recovered when the request was made again.
  fake.inject({"/v5/market/kline", FaultKind::http_status, 502, 1});
  fake.inject({"/v5/market/instruments-info", FaultKind::ret_code, 10006, 1});
  const std::string venue = fake.write_venue_file(o.venue_dir);
  std::cout << "ready " << venue << std::endl;

  // Faults, in turn. Stream silence lasts long enough for the run's staleness check (and its
  // heartbeat) to notice.
  const std::vector<std::string> kinds = {"book_gap", "book_restart_u1", "stream_silence",
                                          "connections_dropped"};
  const int64_t wall0 = wall_ms();
  std::vector<FaultRecord> faults = {{"rest_502_klines", wall0}, {"rest_10006_instrument", wall0}};
  size_t next_kind = 0;
  int64_t next_fault_ms = wall0 + o.fault_every_s * 1000;
  int64_t silence_until_ms = 0;
  int step = 0;  // the point of the current bar's path last played (0..3)
  uint64_t klines = 0, trades = 0;
  auto metrics = [&]() -> std::string {
    if (o.metrics_url.empty()) return {};
    try {
      const auto [code, body] = http_request(o.metrics_url);
      return code == 200 ? body : std::string();
    } catch (const std::exception&) {
      return {};
    }
  };

  while (!g_stop && next < bars.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int64_t now_wall = wall_ms();
    const int64_t now = fake.now_ms();
    const mmh_candle& bar = bars[next];
    const int64_t open_ms = bar.open_ts_ns / 1'000'000;
    // Each minute's path: open, the nearer extreme, the other, close, 15 s apart.
    const bool up = bar.close_e8 >= bar.open_e8;
    const int64_t path[4] = {bar.open_e8, up ? bar.low_e8 : bar.high_e8,
                             up ? bar.high_e8 : bar.low_e8, bar.close_e8};
    while (step < 4 && now >= open_ms + step * 15'000) {
      if (now_wall >= silence_until_ms) {
        move_book(fake, bids, asks, path[step]);
        fake.publish_trade(now, path[step], E8 / 10, step == 0 ? up : step == 2 ? up : !up);
        ++trades;
      }
      ++step;
    }
    if (now >= open_ms + kMinuteMs) {
      if (now_wall >= silence_until_ms) {
        fake.publish_kline("1", bar);
        ++klines;
      }
      ++next;
      step = 0;
    }
    if (silence_until_ms != 0 && now_wall >= silence_until_ms) {
      fake.set_ws_silent(false);
      silence_until_ms = 0;
    }

    if (o.fault_every_s > 0 && now_wall >= next_fault_ms &&
        (o.faults_until_s == 0 || now_wall - wall0 < o.faults_until_s * 1000)) {
      FaultRecord f;
      f.kind = kinds[next_kind++ % kinds.size()];
      f.at_wall_ms = now_wall;
      const std::string page = metrics();
      f.pulls_before = sample(page, "mmhost_quote_pulls_total");
      if (f.kind == "book_gap") {
        fake.drop_next_book_delta();
      } else if (f.kind == "book_restart_u1") {
        fake.restart_book();
      } else if (f.kind == "stream_silence") {
        fake.set_ws_silent(true);
        silence_until_ms = now_wall + 25'000;
      } else {
        fake.drop_ws_connections();
      }
      std::cerr << "fault " << faults.size() + 1 << ": " << f.kind << "\n";
      faults.push_back(f);
      next_fault_ms = now_wall + o.fault_every_s * 1000;
    }
    for (FaultRecord& f : faults)
      if (f.recovered_after_ms < 0 &&
          fake.count(f.kind == "rest_502_klines" ? "/v5/market/kline"
                                                 : "/v5/market/instruments-info") >= 2 &&
          f.kind.rfind("rest_", 0) == 0)
        f.recovered_after_ms = now_wall - f.at_wall_ms;
    // Recovered: the run quotes again on fresh data (no quote pulled, the data no older than the
    // market's own pace allows).
    const double fresh_s = 5.0 + 15.0 / static_cast<double>(o.speed);
    if (faults.size() > 2 && faults.back().recovered_after_ms < 0 && step == 0 &&
        now_wall >= silence_until_ms && now_wall - faults.back().at_wall_ms >= 1000) {
      const std::string page = metrics();
      if (!page.empty() && sample(page, "mmhost_quotes_pulled") == 0 &&
          sample(page, "mmhost_market_data_age_seconds") >= 0 &&
          sample(page, "mmhost_market_data_age_seconds") < fresh_s)
        faults.back().recovered_after_ms = now_wall - faults.back().at_wall_ms;
    }
  }

  nlohmann::ordered_json report;
  report["wall_s"] = static_cast<double>(wall_ms() - wall0) / 1000.0;
  report["speed"] = o.speed;
  report["market_minutes_played"] = static_cast<int64_t>(next) - o.warmup_bars;
  report["klines"] = klines;
  report["trades"] = trades;
  report["rest_requests"] = fake.requests().size();
  report["ws_connections"] = fake.ws_connections();
  report["book_subscribes"] = fake.subscribes("orderbook.50.ETHUSDT");
  std::map<std::string, int> injected, recovered;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const FaultRecord& f : faults) {
    ++injected[f.kind];
    if (f.recovered_after_ms >= 0) ++recovered[f.kind];
    list.push_back(
        {{"kind", f.kind},
         {"at_s", static_cast<double>(f.at_wall_ms - wall0) / 1000.0},
         {"recovered_after_s",
          f.recovered_after_ms < 0
              ? nlohmann::ordered_json()
              : nlohmann::ordered_json(static_cast<double>(f.recovered_after_ms) / 1000.0)}});
  }
  report["faults_injected"] = injected;
  report["faults_recovered"] = recovered;
  report["faults"] = list;
  const std::string text = report.dump(2);
  if (!o.report.empty()) std::ofstream(o.report) << text << "\n";
  std::cout << text << std::endl;
  return 0;
}
