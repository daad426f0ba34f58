#include "fee_model.hpp"

#include "sim_instrument.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace mmh::sim {
namespace {

constexpr int64_t kRateScale = 10'000'000'000;  // 1e10

int64_t rate_units(double rate, const char* name) {
  if (!std::isfinite(rate) || rate <= -0.01 || rate >= 0.1)
    throw std::invalid_argument(std::string("fee rate ") + name +
                                " must be in (-0.01, 0.1) (0.001 = 0.1%), got " +
                                std::to_string(rate));
  return std::llround(rate * static_cast<double>(kRateScale));
}

// amount * |rate|: rounded up when paid, toward zero when a rebate.
int64_t apply(int64_t amount_e8, int64_t rate_e10) {
  if (rate_e10 == 0 || amount_e8 == 0) return 0;
  const i128 product = static_cast<i128>(amount_e8) * (rate_e10 < 0 ? -rate_e10 : rate_e10);
  if (rate_e10 > 0) return static_cast<int64_t>((product + kRateScale - 1) / kRateScale);
  return -static_cast<int64_t>(product / kRateScale);
}

}  // namespace

FeeModel::FeeModel(const FeeRates& rates)
    : rates_(rates),
      maker_e10_(rate_units(rates.maker, "maker")),
      taker_e10_(rate_units(rates.taker, "taker")) {}

FeeCharge FeeModel::charge(bool is_buy, bool is_maker, int64_t qty_e8, int64_t value_e8) const {
  const int64_t rate = is_maker ? maker_e10_ : taker_e10_;
  // Paid fees come out of what the order receives; rebates are credited in what it gives.
  const bool in_base = rate >= 0 ? is_buy : !is_buy;
  return FeeCharge{in_base ? FeeAsset::base : FeeAsset::quote,
                   apply(in_base ? qty_e8 : value_e8, rate)};
}

std::string FeeModel::describe() const {
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "maker %.4f%%, taker %.4f%% (buy pays in base, sell in quote; rebates the "
                "other way)",
                rates_.maker * 100.0, rates_.taker * 100.0);
  return buf;
}

}  // namespace mmh::sim
