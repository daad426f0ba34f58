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

void MarketFeed::forward(const mmh_batch& batch, size_t begin, size_t end) {
  if (exec_ == nullptr || begin == end) return;
  mmh_batch part = batch;
  part.count = end - begin;
  part.records = static_cast<const char*>(batch.records) + begin * batch.record_size;
  exec_->on_market(part);
}

void MarketFeed::on_batch(const mmh_batch& batch) {
  if (!builder_) return forward(batch, 0, batch.count);
  size_t begin = 0;
  const char* p = static_cast<const char*>(batch.records);
  for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
    const int64_t ts_ns = event_time_ns(batch.kind, p);
    if (ts_ns >= builder_->close_ns()) {
      forward(batch, begin, i);
      begin = i;
      builder_->close_until(ts_ns);
    }
    if (batch.kind == MMH_EVENT_TRADE) builder_->add(*reinterpret_cast<const mmh_trade*>(p));
  }
  forward(batch, begin, batch.count);
}

}  // namespace mmh
