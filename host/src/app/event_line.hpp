// One event of a run's record, built field by field in two forms at once: the canonical binary
// record the event hash is taken over (always), and its events.jsonl line (only when a file is
// written: a batch or a summary-only run never renders text). ADR 0031.
//
// The record, per field in the order written: the key's bytes, a type byte, then the value:
//   'S' string: u32 length (little-endian) + bytes     'I' integer: i64
//   'T' time: i64 ns (the line shows it as ISO-8601)   'D' decimal: i64 in units of 1e-8
//   'B' flag: one byte 0/1
// and '\n' ends the record. The line renders the same fields as `{"key":value,...}\n`. The two
// are functions of the same values, so equal records mean equal lines.
#pragma once

#include "app/format.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <istream>
#include <string_view>
#include <vector>

namespace mmh {

// The fields written with EventLine::e8: what tells a decimal ('D') from text ('S') when a line
// is read back (event_hash_of_lines). A new decimal field is added here (e8 asserts it).
constexpr bool is_decimal_field(std::string_view key) {
  return key == "price" || key == "qty" || key == "filled" || key == "base" || key == "quote";
}

class EventLine {
 public:
  // `text` null: no line is rendered. The record is appended to `record` at `record_used`
  // (which it advances; the vector grows, never shrinks: no zeroing per field).
  EventLine(std::vector<char>* text, std::vector<char>& record, size_t& record_used)
      : t_(text), r_(record), rn_(record_used) {
    if (t_ != nullptr) {
      *troom(1) = '{';
      tn_ = 1;
    }
  }
  template <size_t N>
  EventLine& str(const char (&key)[N], std::string_view value) {
    char* r = rkey(key, 'S', 4 + value.size());
    const auto len = static_cast<uint32_t>(value.size());
    std::memcpy(r, &len, 4);
    std::memcpy(r + 4, value.data(), value.size());
    if (t_ != nullptr) {
      char* p = tkey(key, 2 + 6 * value.size());
      *p++ = '"';
      p = write_json_escaped(p, value);
      *p++ = '"';
      tend(p);
    }
    return *this;
  }
  template <size_t N>
  EventLine& time(const char (&key)[N], int64_t ts_ns) {  // ISO-8601 UTC text
    return quoted(key, 'T', ts_ns, kIsoTimeMaxChars, &write_iso_time);
  }
  template <size_t N>
  EventLine& e8(const char (&key)[N], int64_t value_e8) {  // exact decimal text
    assert(is_decimal_field(key));
    return quoted(key, 'D', value_e8, sdk::kE8MaxChars, &sdk::write_e8);
  }
  template <size_t N>
  EventLine& num(const char (&key)[N], int64_t value) {
    std::memcpy(rkey(key, 'I', 8), &value, 8);
    if (t_ != nullptr) {
      char* p = tkey(key, 24);
      tend(std::to_chars(p, p + 24, value).ptr);
    }
    return *this;
  }
  template <size_t N>
  EventLine& flag(const char (&key)[N], bool value) {
    *rkey(key, 'B', 1) = value ? 1 : 0;
    if (t_ != nullptr) {
      char* p = tkey(key, 5);
      tend(value ? std::copy_n("true", 4, p) : std::copy_n("false", 5, p));
    }
    return *this;
  }
  // Ends the record; returns the line with its '\n' (empty without text), valid until the text
  // buffer's next line.
  std::string_view done() {
    *rroom(1) = '\n';
    ++rn_;
    if (t_ == nullptr) return {};
    char* p = troom(2);
    *p++ = '}';
    *p++ = '\n';
    tend(p);
    return {t_->data(), tn_};
  }

 private:
  // An i64 in the record, its text quoted in the line (written by `write`, at most `room`).
  template <size_t N>
  EventLine& quoted(const char (&key)[N], char type, int64_t value, size_t room,
                    char* (*write)(char*, int64_t)) {
    std::memcpy(rkey(key, type, 8), &value, 8);
    if (t_ != nullptr) {
      char* p = tkey(key, 2 + room);
      *p++ = '"';
      p = write(p, value);
      *p++ = '"';
      tend(p);
    }
    return *this;
  }
  // Room for `extra` more bytes after the first `used` of `b` (it grows, never shrinks). The
  // check is inline at every field; the growth, rare, is not.
  static char* room(std::vector<char>& b, size_t used, size_t extra) {
    if (used + extra > b.size()) [[unlikely]]
      grow(b, used + extra);
    return b.data() + used;
  }
  [[gnu::noinline]] static void grow(std::vector<char>& b, size_t size) {
    b.resize(std::max(2 * b.size(), size));
  }
  template <size_t N>
  char* rkey(const char (&key)[N], char type, size_t value_size) {
    char* p = rroom(N + value_size);  // key bytes (N - 1) + the type byte + the value
    rn_ += N + value_size;
    std::memcpy(p, key, N - 1);
    p[N - 1] = type;
    return p + N;
  }
  char* rroom(size_t extra) { return room(r_, rn_, extra); }
  char* troom(size_t extra) { return room(*t_, tn_, extra); }
  template <size_t N>
  char* tkey(const char (&key)[N], size_t value_room) {  // writes ,"key": and leaves room
    char* p = troom(N + 3 + value_room);
    if (tn_ > 1) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, key, N - 1);
    p += N - 1;
    *p++ = '"';
    *p++ = ':';
    return p;
  }
  void tend(const char* p) { tn_ = static_cast<size_t>(p - t_->data()); }

  std::vector<char>* t_;
  std::vector<char>& r_;
  size_t& rn_;
  size_t tn_ = 0;
};

// The event hash of a run from its events.jsonl, as the run computed it from the records: each
// line parsed back into its record (a number is 'I', a flag 'B', "time" 'T' with the line's
// ts_ns, is_decimal_field() fields 'D', any other string 'S'). What `mmhost event-hash`
// prints; `events` (optional) gets the line count. Throws
// std::runtime_error naming the line that is not an event.
uint64_t event_hash_of_lines(std::istream& in, uint64_t* events = nullptr);

}  // namespace mmh
