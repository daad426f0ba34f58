// One event of a run's record, built field by field as the canonical binary record the event
// hash is taken over (ADR 0031). Its events.jsonl line is rendered from the record, only when a
// file is written (append_event_lines; a backtest does it on a thread of its own, ADR 0036): a
// batch or a summary-only run never renders text.
//
// The record, per field in the order written: the key's bytes, a type byte, then the value:
//   'S' string: u32 length (little-endian) + bytes     'I' integer: i64
//   'T' time: i64 ns (the line shows it as ISO-8601)   'D' decimal: i64 in units of 1e-8
//   'B' flag: one byte 0/1
// and '\n' ends the record. The line renders the same fields as `{"key":value,...}\n`: a
// function of the record, so equal records mean equal lines. Keys are lower-case names, so a
// key ends at its type byte.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

// The fields written with EventLine::e8: what tells a decimal ('D') from text ('S') when a line
// is read back (event_hash_of_lines). A new decimal field is added here (e8 asserts it).
constexpr bool is_decimal_field(std::string_view key) {
  return key == "price" || key == "qty" || key == "filled" || key == "base" || key == "quote";
}

// What a record's key may hold: lower-case names, so a key ends at its (upper-case) type byte.
constexpr bool is_event_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
constexpr bool is_event_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), is_event_key_char);
}

class EventLine {
 public:
  // The record is appended to `record` at `record_used`, which done() advances past it (the
  // vector grows, never shrinks: no zeroing per field). Fields are written through a cursor of
  // this line's own: stores of bytes may alias anything, and through the caller's vector and
  // count they made every field reload both.
  EventLine(std::vector<char>& record, size_t& record_used)
      : r_(record),
        rn_(record_used),
        p_(record.data() + record_used),
        end_(record.data() + record.size()) {}
  template <size_t N>
  EventLine& str(const char (&key)[N], std::string_view value) {
    char* r = rkey(key, 'S', 4 + value.size());
    const auto len = static_cast<uint32_t>(value.size());
    std::memcpy(r, &len, 4);
    std::memcpy(r + 4, value.data(), value.size());
    return *this;
  }
  template <size_t N>
  EventLine& time(const char (&key)[N], int64_t ts_ns) {  // ISO-8601 UTC text in the line
    return i64(key, 'T', ts_ns);
  }
  template <size_t N>
  EventLine& e8(const char (&key)[N], int64_t value_e8) {  // exact decimal text in the line
    assert(is_decimal_field(key));
    return i64(key, 'D', value_e8);
  }
  template <size_t N>
  EventLine& num(const char (&key)[N], int64_t value) {
    return i64(key, 'I', value);
  }
  template <size_t N>
  EventLine& flag(const char (&key)[N], bool value) {
    *rkey(key, 'B', 1) = value ? 1 : 0;
    return *this;
  }
  // Ends the record: until then it is not part of `record_used`.
  void done() {
    room(1);
    *p_++ = '\n';
    rn_ = static_cast<size_t>(p_ - r_.data());
  }

 private:
  template <size_t N>
  EventLine& i64(const char (&key)[N], char type, int64_t value) {
    std::memcpy(rkey(key, type, 8), &value, 8);
    return *this;
  }
  // Room for `extra` more bytes at the cursor. The check is inline at every field; the growth,
  // rare, is not.
  void room(size_t extra) {
    if (static_cast<size_t>(end_ - p_) < extra) [[unlikely]]
      grow(extra);
  }
  [[gnu::noinline]] void grow(size_t extra) {
    const auto at = static_cast<size_t>(p_ - r_.data());
    r_.resize(std::max(2 * r_.size(), at + extra));
    p_ = r_.data() + at;
    end_ = r_.data() + r_.size();
  }
  template <size_t N>
  char* rkey(const char (&key)[N], char type, size_t value_size) {
    assert(is_event_key(key));
    room(N + value_size);  // key bytes (N - 1) + the type byte + the value
    char* const p = p_;
    p_ = p + N + value_size;
    std::memcpy(p, key, N - 1);
    p[N - 1] = type;
    return p + N;
  }

  std::vector<char>& r_;
  size_t& rn_;
  char* p_;
  char* end_;
};

// Appends the events.jsonl lines of `records` (whole records, as EventLine writes them) to `out`:
// `{"key":value,...}\n` per record, strings escaped, 'T' as ISO-8601 UTC, 'D' as exact decimal
// text, both quoted. Throws std::runtime_error on bytes that are not records.
void append_event_lines(std::string_view records, std::string& out);
// The same at out[used], advancing `used`: `out` is a buffer that grows and never shrinks (its
// size is its capacity; the text is its first `used` bytes).
void append_event_lines(std::string_view records, std::string& out, size_t& used);

// The event hash of a run from its events.jsonl, as the run computed it from the records: each
// line parsed back into its record (a number is 'I', a flag 'B', "time" 'T' with the line's
// ts_ns, is_decimal_field() fields 'D', any other string 'S'). What `mmhost event-hash`
// prints; `events` (optional) gets the line count. Throws
// std::runtime_error naming the line that is not an event.
uint64_t event_hash_of_lines(std::istream& in, uint64_t* events = nullptr);

}  // namespace mmh
