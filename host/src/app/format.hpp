// Small text formatting helpers for command output (not logging).
#pragma once

#include <mmhost/plugin.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mmh {

std::string with_commas(uint64_t value);         // 130708 -> "130,708"
std::string iso_time(int64_t ts_ns);             // "2025-05-20T00:01:00Z" (ms shown when not whole)
std::string fixed(double value, int decimals);   // printf("%.*f")
std::string human_rate(double per_second);       // "12.3M"
std::string json_escape(std::string_view text);  // contents of a JSON string, without quotes
// A positive ABI decimal of at most 8 places as text ("0.01"); empty for anything else.
std::string step_text(const mmh_decimal& d);
// The same two, written at `out` (room: kIsoTimeMaxChars; 6 bytes per byte of text) and
// returning the end: the event log writes hundreds of thousands of lines per run, and building
// them from string temporaries was a fifth of a backtest's time.
constexpr size_t kIsoTimeMaxChars = 48;
char* write_iso_time(char* out, int64_t ts_ns);
char* write_json_escaped(char* out, std::string_view text);

// Whether any of the 8 bytes of `x` needs an escape: a control (< 0x20), '"' or '\\'. Exact for
// "any" (the classic has-zero-byte tests; bytes >= 0x80 are never flagged as controls).
constexpr bool json_word_needs_escape(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t control = (x - 0x20 * kOnes) & ~x & kHigh;
  const uint64_t q = x ^ (uint64_t{'"'} * kOnes);
  const uint64_t b = x ^ (uint64_t{'\\'} * kOnes);
  return (control | ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh)) != 0;
}

// write_json_escaped for texts in a larger buffer that stays readable up to `readable_end` (it
// may read, never use, bytes past the text), into room of at least max(8, 6 per byte of text):
// a text of under eight bytes (most of an event line's) is checked and copied as one word here.
inline char* write_json_escaped(char* out, std::string_view text, const char* readable_end) {
  const size_t n = text.size();
  if constexpr (std::endian::native == std::endian::little) {
    if (n < 8 && readable_end - text.data() >= 8) {
      uint64_t x;
      std::memcpy(&x, text.data(), 8);
      // The bytes past the text read as 'a' (plain): only the text's own bytes are checked.
      const uint64_t mine = n == 0 ? 0 : ~uint64_t{0} >> (64 - 8 * n);
      if (!json_word_needs_escape((x & mine) | (0x6161616161616161ULL & ~mine))) {
        std::memcpy(out, &x, 8);
        return out + n;
      }
    }
  }
  return write_json_escaped(out, text);
}
// The text of the last value rendered, kept until the value changes: a run's files repeat most
// values from one line to the next (a bar's ts_ns, the holdings until a fill). Keys compare with
// ==, so doubles go in by their bits (-0.0 keeps its own text).
template <typename Key, size_t Capacity>
class KeptText {
 public:
  static constexpr size_t kCapacity = Capacity;
  // The text of `key`; `render(char* out, Key key) -> char* end` writes it (at most Capacity
  // bytes) only when `key` is not the last one. The view lasts until the next call.
  template <typename Render>
  std::string_view of(Key key, Render render) {
    if (size_ == 0 || key != key_) {
      key_ = key;
      size_ = static_cast<size_t>(render(text_, key) - text_);
    }
    return {text_, size_};
  }

 private:
  Key key_{};
  size_t size_ = 0;  // 0: nothing rendered yet
  char text_[Capacity] = {};
};

// printf("%.4f") of `value`, exactly (to_chars rounds as printf does), at `out` (room: 320, the
// longest fixed form of a double); returns the end. Numbers below 1e9 not within a hair of a
// rounding tie take an integer path (a tenth of to_chars' cost); the rest go to to_chars.
constexpr size_t kFixed4MaxChars = 320;
char* write_fixed4(char* out, double value);
// "[########......]  42.0%": a progress bar for a terminal line; fraction is clamped to [0, 1].
std::string progress_bar(double fraction, int width = 30);

}  // namespace mmh
