#include "compact_book.hpp"

#include "public_message.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>
#include <cstring>
#include <string_view>

namespace mmh::bybit {
namespace {

// The layout of a decimal's text up to its closing quote.
struct DecimalShape {
  bool ok;
  int whole_digits;  // 1-8
  int decimals;      // 0-8 after the '.'
  int length;        // up to the closing quote
};

// Reads 32 bytes (the text's padding makes that safe; the longest decimal, 8 + 1 + 8
// characters, and its quote fit); only those before the quote count.
DecimalShape decimal_shape(const char* text) {
  uint32_t quote = 0;
  uint32_t dot = 0;
  uint32_t digit = 0;
#if defined(__SSE2__)
  for (int half = 0; half < 2; ++half) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + 16 * half));
    const auto mask = [&](__m128i m) {
      return static_cast<uint32_t>(_mm_movemask_epi8(m)) << (16 * half);
    };
    quote |= mask(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    dot |= mask(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    digit |= mask(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))));
  }
#else
  for (int i = 0; i < 32; ++i) {
    quote |= static_cast<uint32_t>(text[i] == '"') << i;
    dot |= static_cast<uint32_t>(text[i] == '.') << i;
    digit |= static_cast<uint32_t>(text[i] >= '0' && text[i] <= '9') << i;
  }
#endif
  if (quote == 0) return {false, 0, 0, 0};
  const int length = __builtin_ctz(quote);
  const uint32_t before = (1u << length) - 1;  // length <= 31
  const uint32_t dots = dot & before;
  if (((digit | dots) & before) != before || (dots & (dots - 1)) != 0) return {false, 0, 0, 0};
  const int whole = dots ? __builtin_ctz(dots) : length;
  const int decimals = dots ? length - whole - 1 : 0;
  const bool ok = whole >= 1 && whole <= 8 && (dots == 0 || (decimals >= 1 && decimals <= 8));
  return {ok, whole, decimals, length};
}

// The value of `count` (1-8) ASCII digits at `text`, most significant first, in a few
// multiplications: the digits are shifted to the top of a word (zeros below) and combined
// pairwise, then in fours, then the two halves.
uint64_t eight_digits(const char* text, int count) {
  uint64_t x;
  std::memcpy(&x, text, 8);
  x = (x - 0x3030303030303030ULL) << (8 * (8 - count));  // bytes past the digits shift out
  x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;       // pairs: d0 * 10 + d1
  x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;     // fours
  return (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;        // eight
}

// Every scan below stops at the first byte it does not expect, and the '\0' after the text is
// never expected: no bounds checks needed.
struct Cursor {
  const char* p;

  bool take(char c) {
    if (*p != c) return false;
    ++p;
    return true;
  }
  // Byte by byte: a mismatch (at the latest the '\0') ends it before reading past the text.
  bool take(std::string_view literal) {
    const char* q = p;
    for (const char ch : literal)
      if (*q++ != ch) return false;
    p = q;
    return true;
  }
  // "text": printable ASCII only (no escapes, nothing a UTF-8 check could refuse).
  bool string(std::string_view& out) {
    if (*p != '"') return false;
    const char* begin = ++p;
    while (*p != '"') {
      const auto c = static_cast<unsigned char>(*p);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
      ++p;
    }
    out = std::string_view(begin, static_cast<size_t>(p - begin));
    ++p;
    return true;
  }
  // A JSON integer without sign, leading zero or fraction, at most 18 digits.
  bool integer(uint64_t& out) {
    const char* begin = p;
    uint64_t v = 0;
    while (static_cast<unsigned>(*p - '0') < 10) v = v * 10 + static_cast<unsigned>(*p++ - '0');
    const ptrdiff_t digits = p - begin;
    if (digits == 0 || digits > 18 || (digits > 1 && *begin == '0')) return false;
    if (*p != ',' && *p != '}') return false;
    out = v;
    return true;
  }
  // "decimal": 1-8 digits, optionally '.' and 1-8 more, as fixed point. Branch-free over the
  // 32 bytes after the opening quote: a loop per digit mispredicts its exit on every value.
  // Inlined so the level stays in registers (written to memory by a call and reloaded as one
  // 16-byte level, it stalled store forwarding on every level).
  [[gnu::always_inline]] bool decimal(int64_t& out) {
    if (*p != '"') return false;
    const char* begin = p + 1;
    const DecimalShape shape = decimal_shape(begin);
    if (!shape.ok) return false;
    const uint64_t whole = eight_digits(begin, shape.whole_digits);
    const uint64_t frac =
        shape.decimals ? eight_digits(begin + shape.whole_digits + 1, shape.decimals) : 0;
    out = static_cast<int64_t>(whole) * MMH_E8 +
          static_cast<int64_t>(frac) * sdk::detail::kPow10[8 - shape.decimals];
    p = begin + shape.length + 1;
    return true;
  }
  // [["price","size"],...] appended to `out`; price > 0 (size 0 deletes).
  bool levels(std::vector<mmh_book_level>& out) {
    if (!take('[')) return false;
    if (take(']')) return true;
    do {
      mmh_book_level level;
      if (!take('[') || !decimal(level.price_e8) || !take(',') || !decimal(level.qty_e8) ||
          !take(']') || level.price_e8 <= 0)
        return false;
      out.push_back(level);
    } while (take(','));
    return take(']');
  }
};

bool parse_data(Cursor& c, PublicMessage& m) {
  if (!c.take('{')) return false;
  bool have_u = false;
  do {
    std::string_view ignored;
    if (c.take("\"b\":")) {
      if (!c.levels(m.bids)) return false;
    } else if (c.take("\"a\":")) {
      if (!c.levels(m.asks)) return false;
    } else if (c.take("\"u\":")) {
      if (!c.integer(m.update_id)) return false;
      have_u = true;
    } else if (c.take("\"seq\":")) {
      if (!c.integer(m.seq)) return false;
    } else if (c.take("\"s\":")) {
      if (!c.string(ignored)) return false;
    } else {
      return false;
    }
  } while (c.take(','));
  return c.take('}') && have_u;
}

}  // namespace

bool parse_compact_book(const char* text, size_t size, PublicMessage& m) {
  Cursor c{text};
  // The topic comes first on the wire; anything else is not this path's business.
  std::string_view topic;
  if (!c.take("{\"topic\":") || !c.string(topic) || topic.rfind("orderbook.", 0) != 0) return false;
  m.kind = PublicKind::orderbook;
  m.topic.assign(topic);
  bool have_data = false;
  while (c.take(',')) {
    std::string_view type;
    uint64_t number = 0;
    if (c.take("\"type\":")) {
      if (!c.string(type)) return false;
      m.snapshot = type == "snapshot";
    } else if (c.take("\"ts\":")) {
      if (!c.integer(number)) return false;
      m.ts_ms = static_cast<int64_t>(number);
    } else if (c.take("\"cts\":")) {
      if (!c.integer(number)) return false;
      m.cts_ms = static_cast<int64_t>(number);
    } else if (c.take("\"data\":")) {
      if (!parse_data(c, m)) return false;
      have_data = true;
    } else {
      return false;
    }
  }
  if (!c.take('}') || !have_data) return false;
  while (*c.p == ' ' || *c.p == '\n' || *c.p == '\r' || *c.p == '\t') ++c.p;
  return c.p == text + size;
}

}  // namespace mmh::bybit
