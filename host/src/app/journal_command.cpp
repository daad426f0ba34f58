#include "app/journal_command.hpp"

#include "app/format.hpp"
#include "engine/event_time.hpp"
#include "journal/journal.hpp"

#include <climits>
#include <map>

namespace mmh {
namespace {

std::string kind_name(uint16_t kind) {
  return kind == kJournalNote          ? "note"
         : kind == kJournalLedgerStart ? "ledger_start"
                                       : event_kind_name(kind);
}

}  // namespace

int run_journal_command(const JournalCommandOptions& options, std::ostream& out,
                        std::ostream& err) {
  const auto files = journal_files(options.run_dir);
  if (files.empty()) {
    err << "mmhost journal: " << options.run_dir
        << " has no journal (journal/*.mmj): paced, paper and live runs write one\n";
    return 1;
  }
  std::map<std::string, uint64_t> by_kind;
  int64_t first_ns = INT64_MAX, last_ns = INT64_MIN;
  uint64_t records = 0;
  for (const auto& file : files) {
    JournalFileScan scan;
    try {
      scan = read_journal_file(file, [&](const JournalRecord& r) {
        const std::string kind = kind_name(r.kind);
        if (!options.kind.empty() && kind != options.kind) return;
        ++records;
        ++by_kind[kind];
        first_ns = std::min(first_ns, r.local_ns);
        last_ns = std::max(last_ns, r.local_ns);
        if (options.json) out << journal_record_json(r) << "\n";
      });
    } catch (const JournalError& e) {
      err << "mmhost journal: " << e.what() << "\n";
      return 1;
    }
    if (!options.json)
      out << file.filename().string() << "  " << with_commas(scan.records) << " records, "
          << with_commas(scan.good_bytes) << " bytes"
          << (scan.tail_problem.empty() ? std::string()
                                        : "; then " + scan.tail_problem + ": " +
                                              with_commas(scan.file_bytes - scan.good_bytes) +
                                              " bytes not read (a run appending here cuts them)")
          << "\n";
    else if (!scan.tail_problem.empty())
      err << file.string() << ": " << scan.tail_problem << " at byte " << scan.good_bytes
          << ": the rest is not read\n";
  }
  if (options.json) return 0;
  out << "records   " << with_commas(records)
      << (options.kind.empty() ? "" : " of kind " + options.kind) << "\n";
  if (records > 0) out << "span      " << iso_time(first_ns) << " to " << iso_time(last_ns) << "\n";
  for (const auto& [kind, n] : by_kind) out << "  " << kind << "  " << with_commas(n) << "\n";
  return 0;
}

}  // namespace mmh
