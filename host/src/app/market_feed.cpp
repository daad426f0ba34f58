#include "app/market_feed.hpp"

#include "app/execution.hpp"
#include "engine/event_time.hpp"

namespace mmh {

MarketFeed::MarketFeed(Execution* exec, BatchHandler* bars, int64_t bar_interval_ns) : exec_(exec) {
  if (bars != nullptr)
    builder_ = std::make_unique<TradeBars>(bar_interval_ns, [bars](const mmh_candle& bar) {
      const mmh_batch one{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1, &bar};
      bars->on_batch(one);
    });
}

void MarketFeed::on_batch(const mmh_batch& batch) {
  const char* p = static_cast<const char*>(batch.records);
  for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
    if (builder_) builder_->close_until(event_time_ns(batch.kind, p));
    if (exec_ != nullptr) {
      mmh_batch one = batch;
      one.count = 1;
      one.records = p;
      exec_->on_market(one);
    }
    if (builder_ && batch.kind == MMH_EVENT_TRADE)
      builder_->add(*reinterpret_cast<const mmh_trade*>(p));
  }
}

}  // namespace mmh
