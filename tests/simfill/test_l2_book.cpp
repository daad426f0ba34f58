#include "l2_book.hpp"
#include "test_support.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>
#include <zlib.h>

#include <filesystem>
#include <string>
#include <vector>

using mmh::sim::L2Book;

namespace {

constexpr int64_t kE8 = MMH_E8;

// Reads a gzip CSV line by line (header skipped), split on commas.
class GzCsv {
 public:
  explicit GzCsv(const std::string& path) : f_(gzopen(path.c_str(), "rb")) {
    std::vector<std::string> header;
    if (f_ != nullptr) next(header);
  }
  ~GzCsv() {
    if (f_ != nullptr) gzclose(f_);
  }
  GzCsv(const GzCsv&) = delete;
  GzCsv& operator=(const GzCsv&) = delete;
  bool ok() const { return f_ != nullptr; }
  bool next(std::vector<std::string>& fields) {
    if (gzgets(f_, buf_, sizeof(buf_)) == nullptr) return false;
    fields.clear();
    std::string cur;
    for (const char* p = buf_; *p != '\0' && *p != '\n'; ++p) {
      if (*p == ',') {
        fields.push_back(cur);
        cur.clear();
      } else {
        cur += *p;
      }
    }
    fields.push_back(cur);
    return true;
  }

 private:
  gzFile f_;
  char buf_[512];
};

int64_t e8(const std::string& text) {
  int64_t v = 0;
  REQUIRE(mmh::sdk::parse_e8(text, v) == mmh::sdk::ParseDecimal::ok);
  return v;
}

}  // namespace

TEST_CASE("l2 book: levels are set, removed and walked best first") {
  L2Book book;
  book.set_bid(100 * kE8, 2 * kE8);
  book.set_bid(99 * kE8, 5 * kE8);
  book.set_ask(101 * kE8, 1 * kE8);
  book.set_ask(102 * kE8, 3 * kE8);
  CHECK(book.best_bid_e8() == 100 * kE8);
  CHECK(book.best_ask_e8() == 101 * kE8);
  book.set_bid(100 * kE8, 0);
  CHECK(book.best_bid_e8() == 99 * kE8);
  CHECK(book.bid_qty_e8(100 * kE8) == 0);
  std::vector<std::pair<int64_t, int64_t>> takes;
  const int64_t got =
      book.walk(true, 3 * kE8, 0, [&](int64_t p, int64_t q) { takes.emplace_back(p, q); });
  CHECK(got == 3 * kE8);
  REQUIRE(takes.size() == 2);
  CHECK(takes[0] == std::pair<int64_t, int64_t>{101 * kE8, 1 * kE8});
  CHECK(takes[1] == std::pair<int64_t, int64_t>{102 * kE8, 2 * kE8});
  CHECK(book.walk(true, 10 * kE8, 101 * kE8, nullptr) == 1 * kE8);  // the limit stops it
  CHECK(book.walk(false, 10 * kE8, 0, nullptr) == 5 * kE8);         // all there is
}

TEST_CASE("l2 book: rebuilt from the Binance ETHUSDT depth file it matches bookTicker") {
  const std::string depth = mmh::test::shared_data(
      "book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz");
  const std::string bbo = mmh::test::shared_data(
      "book/binance_spot_ETHUSDT_bbo_2024-08-08T235414_2024-08-09T000504.csv.gz");
  REQUIRE_MESSAGE(std::filesystem::exists(depth), "missing real data: ", depth);
  GzCsv d(depth);
  GzCsv b(bbo);
  REQUIRE(d.ok());
  REQUIRE(b.ok());

  L2Book book;
  std::vector<std::string> row, quote;
  bool have_row = d.next(row);
  bool have_quote = b.next(quote);
  uint64_t applied_to = 0;  // last_update_id of the last message applied
  int checks = 0, mismatches = 0;
  while (have_quote) {
    const uint64_t quote_id = std::stoull(quote[1]);
    // Apply every depth message that ends at or before this quote's update id.
    while (have_row && std::stoull(row[7]) <= quote_id) {
      const uint64_t last = std::stoull(row[7]);
      const int64_t price = e8(row[4]);
      const int64_t qty = e8(row[5]);
      if (row[3] == "b")
        book.set_bid(price, qty);
      else
        book.set_ask(price, qty);
      applied_to = last;
      have_row = d.next(row);
    }
    // The ids line up: the book is exactly as of this quote (no later message partly applied).
    if (applied_to == quote_id) {
      ++checks;
      const bool same =
          book.best_bid_e8() == e8(quote[2]) && book.best_bid_qty_e8() == e8(quote[3]) &&
          book.best_ask_e8() == e8(quote[4]) && book.best_ask_qty_e8() == e8(quote[5]);
      if (!same) ++mismatches;
    }
    have_quote = b.next(quote);
  }
  MESSAGE("bookTicker checks where update ids line up: ", checks);
  CHECK(checks > 1000);
  CHECK(mismatches == 0);
  CHECK(book.bid_levels() > 500);
}
