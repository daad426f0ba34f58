#include "app/run_recovery.hpp"

#include "journal/journal.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace mmh {

void write_run_identity(const std::filesystem::path& run_dir, const RunIdentity& id) {
  const nlohmann::ordered_json j = {{"format", 1},
                                    {"strategy", id.strategy},
                                    {"mode", id.mode},
                                    {"order_prefix", id.order_prefix},
                                    {"started_ns", id.started_ns},
                                    {"start_base", format_e18(id.start_base_e18)},
                                    {"start_quote", format_e18(id.start_quote_e18)}};
  const std::filesystem::path file = run_dir / "run.json";
  const std::filesystem::path temp = run_dir / ".run.json.tmp";
  const std::string text = j.dump(2) + "\n";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (ok) std::filesystem::rename(temp, file, ec);
  if (!ok || ec) throw std::runtime_error(file.string() + ": cannot write the run's identity");
}

RunIdentity read_run_identity(const std::filesystem::path& run_dir) {
  const std::filesystem::path file = run_dir / "run.json";
  if (!std::filesystem::exists(file))
    throw std::runtime_error(file.string() +
                             ": no such file: only a paper or live run started by this mmhost "
                             "can be resumed (its run directory has run.json and journal/)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(sdk::read_regular_file(file.string(), 64 * 1024));
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  RunIdentity id;
  try {
    if (j.at("format").get<int>() != 1) throw std::runtime_error("unknown format");
    id.strategy = j.at("strategy").get<std::string>();
    id.mode = j.at("mode").get<std::string>();
    id.order_prefix = j.at("order_prefix").get<std::string>();
    id.started_ns = j.at("started_ns").get<int64_t>();
    const auto base = decimal_to_e18(sdk::decimal_from_text(j.at("start_base").get<std::string>()));
    const auto quote =
        decimal_to_e18(sdk::decimal_from_text(j.at("start_quote").get<std::string>()));
    if (!base || !quote) throw std::runtime_error("start_base/start_quote are not amounts");
    id.start_base_e18 = *base;
    id.start_quote_e18 = *quote;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": not a run identity this mmhost reads (" + e.what() +
                             ")");
  }
  if (id.order_prefix.empty() || (id.mode != "paper" && id.mode != "live"))
    throw std::runtime_error(file.string() + ": no order prefix, or a mode other than paper/live");
  return id;
}

RecoveredRun recover_run(const std::filesystem::path& run_dir, const std::string& order_prefix) {
  RecoveredRun out;
  const std::string id_start = order_prefix + "-";
  for (const auto& file : journal_files(run_dir)) {
    const JournalFileScan scan = read_journal_file(file, [&](const JournalRecord& r) {
      ++out.records;
      if (r.kind == kJournalLedgerStart && !out.ledger_started &&
          r.payload.size() >= 2 * sizeof(int64_t)) {
        out.ledger_started = true;
        std::memcpy(&out.start_ts_ns, r.payload.data(), sizeof(int64_t));
        std::memcpy(&out.start_mid_e8, r.payload.data() + sizeof(int64_t), sizeof(int64_t));
      } else if (r.kind == MMH_EVENT_FILL) {
        mmh_fill f{};
        std::memcpy(&f, r.payload.data(), std::min(r.payload.size(), sizeof(f)));
        const std::string exec_id(f.exec_id, strnlen(f.exec_id, sizeof(f.exec_id)));
        // A fill the journal holds twice (a replayed report) counts once.
        if (!exec_id.empty() && !out.exec_ids.insert(exec_id).second) return;
        out.fills.push_back(f);
      } else if (r.kind == MMH_EVENT_ORDER_COMMAND) {
        mmh_order_command c{};
        std::memcpy(&c, r.payload.data(), std::min(r.payload.size(), sizeof(c)));
        const std::string_view id(c.client_id, strnlen(c.client_id, sizeof(c.client_id)));
        if (id.substr(0, id_start.size()) != id_start) return;
        uint64_t n = 0;
        const std::string_view digits = id.substr(id_start.size());
        const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (parsed.ec == std::errc() && parsed.ptr == digits.data() + digits.size())
          out.last_order_number = std::max(out.last_order_number, n);
      }
    });
    out.torn_bytes += scan.file_bytes - scan.good_bytes;
  }
  return out;
}

}  // namespace mmh
