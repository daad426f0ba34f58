// A well-formed data plugin built with the SDK: emits `count` 1m candles (setting, default 10)
// rising by one unit per bar. GOOD_PLUGIN_NAME lets the build make a same-named copy.
#include <mmhost/sdk/plugin.hpp>

#include <vector>

#ifndef GOOD_PLUGIN_NAME
#define GOOD_PLUGIN_NAME "good"
#endif

namespace {

class CountingSource {
 public:
  CountingSource(const mmh::sdk::Config& config, void*) {
    const int64_t count = config.get_int("count", 10);
    if (count < 0) throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT, "count must not be negative");
    for (int64_t i = 0; i < count; ++i) {
      mmh_candle c{};
      c.open_ts_ns = (1700000000 + i * 60) * 1000000000LL;
      c.interval_ns = 60 * 1000000000LL;
      c.open_e8 = c.low_e8 = (100 + i) * MMH_E8;
      c.close_e8 = c.high_e8 = (101 + i) * MMH_E8;
      c.volume_e8 = MMH_E8;
      c.symbol_id = 1;
      candles_.push_back(c);
    }
  }
  bool read_batch(mmh_batch& out) {
    if (done_) return false;
    done_ = true;
    out.kind = MMH_EVENT_CANDLE;
    out.record_size = sizeof(mmh_candle);
    out.count = candles_.size();
    out.records = candles_.data();
    return true;
  }

 private:
  std::vector<mmh_candle> candles_;
  bool done_ = false;
};

}  // namespace

MMH_SDK_PLUGIN(GOOD_PLUGIN_NAME, "1.2.3", "Test plugin: counting candles",
               mmh::sdk::data<CountingSource>)
