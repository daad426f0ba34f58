#include "events.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace mmh::bos {
namespace {

std::string iso(int64_t ts_ns) {
  const std::time_t seconds = static_cast<std::time_t>(ts_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::bos_potential:
      return "bos_potential";
    case EventKind::bos_confirmed:
      return "bos_confirmed";
    case EventKind::bos_failed:
      return "bos_failed";
    case EventKind::pullback_started:
      return "pullback_started";
    case EventKind::pullback_confirmed:
      return "pullback_confirmed";
    case EventKind::policy_changed:
      return "policy_changed";
    case EventKind::transition:
      return "transition";
    case EventKind::grid_updated:
      return "grid_updated";
  }
  return "?";
}

std::string format_event(const Event& e) {
  return iso(e.ts_ns) + " " + to_string(e.kind) + " " + format_event_detail(e);
}

namespace {

// Text into a fixed buffer, cut at its capacity (the ABI's detail field): decisions are made
// tens of thousands of times per run, and a string per field cost more than the core's work.
// Numbers are written in place while the buffer has room for the longest (a detail is far
// shorter than the field), through a scratch buffer only near its end.
class Text {
 public:
  Text(char* out, size_t capacity) : p_(out), end_(out + capacity - 1) {}
  template <size_t N>
  Text& operator<<(const char (&literal)[N]) {  // its length known when compiled
    return *this << std::string_view(literal, N - 1);
  }
  Text& operator<<(std::string_view s) {
    const size_t n = std::min(s.size(), room());
    std::memcpy(p_, s.data(), n);
    p_ += n;
    return *this;
  }
  Text& price(int64_t e8) {
    if (room() >= sdk::kE8MaxChars) {
      p_ = sdk::write_e8(p_, e8);
      return *this;
    }
    char buf[sdk::kE8MaxChars];
    return *this << std::string_view(buf, static_cast<size_t>(sdk::write_e8(buf, e8) - buf));
  }
  Text& whole(int64_t v) {
    constexpr size_t kMax = 20;  // "-9223372036854775808"
    if (room() >= kMax) {
      p_ = std::to_chars(p_, p_ + kMax, v).ptr;
      return *this;
    }
    char buf[kMax];
    return *this << std::string_view(
               buf, static_cast<size_t>(std::to_chars(buf, buf + kMax, v).ptr - buf));
  }
  // Basis points as a percentage with two decimals ("%.2f%%" of bp / 100, exactly).
  Text& pct(int32_t bp) {
    const int64_t v = bp;
    const int64_t a = v < 0 ? -v : v;
    if (v < 0) *this << "-";
    whole(a / 100);
    const char frac[3] = {'.', static_cast<char>('0' + a % 100 / 10),
                          static_cast<char>('0' + a % 10)};
    return *this << std::string_view(frac, 3) << "%";
  }
  Text& facts(uint32_t facts) {
    bool any = false;
    for (int i = 0; i < kFactCount; ++i) {
      if ((facts & (1u << i)) == 0) continue;
      if (any) *this << "|";
      *this << fact_name(1u << i);
      any = true;
    }
    return any ? *this : *this << "-";
  }
  size_t size(const char* start) const { return static_cast<size_t>(p_ - start); }
  void terminate() { *p_ = '\0'; }

 private:
  size_t room() const { return static_cast<size_t>(end_ - p_); }
  char* p_;
  char* end_;
};

}  // namespace

size_t write_event_detail(const Event& e, char* out, size_t capacity) {
  Text t(out, capacity);
  switch (e.kind) {
    case EventKind::bos_potential:
    case EventKind::bos_confirmed:
    case EventKind::bos_failed:
      t << to_string(e.direction) << " level=";
      t.price(e.level_e8) << " close=";
      t.price(e.price_e8) << " threshold=";
      t.price(e.threshold_e8) << " atr=";
      t.price(e.atr_e8) << " closes=";
      t.whole(e.closes);
      if (e.kind == EventKind::bos_failed) t << " why=" << to_string(e.fail_reason);
      break;
    case EventKind::pullback_started:
    case EventKind::pullback_confirmed:
      t << "zone=";
      t.price(e.zone_low_e8) << "..";
      t.price(e.zone_high_e8) << " price=";
      t.price(e.price_e8) << " leg_high=";
      t.price(e.level_e8) << " protect_low=";
      t.price(e.threshold_e8) << " atr=";
      t.price(e.atr_e8);
      break;
    case EventKind::policy_changed:
      t << to_string(e.policy_from) << "->" << to_string(e.policy_to)
        << " cause=" << to_string(e.cause) << " atr=";
      t.pct(e.atr_pct_bp) << " volatility=";
      t.pct(e.volatility_pct_bp) << " drawdown=";
      t.pct(e.drawdown_pct_bp) << " close=";
      t.price(e.price_e8);
      break;
    case EventKind::transition:
      t << to_string(e.from) << "->" << to_string(e.to) << " reason=" << e.reason << " price=";
      t.price(e.price_e8) << " inventory=";
      t.pct(e.inventory_share_bp) << " facts=";
      t.facts(e.facts);
      break;
    case EventKind::grid_updated:
      t << "state=" << to_string(e.to) << " policy=" << to_string(e.policy_to) << " centre=";
      t.price(e.price_e8) << " step=";
      t.price(e.step_e8) << " bids=";
      t.whole(e.bid_levels) << " asks=";
      t.whole(e.ask_levels) << " inventory=";
      t.pct(e.inventory_share_bp) << (e.marketable ? " marketable" : "");
      break;
  }
  t.terminate();
  return t.size(out);
}

std::string format_event_detail(const Event& e) {
  char buf[1024];
  return std::string(buf, write_event_detail(e, buf, sizeof(buf)));
}

void EventHash::add(const Event& e) {
  // Field by field (never the raw struct: padding bytes are unspecified), each widened to 64
  // bits, gathered so the hash takes one update per event; the reason by length and content.
  uint64_t words[32];
  size_t n = 0;
  auto w = [&](auto v) { words[n++] = static_cast<uint64_t>(v); };
  const size_t reason_bytes = std::strlen(e.reason);
  w(e.kind);
  w(e.ts_ns);
  w(e.direction);
  w(e.fail_reason);
  w(e.level_e8);
  w(e.price_e8);
  w(e.threshold_e8);
  w(e.atr_e8);
  w(e.zone_low_e8);
  w(e.zone_high_e8);
  w(e.closes);
  w(e.policy_from);
  w(e.policy_to);
  w(e.cause);
  w(e.atr_pct_bp);
  w(e.volatility_pct_bp);
  w(e.drawdown_pct_bp);
  w(e.from);
  w(e.to);
  w(reason_bytes);
  w(e.facts);
  w(e.bid_levels);
  w(e.ask_levels);
  w(e.step_e8);
  w(e.inventory_share_bp);
  w(e.marketable);
  hash_.add(words, n * sizeof(uint64_t));
  hash_.add(e.reason, reason_bytes);
}

}  // namespace mmh::bos
