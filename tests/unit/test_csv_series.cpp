#include "csv_series.hpp"
#include "line_feed.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

using namespace mmh::replay;

namespace {

constexpr int64_t kMinute = 60'000'000'000;

// Expects parsing to fail and returns the message.
std::string candle_error(const std::string& text) {
  try {
    parse_candle_csv(text, "bad.csv");
  } catch (const mmh::sdk::Error& e) {
    CHECK(e.status() == MMH_ERR_DATA);
    return e.what();
  }
  FAIL("expected a parse error for:\n" << text);
  return {};
}

const std::string kHeader = "ts_ms,open,high,low,close,volume\n";

}  // namespace

TEST_CASE("candles: a valid file parses exactly, with the interval inferred") {
  const auto s = parse_candle_csv(kHeader +
                                      "1747699200000,2528.14,2530.8,2527.97,2528.28,562.6879\n"
                                      "1747699260000,2528.28,2529,2528,2528.5,1.5\n",
                                  "ok.csv");
  REQUIRE(s.candles.size() == 2);
  CHECK(s.candles[0].open_ts_ns == 1747699200000LL * 1000000);
  CHECK(s.candles[0].interval_ns == kMinute);
  CHECK(s.candles[0].open_e8 == 252814000000);
  CHECK(s.candles[0].high_e8 == 253080000000);
  CHECK(s.candles[0].volume_e8 == 56268790000);
  CHECK(s.gaps.interval_ns == kMinute);
  CHECK(s.gaps.gap_count == 0);
}

TEST_CASE("candles: comments before the header, CRLF and a trailing blank line are fine") {
  const auto s =
      parse_candle_csv("# synthetic\r\n" + std::string("ts_ms,open,high,low,close,volume\r\n") +
                           "60000,1,2,1,2,0\r\n120000,2,2,1,1,3\r\n\r\n",
                       "crlf.csv");
  CHECK(s.candles.size() == 2);
}

TEST_CASE("candles: gaps are counted, not fatal") {
  const auto s = parse_candle_csv(kHeader +
                                      "60000,1,1,1,1,1\n120000,1,1,1,1,1\n300000,1,1,1,1,1\n360000,"
                                      "1,1,1,1,1\n900000,1,1,1,1,1\n",
                                  "gaps.csv");
  CHECK(s.candles.size() == 5);
  CHECK(s.gaps.gap_count == 2);
  CHECK(s.gaps.missing_bars == 2 + 8);
  CHECK(s.gaps.largest_gap_ns == 8 * kMinute);
}

TEST_CASE("candles: every malformed input names file:line and what was wrong") {
  CHECK(candle_error("ts,open,high,low,close,volume\n1,1,1,1,1,1\n") ==
        "bad.csv:1: bad header: expected 'ts_ms,open,high,low,close,volume', got another line "
        "of 6 columns (not shown: nothing of a file that is not market data is echoed)");
  CHECK(candle_error(kHeader + "60000,1,1,1,1,1\n120000,1,abc,1,1,1\n") ==
        "bad.csv:3: column 'high': not a number ('abc')");
  CHECK(candle_error(kHeader + "60000,1,1,2,1,1\n") == "bad.csv:2: high 1 is below low 2");
  CHECK(candle_error(kHeader + "60000,3,4,2,1,1\n") ==
        "bad.csv:2: close 1 is outside [low 2, high 4]");
  CHECK(candle_error(kHeader + "60000,5,4,2,3,1\n") ==
        "bad.csv:2: open 5 is outside [low 2, high 4]");
  CHECK(candle_error(kHeader + "120000,1,1,1,1,1\n60000,1,1,1,1,1\n") ==
        "bad.csv:3: timestamp 60000 is not after the previous row's 120000 (timestamps must "
        "strictly increase)");
  CHECK(candle_error(kHeader + "60000,1,1,1,1,1\n60000,1,1,1,1,1\n")
            .find("bad.csv:3: timestamp 60000 is not after") == 0);
  CHECK(candle_error(kHeader + "60000,1,1,1,1\n") ==
        "bad.csv:2: expected 6 columns (ts_ms,open,high,low,close,volume), got 5");
  CHECK(candle_error(kHeader + "60000,1,1,1,1,1,9\n") ==
        "bad.csv:2: expected 6 columns (ts_ms,open,high,low,close,volume), got 7");
  CHECK(candle_error(kHeader + "1.5,1,1,1,1,1\n") ==
        "bad.csv:2: column 'ts_ms': expected an integer (epoch milliseconds), got '1.5'");
  CHECK(candle_error(kHeader + "60000,1,1,1,1,-1\n") ==
        "bad.csv:2: volume must not be negative, got -1");
  CHECK(candle_error(kHeader + "60000,0,0,0,0,1\n") ==
        "bad.csv:2: prices must be positive, low is 0");
  CHECK(candle_error(kHeader + "60000,1,1,1,1,1\n\n120000,1,1,1,1,1\n") ==
        "bad.csv:3: empty line inside the data");
  CHECK(candle_error(kHeader) == "bad.csv:2: no candles after the header");
  CHECK(candle_error("") ==
        "bad.csv:1: empty file: expected the header 'ts_ms,open,high,low,close,volume'");
  CHECK(candle_error(kHeader + "60000,1.123456789,2,1,1,1\n") ==
        "bad.csv:2: column 'open': more than 8 decimals ('1.123456789')");
}

TEST_CASE("candles: timestamps must sit on the interval grid") {
  CHECK(candle_error(kHeader + "60000,1,1,1,1,1\n120000,1,1,1,1,1\n190000,1,1,1,1,1\n") ==
        "bad.csv:4: timestamp 190000 is not aligned to the 1m interval");
  // A declared interval that the data does not follow.
  try {
    parse_candle_csv(kHeader + "60000,1,1,1,1,1\n120000,1,1,1,1,1\n", "bad.csv", 5 * kMinute);
    FAIL("expected an alignment error");
  } catch (const mmh::sdk::Error& e) {
    CHECK(std::string(e.what()) == "bad.csv:2: timestamp 60000 is not aligned to the 5m interval");
  }
}

namespace {

CandleSeries parse_by_lines(const std::string& text, int64_t interval_ns) {
  CandleLineParser parser("bad.csv", interval_ns);
  CandleSeries out;
  out.candles = mmh::test::records_by_lines<mmh_candle>(parser, text);
  out.gaps = parser.gaps();
  return out;
}

// What a parse gives: the candles and gaps, or the error.
std::string outcome(const std::function<CandleSeries()>& parse) {
  try {
    const CandleSeries s = parse();
    std::string out = std::to_string(s.gaps.interval_ns) + " " + std::to_string(s.gaps.gap_count) +
                      " " + std::to_string(s.gaps.missing_bars) + " " +
                      std::to_string(s.gaps.largest_gap_ns);
    for (const mmh_candle& c : s.candles)
      out += "\n" + std::to_string(c.open_ts_ns) + "," + std::to_string(c.interval_ns) + "," +
             std::to_string(c.open_e8) + "," + std::to_string(c.high_e8) + "," +
             std::to_string(c.low_e8) + "," + std::to_string(c.close_e8) + "," +
             std::to_string(c.volume_e8);
    return out;
  } catch (const mmh::sdk::Error& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace

TEST_CASE("candles: the line parser gives parse_candle_csv's candles, gaps and errors") {
  const std::vector<std::string> texts = {
      kHeader + "60000,1,2,1,2,0\n120000,2,2,1,1,3\n300000,1,1,1,1,1\n",
      "# a\n# b\r\n" + kHeader + "60000,1,2,1,2,0\r\n120000,2,2,1,1,3\r\n\r\n",
      kHeader + "60000,1,1,1,1,1\n\n  \n\n",
      kHeader + "60000,1,1,1,1,1\n\n120000,1,1,1,1,1\n",
      kHeader + "60000,1,1,1,1,1\n\n \n120000,1,1,1,1,1",
      kHeader + "60000,1,1,1,1,1\n  \n",
      kHeader,
      kHeader + "\n",
      kHeader + "\n\n \n",
      "",
      "# only a comment\n",
      "\n" + kHeader,
      "ts,open,high,low,close,volume\n1,1,1,1,1,1\n",
      kHeader + "60000,1,1,1,1,1\n",
      kHeader + "60000,1,1,1,1,1\n120000,1,1,1,1,1\n190000,1,1,1,1,1\n",
      // An interval error early and a row error later: the row error wins, as in one pass.
      kHeader + "60000,1,1,1,1,1\n90000,1,1,1,1,1\n150000,1,1,1,1,1\n210000,1,1,2,1,1\n",
      kHeader + "60000,1,1,1,1,1\n90000,1,1,1,1,1\n150000,1,1,1,1,1\n",
      kHeader + "120000,1,1,1,1,1\n60000,1,1,1,1,1\n",
      kHeader + "60000,1,1,1,1\n",
      kHeader + "60000,1,1,1,1,1\n120000,1,abc,1,1,1",
      kHeader + "60000,1,1,1,1,1\n# not a comment here\n",
      kHeader + "60000,1,1,1,1,1\n120000,1,1,1,1,1\n300000,1,1,1,1,1\n330000,1,1,1,1,1\n",
  };
  for (const std::string& text : texts)
    for (const int64_t interval : {int64_t{0}, kMinute, 5 * kMinute}) {
      CAPTURE(text);
      CAPTURE(interval);
      CHECK(outcome([&] { return parse_by_lines(text, interval); }) ==
            outcome([&] { return parse_candle_csv(text, "bad.csv", interval); }));
    }
}

TEST_CASE("trades: the line parser gives parse_trade_csv's trades and errors") {
  const std::string h = "ts_ms,price,qty,side\n";
  const std::vector<std::string> texts = {
      h + "1000,2500.5,0.1,buy\n1000,2500.4,0.2,Sell\n2000,2501,1,sell\n",
      "# tape\r\n" + h + "1000,1,1,buy\r\n\r\n",
      h + "1000,1,1,buy\n\n \n",
      h + "1000,1,1,buy\n\n2000,1,1,buy\n",
      h,
      h + "\n",
      "",
      "ts,price,qty,side\n1,1,1,buy\n",
      h + "2000,1,1,buy\n1000,1,1,buy\n",
      h + "1000,0,1,buy\n",
      h + "1000,1,1,hold\n",
      h + "1000,1,1\n",
      h + "1000,1,-1,buy\n3000,x,1,buy",
  };
  auto outcome_of = [](const std::function<std::vector<mmh_trade>()>& parse) {
    try {
      std::string out;
      for (const mmh_trade& t : parse())
        out += std::to_string(t.ts_ns) + "," + std::to_string(t.price_e8) + "," +
               std::to_string(t.qty_e8) + "," + std::to_string(t.taker_side) + "\n";
      return out;
    } catch (const mmh::sdk::Error& e) {
      return std::string("error: ") + e.what();
    }
  };
  for (const std::string& text : texts) {
    CAPTURE(text);
    CHECK(outcome_of([&] {
            TradeLineParser parser("bad.csv");
            return mmh::test::records_by_lines<mmh_trade>(parser, text);
          }) == outcome_of([&] { return parse_trade_csv(text, "bad.csv").trades; }));
  }
}

TEST_CASE("trades: parse, validate sides and keep equal timestamps") {
  const auto t = parse_trade_csv(
      "ts_ms,price,qty,side\n1723161255342,61837.63000000,0.02000000,sell\n1723161255342,61837.64,"
      "0.5,buy\n",
      "t.csv");
  REQUIRE(t.trades.size() == 2);
  CHECK(t.trades[0].taker_side == MMH_SIDE_SELL);
  CHECK(t.trades[1].taker_side == MMH_SIDE_BUY);
  CHECK(t.trades[0].price_e8 == 6183763000000);
  CHECK(t.trades[0].qty_e8 == 2000000);
  try {
    parse_trade_csv("ts_ms,price,qty,side\n2000,1,1,buy\n1000,1,1,buy\n", "t.csv");
    FAIL("expected a time error");
  } catch (const mmh::sdk::Error& e) {
    CHECK(std::string(e.what()) ==
          "t.csv:3: timestamp 1000 goes back from the previous row's 2000");
  }
  try {
    parse_trade_csv("ts_ms,price,qty,side\n2000,1,1,long\n", "t.csv");
    FAIL("expected a side error");
  } catch (const mmh::sdk::Error& e) {
    CHECK(std::string(e.what()) == "t.csv:2: column 'side': expected buy or sell, got 'long'");
  }
}

TEST_CASE("detect_kind reads the header") {
  CHECK(detect_kind(kHeader) == SeriesKind::candles);
  CHECK(detect_kind("# c\nts_ms,price,qty,side\n") == SeriesKind::trades);
  CHECK(detect_kind("a,b\n") == SeriesKind::unknown);
}

namespace {

const std::string kDepth = std::string(kDepthHeader) + "\n";

std::string depth_error(const std::string& body) {
  try {
    parse_depth_csv(kDepth + body, "depth.csv");
  } catch (const mmh::sdk::Error& e) {
    CHECK(e.status() == MMH_ERR_DATA);
    return e.what();
  }
  FAIL("expected a parse error for:\n" << body);
  return {};
}

}  // namespace

TEST_CASE("depth: messages are grouped, stale deltas dropped, the snapshot put on exchange time") {
  const auto s = parse_depth_csv(kDepth +
                                     "1000000000,0,S,b,100.5,2,10,10\n"
                                     "1000000000,0,S,a,101,1,10,10\n"
                                     "1000000000,0,S,b,100,3,10,10\n"
                                     // stale: ends at the snapshot's id, already in it
                                     "1100000000,2000,D,b,100.5,9,9,10\n"
                                     // first live delta: the snapshot id + 1 is inside it
                                     "1200000000,2250,D,a,101,0,10,11\n"
                                     "1200000000,2250,D,b,100.5,1.5,10,11\n"
                                     "1300000000,2260,D,a,101.5,4,12,12\n",
                                 "depth.csv");
  REQUIRE(s.updates.size() == 3);
  CHECK(s.kinds[0] == MMH_EVENT_BOOK_SNAPSHOT);
  CHECK(s.kinds[1] == MMH_EVENT_BOOK_DELTA);
  CHECK(s.updates[0].bid_count == 2);
  CHECK(s.updates[0].ask_count == 1);
  CHECK(s.updates[0].bids[1].price_e8 == 100 * MMH_E8);
  CHECK(s.updates[0].asks[0].qty_e8 == 1 * MMH_E8);
  // Clock offset of the first live delta: 2250 ms exchange - 1200 ms local = +1050 ms.
  CHECK(s.updates[0].ts_ns == 1'000'000'000 + 1'050'000'000);
  CHECK(s.updates[1].ts_ns == 2'250'000'000);
  CHECK(s.updates[1].update_id == 11);
  REQUIRE(s.updates[1].bid_count == 1);
  CHECK(s.updates[1].bids[0].qty_e8 == 150'000'000);
  CHECK(s.updates[1].asks[0].qty_e8 == 0);  // removes the level
  CHECK(s.updates[2].ts_ns == 2'260'000'000);
}

TEST_CASE("depth: gaps and malformed rows name file:line and what was wrong") {
  const std::string snap = "1,0,S,b,100,1,10,10\n";
  CHECK(depth_error("1,5,D,b,100,1,11,11\n") ==
        "depth.csv:2: a delta before any snapshot (kind S rows)");
  CHECK(depth_error(snap + "2,5,D,b,100,1,11,11\n2,6,D,b,100,1,13,13\n") ==
        "depth.csv:4: update ids jump from 11 to 13: a gap in the stream (the book would be wrong "
        "after it)");
  CHECK(depth_error(snap + "2,5,D,b,100,1,12,12\n") ==
        "depth.csv:3: the first delta after the snapshot starts at update id 12, past the "
        "snapshot's 10 + 1: updates are missing");
  CHECK(depth_error(snap + "2,5,X,b,100,1,11,11\n") ==
        "depth.csv:3: column 'kind': expected S (snapshot) or D (delta), got 'X'");
  CHECK(depth_error(snap + "2,5,D,bid,100,1,11,11\n") ==
        "depth.csv:3: column 'side': expected b (bid) or a (ask), got 'bid'");
  CHECK(depth_error(snap + "2,5,D,b,100,-1,11,11\n") ==
        "depth.csv:3: qty must not be negative, got -1");
  CHECK(depth_error(snap + "2,5,D,b,100,1,11\n") ==
        "depth.csv:3: expected 8 columns (" + std::string(kDepthHeader) + "), got 7");
  CHECK(depth_error(snap + "2,0,D,b,100,1,11,11\n") ==
        "depth.csv:3: column 'exch_ts_ms': a delta needs its exchange time in epoch ms");
  CHECK(detect_kind(kDepth) == SeriesKind::depth);
}

TEST_CASE("depth: times never go back even when exchange stamps do") {
  const auto s = parse_depth_csv(kDepth +
                                     "1,0,S,b,100,1,10,10\n"
                                     "2,5000,D,b,100,2,11,11\n"
                                     "3,4999,D,b,100,3,12,12\n",
                                 "depth.csv");
  REQUIRE(s.updates.size() == 3);
  CHECK(s.updates[2].ts_ns == s.updates[1].ts_ns);
}
