#include "engine/engine.hpp"

#include "engine/clock.hpp"
#include "engine/event_time.hpp"

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace mmh;

namespace {

mmh_trade trade(int64_t ts, uint64_t id) {
  mmh_trade t{};
  t.ts_ns = ts;
  t.trade_id = id;
  t.price_e8 = 1;
  t.qty_e8 = 1;
  t.taker_side = MMH_SIDE_BUY;
  return t;
}

// Serves a vector in batches of `batch_size`.
Engine::PullFn vector_source(const std::vector<mmh_trade>& records, size_t batch_size) {
  auto pos = std::make_shared<size_t>(0);
  return [&records, batch_size, pos](mmh_batch& out) {
    if (*pos >= records.size()) return false;
    out.kind = MMH_EVENT_TRADE;
    out.record_size = sizeof(mmh_trade);
    out.records = records.data() + *pos;
    out.count = std::min(batch_size, records.size() - *pos);
    *pos += out.count;
    return true;
  };
}

// Records the order of everything delivered, as "t<id>@<ts>" and timer marks.
class Recorder final : public BatchHandler {
 public:
  explicit Recorder(const Clock& clock) : clock_(clock) {}
  void on_batch(const mmh_batch& b) override {
    CHECK(clock_.now_ns() == event_time_ns(b.kind, b.records));  // clock at the run's first event
    for (size_t i = 0; i < b.count; ++i) {
      const auto* t = reinterpret_cast<const mmh_trade*>(static_cast<const char*>(b.records) +
                                                         i * b.record_size);
      log.push_back("t" + std::to_string(t->trade_id) + "@" + std::to_string(t->ts_ns));
    }
  }
  std::vector<std::string> log;

 private:
  const Clock& clock_;
};

}  // namespace

TEST_CASE(
    "two sources merge by time, equal times go in source order, timers fire after events at their "
    "time") {
  SimulatedClock clock;
  Engine engine(clock);
  Recorder rec(clock);
  engine.subscribe(MMH_EVENT_TRADE, &rec);
  const std::vector<mmh_trade> a = {trade(10, 1), trade(20, 2), trade(20, 3), trade(40, 4)};
  const std::vector<mmh_trade> b = {trade(5, 11), trade(20, 12), trade(30, 13)};
  engine.add_source("a", vector_source(a, 2));
  engine.add_source("b", vector_source(b, 1));
  engine.add_timer(20, [&](int64_t now) { rec.log.push_back("timer@" + std::to_string(now)); });
  engine.add_timer(35, [&](int64_t now) { rec.log.push_back("timer@" + std::to_string(now)); });
  engine.add_timer(99, [&](int64_t) { rec.log.push_back("never"); });  // after the last event

  const EngineStats stats = engine.run_historical(clock);
  const std::vector<std::string> expected = {"t11@5",    "t1@10",  "t2@20",    "t3@20", "t12@20",
                                             "timer@20", "t13@30", "timer@35", "t4@40"};
  CHECK(rec.log == expected);
  CHECK(stats.events_by_kind[MMH_EVENT_TRADE] == 7);
  CHECK(stats.first_event_ns == 5);
  CHECK(stats.last_event_ns == 40);
  CHECK(stats.timers_fired == 2);
  CHECK(clock.now_ns() == 40);
}

TEST_CASE("the merge is deterministic whatever the batch sizes") {
  std::vector<mmh_trade> a, b;
  for (int64_t i = 0; i < 200; ++i) a.push_back(trade(i * 3, static_cast<uint64_t>(i)));
  for (int64_t i = 0; i < 150; ++i) b.push_back(trade(i * 4, static_cast<uint64_t>(1000 + i)));
  std::vector<std::string> first;
  for (const size_t batch : {size_t{1}, size_t{7}, size_t{500}}) {
    SimulatedClock clock;
    Engine engine(clock);
    Recorder rec(clock);
    engine.subscribe(0, &rec);
    engine.add_source("a", vector_source(a, batch));
    engine.add_source("b", vector_source(b, batch + 3));
    engine.run_historical(clock);
    REQUIRE(rec.log.size() == 350);
    if (first.empty()) {
      first = rec.log;
    } else {
      CHECK(rec.log == first);
    }
  }
}

TEST_CASE("candles are delivered at their close, not their open") {
  mmh_candle c{};
  c.open_ts_ns = 1000;
  c.interval_ns = 60;
  CHECK(event_time_ns(MMH_EVENT_CANDLE, &c) == 1060);
}

TEST_CASE("a source that goes back in time stops the run with its name") {
  SimulatedClock clock;
  Engine engine(clock);
  const std::vector<mmh_trade> bad = {trade(10, 1), trade(5, 2)};
  engine.add_source("broken_feed", vector_source(bad, 10));
  CHECK_THROWS_WITH_AS(engine.run_historical(clock),
                       "source 'broken_feed' went back in time at record 1 (5 ns < 10 ns)",
                       EngineError);
}

TEST_CASE("undersized records are refused") {
  SimulatedClock clock;
  Engine engine(clock);
  const std::vector<mmh_trade> one = {trade(1, 1)};
  engine.add_source("tiny", [&](mmh_batch& out) {
    out.kind = MMH_EVENT_TRADE;
    out.record_size = 8;
    out.count = 1;
    out.records = one.data();
    return true;
  });
  CHECK_THROWS_AS(engine.run_historical(clock), EngineError);
}

TEST_CASE("live: batches posted from another thread arrive in order on the loop, and timers fire") {
  WallClock clock;
  Engine engine(clock);
  struct Counter final : BatchHandler {
    void on_batch(const mmh_batch& b) override { total += b.count; }
    size_t total = 0;
  } counter;
  engine.subscribe(MMH_EVENT_TRADE, &counter);
  boost::asio::io_context io;
  bool timer_fired = false;
  engine.add_timer(clock.now_ns() + 1'000'000, [&](int64_t) { timer_fired = true; });
  std::thread producer([&] {
    // Wait for the loop, then post 100 single-trade batches and stop.
    for (int tries = 0; tries < 1000; ++tries) {
      try {
        mmh_trade t = trade(clock.now_ns(), 0);
        mmh_batch b{sizeof(mmh_batch), MMH_EVENT_TRADE, sizeof(mmh_trade), 0, 1, &t};
        engine.post_live(b);
        break;
      } catch (const EngineError&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    for (uint64_t i = 1; i < 100; ++i) {
      mmh_trade t = trade(clock.now_ns(), i);
      mmh_batch b{sizeof(mmh_batch), MMH_EVENT_TRADE, sizeof(mmh_trade), 0, 1, &t};
      engine.post_live(b);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    engine.stop_live();
  });
  const EngineStats stats = engine.run_live(io);
  producer.join();
  CHECK(counter.total == 100);
  CHECK(stats.events_by_kind[MMH_EVENT_TRADE] == 100);
  CHECK(timer_fired);
}

TEST_CASE("live: a posted book update keeps its levels after the poster reuses its buffer") {
  WallClock clock;
  Engine engine(clock);
  struct Book final : BatchHandler {
    void on_batch(const mmh_batch& b) override {
      const auto& u = *static_cast<const mmh_book_update*>(b.records);
      for (uint32_t i = 0; i < u.bid_count; ++i) bid_prices.push_back(u.bids[i].price_e8);
    }
    std::vector<int64_t> bid_prices;
  } book;
  engine.subscribe(MMH_EVENT_BOOK_DELTA, &book);
  boost::asio::io_context io;
  engine.bind_live(io);  // posts before the loop runs are queued on it
  std::vector<mmh_book_level> levels = {{250, 1}, {249, 2}};
  mmh_book_update u{};
  u.ts_ns = clock.now_ns();
  u.bid_count = 2;
  u.bids = levels.data();
  engine.post_live(mmh_batch{sizeof(mmh_batch), MMH_EVENT_BOOK_DELTA, sizeof(u), 0, 1, &u});
  levels = {{7, 7}, {7, 7}};  // the connector's next message overwrites its buffer
  engine.add_timer(clock.now_ns() + 20'000'000, [&](int64_t) { engine.stop_live(); });
  engine.run_live(io);
  CHECK(book.bid_prices == std::vector<int64_t>{250, 249});
}
