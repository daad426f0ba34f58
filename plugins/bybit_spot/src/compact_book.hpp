// The fast path for the hottest public message: an orderbook snapshot or delta exactly as Bybit
// sends it on the wire - compact JSON, no whitespace, no escapes, decimals as plain strings:
//   {"topic":"orderbook.50.ETHUSDT","ts":1,"type":"delta","data":{"s":"ETHUSDT",
//    "b":[["2500.01","1.5"]],"a":[],"u":2,"seq":3},"cts":1}
// One pass over the bytes, prices and sizes straight to fixed point. A 50-level delta is 100
// decimals; simdjson's structural index plus walking it value by value cost more than the
// decimals themselves. Anything else (pretty-printed, escapes, exponents, unknown keys, another
// topic, bad values) returns false and the caller parses it the general way with simdjson, which
// also words the error. The fuzzer checks that both paths agree wherever this one accepts.
#pragma once

#include <cstddef>

namespace mmh::bybit {

struct PublicMessage;

// `text[size]` must be '\0' (scans stop on it instead of checking bounds) and the 32 bytes
// after it readable (decimals are read 16 bytes at a time): simdjson's padding provides both.
// On true, `m`'s orderbook fields are set (topic, ts, type, data, cts) and the other fields are
// untouched; on false, `m` may be partly written and must be reset by the caller.
bool parse_compact_book(const char* text, size_t size, PublicMessage& m);

}  // namespace mmh::bybit
