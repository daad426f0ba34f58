#include "app/market_feed.hpp"

#include "app/execution.hpp"
#include "engine/event_time.hpp"
#include "loader/core_instance.hpp"

namespace mmh {

MarketFeed::MarketFeed(const Routes& routes, Execution* exec, BatchHandler* bars,
                       int64_t bar_interval_ns)
    : routes_(routes), exec_(exec) {
  if (bars != nullptr)
    builder_ = std::make_unique<TradeBars>(bar_interval_ns, [bars](const mmh_candle& bar) {
      const mmh_batch one{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1, &bar};
      bars->on_batch(one);
    });
}

void MarketFeed::set_core(CoreInstance* core, std::function<void()> after_input) {
  core_ = core;
  after_core_input_ = std::move(after_input);
}

void MarketFeed::forward(const mmh_batch& batch, size_t begin, size_t end) {
  if (begin == end) return;
  mmh_batch part = batch;
  part.count = end - begin;
  part.records = static_cast<const char*>(batch.records) + begin * batch.record_size;
  if (exec_ != nullptr && routes_.to(part.kind, kToVenue | kToRisk)) exec_->on_market(part);
  if (core_ != nullptr && routes_.to(part.kind, kToCore | kToCoreTop)) tell_core(part);
}

void MarketFeed::tell_core(const mmh_batch& part) {
  const bool book = part.kind == MMH_EVENT_BOOK_SNAPSHOT || part.kind == MMH_EVENT_BOOK_DELTA;
  bool told = false;
  if (routes_.to(part.kind, kToCore)) {
    core_->on_events(part);
    told = true;
  }
  if (book && routes_.to(part.kind, kToCoreTop)) {
    tops_.clear();
    const char* p = static_cast<const char*>(part.records);
    mmh_ticker top{};
    for (size_t i = 0; i < part.count; ++i, p += part.record_size)
      if (book_top_.apply(part.kind, *reinterpret_cast<const mmh_book_update*>(p), top))
        tops_.push_back(top);
    if (!tops_.empty()) {
      core_->on_events(mmh_batch{sizeof(mmh_batch), MMH_EVENT_TICKER, sizeof(mmh_ticker), 0,
                                 tops_.size(), tops_.data()});
      told = true;
    }
  }
  if (told && after_core_input_) after_core_input_();
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
