// The run journal: records round-trip, a torn or corrupt tail is found and cut (never misread),
// files rotate by UTC day.
#include "journal/journal.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace mmh;

namespace {

constexpr int64_t kDay = 86'400'000'000'000;
constexpr int64_t kT0 = 20'000 * kDay + 3'600'000'000'000;  // 2024-10-04T01:00Z

std::vector<nlohmann::json> read_all(const std::filesystem::path& dir,
                                     std::vector<JournalFileScan>* scans = nullptr) {
  std::vector<nlohmann::json> out;
  for (const auto& file : journal_files(dir)) {
    const JournalFileScan scan = read_journal_file(file, [&](const JournalRecord& r) {
      out.push_back(nlohmann::json::parse(journal_record_json(r)));
    });
    if (scans != nullptr) scans->push_back(scan);
  }
  return out;
}

void write_sample(JournalWriter& w) {
  mmh_trade t{};
  t.ts_ns = kT0 - 5;
  t.price_e8 = 250'000'000'000;
  t.qty_e8 = 1'000'000;
  w.append_batch(mmh_batch{sizeof(mmh_batch), MMH_EVENT_TRADE, sizeof(t), 0, 1, &t}, kT0);
  const mmh_book_level bids[2] = {{249'900'000'000, 5}, {249'800'000'000, 6}};
  const mmh_book_level asks[1] = {{250'100'000'000, 7}};
  mmh_book_update u{};
  u.ts_ns = kT0 - 3;
  u.update_id = 42;
  u.bid_count = 2;
  u.ask_count = 1;
  u.bids = bids;
  u.asks = asks;
  w.append_batch(mmh_batch{sizeof(mmh_batch), MMH_EVENT_BOOK_DELTA, sizeof(u), 0, 1, &u}, kT0 + 1);
  mmh_order_command c{};
  c.action = MMH_ORDER_ACTION_PLACE;
  c.side = MMH_SIDE_BUY;
  c.price_ticks = 249'900;
  c.qty_lots = 100;
  std::snprintf(c.client_id, sizeof(c.client_id), "mmh-abc-1");
  w.append(MMH_EVENT_ORDER_COMMAND, kT0 + 2, 0, &c, sizeof(c));
  w.sync();  // an intent is on disk before its request leaves
  w.note(kT0 + 3, "halted: operator");
}

}  // namespace

TEST_CASE("journal: records read back as they were written") {
  const mmh::test::TempDir dir;
  {
    JournalWriter w(dir.path());
    write_sample(w);
    CHECK(w.records() == 4);
  }
  std::vector<JournalFileScan> scans;
  const auto records = read_all(dir.path(), &scans);
  REQUIRE(records.size() == 4);
  REQUIRE(scans.size() == 1);
  CHECK(scans[0].tail_problem.empty());
  CHECK(scans[0].good_bytes == scans[0].file_bytes);
  CHECK(records[0]["kind"] == "trade");
  CHECK(records[0]["exchange_ns"] == kT0 - 5);
  CHECK(records[0]["local_ns"] == kT0);
  CHECK(records[0]["price_e8"] == 250'000'000'000);
  CHECK(records[1]["kind"] == "book_delta");
  CHECK(records[1]["bids"] == nlohmann::json::array({{249'900'000'000, 5}, {249'800'000'000, 6}}));
  CHECK(records[1]["asks"] == nlohmann::json::array({{250'100'000'000, 7}}));
  CHECK(records[2]["kind"] == "order_command");
  CHECK(records[2]["client_id"] == "mmh-abc-1");
  CHECK(records[2]["qty_lots"] == 100);
  CHECK(records[3]["kind"] == "note");
  CHECK(records[3]["text"] == "halted: operator");
  CHECK(journal_files(dir.path())[0].filename() == "2024-10-04.mmj");
}

TEST_CASE("journal: a torn tail is found, never misread, and cut when the run appends again") {
  const mmh::test::TempDir dir;
  {
    JournalWriter w(dir.path());
    write_sample(w);
  }
  const auto file = journal_files(dir.path()).at(0);
  const auto whole = std::filesystem::file_size(file);
  SUBCASE("a record cut short (a crash during a write)") {
    std::filesystem::resize_file(file, whole - 3);
  }
  SUBCASE("garbage after the last record") {
    std::ofstream(file, std::ios::binary | std::ios::app) << std::string(50, '\xff');
  }
  std::vector<JournalFileScan> scans;
  auto records = read_all(dir.path(), &scans);
  CHECK_FALSE(scans.at(0).tail_problem.empty());
  CHECK(scans.at(0).good_bytes < scans.at(0).file_bytes);
  CHECK(records.size() <= 4);
  CHECK(records.size() >= 3);
  const size_t before = records.size();
  {
    JournalWriter w(dir.path());
    w.note(kT0 + 10, "resumed");
    w.flush();
    CHECK(w.bytes_cut() > 0);
  }
  scans.clear();
  records = read_all(dir.path(), &scans);
  CHECK(scans.at(0).tail_problem.empty());
  REQUIRE(records.size() == before + 1);
  CHECK(records.back()["text"] == "resumed");
}

TEST_CASE("journal: a record whose CRC does not match stops the reading there") {
  const mmh::test::TempDir dir;
  {
    JournalWriter w(dir.path());
    write_sample(w);
  }
  const auto file = journal_files(dir.path()).at(0);
  {
    // Flip one byte inside the second record's payload (header 32 + trade record).
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    const std::streamoff second = 32 + 24 + static_cast<std::streamoff>(sizeof(mmh_trade)) + 4;
    f.seekp(second + 24 + 8);
    f.put('\x55');
  }
  std::vector<JournalFileScan> scans;
  const auto records = read_all(dir.path(), &scans);
  CHECK(records.size() == 1);
  CHECK(scans.at(0).tail_problem == "a record whose CRC does not match");
}

TEST_CASE("journal: one file per UTC day, and a file that is not a journal is refused") {
  const mmh::test::TempDir dir;
  {
    JournalWriter w(dir.path());
    w.note(kT0, "day one");
    w.note(kT0 + kDay, "day two");
  }
  const auto files = journal_files(dir.path());
  REQUIRE(files.size() == 2);
  CHECK(files[0].filename() == "2024-10-04.mmj");
  CHECK(files[1].filename() == "2024-10-05.mmj");
  CHECK(read_all(dir.path()).size() == 2);
  std::ofstream(dir.path() / "journal" / "2024-10-06.mmj") << "hello";
  CHECK_THROWS_AS(read_all(dir.path()), JournalError);
}

TEST_CASE("journal: fills and balances export their amounts at the venue's precision") {
  const mmh::test::TempDir dir;
  {
    JournalWriter w(dir.path());
    mmh_fill f{};
    f.ts_ns = kT0;
    f.fee = mmh_decimal{128857, -8, 0};
    std::snprintf(f.fee_asset, sizeof(f.fee_asset), "ETH");
    w.append(MMH_EVENT_FILL, kT0, f.ts_ns, &f, sizeof(f));
    mmh_balance b{};
    b.free = mmh_decimal{-1234500, -12, 0};
    b.locked = mmh_decimal{15, 2, 0};
    w.append(MMH_EVENT_BALANCE, kT0, 0, &b, sizeof(b));
  }
  const auto records = read_all(dir.path());
  REQUIRE(records.size() == 2);
  CHECK(records[0]["fee"] == "0.00128857");
  CHECK(records[0]["fee_asset"] == "ETH");
  CHECK(records[1]["free"] == "-0.0000012345");
  CHECK(records[1]["locked"] == "1500");
}
