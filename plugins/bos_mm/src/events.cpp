#include "events.hpp"

#include <mmhost/sdk/fixed_point.hpp>

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

std::string price(int64_t e8) {
  return sdk::format_e8(e8);
}

std::string pct(int32_t bp) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", bp / 100.0);
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

std::string format_event_detail(const Event& e) {
  std::string s;
  switch (e.kind) {
    case EventKind::bos_potential:
    case EventKind::bos_confirmed:
    case EventKind::bos_failed:
      s += std::string(" ") + to_string(e.direction) + " level=" + price(e.level_e8) +
           " close=" + price(e.price_e8) + " threshold=" + price(e.threshold_e8) +
           " atr=" + price(e.atr_e8) + " closes=" + std::to_string(e.closes);
      if (e.kind == EventKind::bos_failed) s += std::string(" why=") + to_string(e.fail_reason);
      break;
    case EventKind::pullback_started:
    case EventKind::pullback_confirmed:
      s += " zone=" + price(e.zone_low_e8) + ".." + price(e.zone_high_e8) +
           " price=" + price(e.price_e8) + " leg_high=" + price(e.level_e8) +
           " protect_low=" + price(e.threshold_e8) + " atr=" + price(e.atr_e8);
      break;
    case EventKind::policy_changed:
      s += std::string(" ") + to_string(e.policy_from) + "->" + to_string(e.policy_to) +
           " cause=" + to_string(e.cause) + " atr=" + pct(e.atr_pct_bp) +
           " volatility=" + pct(e.volatility_pct_bp) + " drawdown=" + pct(e.drawdown_pct_bp) +
           " close=" + price(e.price_e8);
      break;
    case EventKind::transition:
      s += std::string(" ") + to_string(e.from) + "->" + to_string(e.to) + " reason=" + e.reason +
           " price=" + price(e.price_e8) + " inventory=" + pct(e.inventory_share_bp) +
           " facts=" + describe_facts(e.facts);
      break;
    case EventKind::grid_updated:
      s += std::string(" state=") + to_string(e.to) + " policy=" + to_string(e.policy_to) +
           " centre=" + price(e.price_e8) + " step=" + price(e.step_e8) +
           " bids=" + std::to_string(e.bid_levels) + " asks=" + std::to_string(e.ask_levels) +
           " inventory=" + pct(e.inventory_share_bp) + (e.marketable ? " marketable" : "");
      break;
  }
  return s.empty() ? s : s.substr(1);  // every field above starts with its separator
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
