#include "instrument_file.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using mmh::replay::instrument_file_for;
using mmh::replay::load_instrument;
using mmh::test::TempDir;
using mmh::test::write_file;

TEST_CASE("replay instrument: the strategy's fields, exactly as decimals") {
  const auto ins = load_instrument({{"tick_size", "0.01"},
                                    {"lot_size", "0.000001"},
                                    {"min_order_qty", "0.000048"},
                                    {"min_order_value", "5"}},
                                   "", "BTCUSDT");
  REQUIRE(ins);
  CHECK(std::string(ins->symbol) == "BTCUSDT");
  CHECK(ins->tick_size.mantissa == 1);
  CHECK(ins->tick_size.exponent == -2);
  CHECK(ins->lot_size.mantissa == 1);
  CHECK(ins->lot_size.exponent == -6);
  CHECK(ins->min_order_qty.mantissa == 48);
  CHECK(ins->min_order_qty.exponent == -6);
  CHECK(ins->min_order_value.mantissa == 5);
  // Nothing stated and no file: the source knows no instrument.
  CHECK_FALSE(load_instrument({}, "", "BTCUSDT"));
}

TEST_CASE("replay instrument: a sidecar beside the data, unless the strategy states one") {
  TempDir dir;
  const std::string data = dir.file("btc.csv");
  CHECK(instrument_file_for(data) == data + ".instrument.json");
  write_file(instrument_file_for(data),
             R"({"symbol": "BTCUSDT", "tick_size": "0.10", "lot_size": "0.000001"})");
  auto ins = load_instrument({}, data, "BTCUSDT");
  REQUIRE(ins);
  CHECK(ins->tick_size.mantissa == 1);
  CHECK(ins->tick_size.exponent == -1);
  CHECK(ins->min_order_value.mantissa == 0);  // absent: no minimum
  // The strategy's own statement wins whole: the file is not read.
  ins = load_instrument({{"tick_size", "0.01"}, {"lot_size", "0.00001"}}, data, "BTCUSDT");
  CHECK(ins->tick_size.exponent == -2);
  CHECK(ins->lot_size.exponent == -5);
}

TEST_CASE("replay instrument: bad statements and files name what is wrong") {
  TempDir dir;
  const std::string data = dir.file("d.csv");
  auto error = [&](const std::map<std::string, std::string>& fields, const std::string& file) {
    if (!file.empty()) write_file(instrument_file_for(data), file);
    try {
      load_instrument(fields, data, "BTCUSDT");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error({{"tick_size", "0.01"}}, "") == "market.instrument: lot_size is required");
  CHECK(error({{"tick_size", "0"}, {"lot_size", "1"}}, "") ==
        "market.instrument: tick_size '0' must be a positive step of at most 8 decimals");
  CHECK(error({{"tick_size", "0.000000001"}, {"lot_size", "1"}}, "").find("at most 8") !=
        std::string::npos);
  CHECK(error({{"tick_size", "1e-2"}, {"lot_size", "1"}}, "") ==
        "market.instrument: tick_size '1e-2' is not a decimal of at most 19 digits");
  const std::string sidecar = instrument_file_for(data);
  CHECK(error({}, R"({"tick_size": 0.01, "lot_size": "1"})") ==
        sidecar + ": tick_size must be a string (\"0.01\")");
  CHECK(error({}, R"({"tick": "0.01"})").find(sidecar + ": unknown field 'tick'") == 0);
  CHECK(error({}, "[1, 2]") == sidecar + ": not a JSON object");
  CHECK(error({}, R"({"symbol": "ETHUSDT", "tick_size": "0.01", "lot_size": "1"})") ==
        sidecar + ": is for ETHUSDT, the run trades BTCUSDT");
}
