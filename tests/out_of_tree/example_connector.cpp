// An out-of-tree data connector: a seeded random walk of 1m candles. Settings: bars, seed.
#include <mmhost/sdk/plugin.hpp>

#include <vector>

namespace {

class RandomWalk {
 public:
  RandomWalk(const mmh::sdk::Config& config, void*) {
    const int64_t bars = config.get_int("bars", 600);
    uint64_t state = static_cast<uint64_t>(config.get_int("seed", 1));
    int64_t price = 2000 * MMH_E8;
    for (int64_t i = 0; i < bars; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const int64_t step = static_cast<int64_t>(state >> 60) - 8;  // -8..7 cents
      mmh_candle c{};
      c.open_ts_ns = (1735689600 + i * 60) * 1000000000LL;
      c.interval_ns = 60 * 1000000000LL;
      c.open_e8 = price;
      price += step * 1000000;
      c.close_e8 = price;
      c.high_e8 = (c.open_e8 > c.close_e8 ? c.open_e8 : c.close_e8) + 1000000;
      c.low_e8 = (c.open_e8 < c.close_e8 ? c.open_e8 : c.close_e8) - 1000000;
      c.volume_e8 = 10 * MMH_E8;
      c.symbol_id = static_cast<uint32_t>(config.get_int("symbol_id", 1));
      candles_.push_back(c);
    }
  }
  bool read_batch(mmh_batch& out) {
    if (sent_) return false;
    sent_ = true;
    out.kind = MMH_EVENT_CANDLE;
    out.record_size = sizeof(mmh_candle);
    out.count = candles_.size();
    out.records = candles_.data();
    return true;
  }
  void describe(mmh_source_info& info) {
    info.primary_kind = MMH_EVENT_CANDLE;
    info.record_count = candles_.size();
    info.interval_ns = 60 * 1000000000LL;
  }

 private:
  std::vector<mmh_candle> candles_;
  bool sent_ = false;
};

}  // namespace

MMH_SDK_PLUGIN("example_connector", "0.1.0", "Out-of-tree example: seeded random-walk candles",
               mmh::sdk::data<RandomWalk>)
