// Exponential backoff with jitter, shared by REST retries and WebSocket reconnects: the base
// doubles per attempt from `initial_ms` up to `max_ms`, and the delay is drawn from
// [base/2, base] so that many clients do not retry in step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

namespace mmh::bybit {

// attempt: 1 for the first retry.
inline int64_t backoff_delay_ms(int attempt, int64_t initial_ms, int64_t max_ms,
                                std::mt19937_64& rng) {
  int64_t base = std::max<int64_t>(0, initial_ms);
  for (int i = 1; i < attempt && base < max_ms; ++i) base *= 2;
  base = std::min(base, max_ms);
  if (base <= 1) return base;
  return std::uniform_int_distribution<int64_t>(base / 2, base)(rng);
}

}  // namespace mmh::bybit
