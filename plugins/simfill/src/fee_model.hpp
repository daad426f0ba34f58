// Fees of a spot fill. Rates are fractions of the traded amount (0.001 = 0.1%); a negative rate is
// a rebate. Which asset carries the fee follows Bybit spot's rule (../shared PROTOCOL §5.9):
//   rate >= 0: a buy pays in the base it receives, a sell in the quote it receives;
//   rate <  0 (maker rebate): a maker buy is credited in quote, a maker sell in base.
// Amounts are whole units of 1e-8: a fee paid rounds up, a rebate rounds toward zero, so the
// simulation never flatters the strategy by rounding.
#pragma once

#include <cstdint>
#include <string>

namespace mmh::sim {

enum class FeeAsset { base = 1, quote = 2 };

struct FeeCharge {
  FeeAsset asset = FeeAsset::quote;
  int64_t amount_e8 = 0;  // > 0 paid, < 0 rebate
};

struct FeeRates {
  // Bybit spot's published base tier (non-VIP): 0.1% maker and 0.1% taker.
  double maker = 0.001;
  double taker = 0.001;
};

class FeeModel {
 public:
  FeeModel() : FeeModel(FeeRates{}) {}
  // Throws std::invalid_argument when a rate is outside (-1%, 10%) or not a number.
  explicit FeeModel(const FeeRates& rates);

  // is_buy: the order's side; qty and value of the fill (value in quote).
  FeeCharge charge(bool is_buy, bool is_maker, int64_t qty_e8, int64_t value_e8) const;
  const FeeRates& rates() const { return rates_; }
  std::string describe() const;

 private:
  FeeRates rates_;
  int64_t maker_e10_ = 0;  // rates in units of 1e-10, exact for any rate written in bp/100
  int64_t taker_e10_ = 0;
};

}  // namespace mmh::sim
