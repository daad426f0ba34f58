// `mmhost journal RUN_DIR`: what a run's journal holds (files, records by kind, time span, a
// torn tail) or, with --json, its records as JSON lines.
#pragma once

#include <ostream>
#include <string>

namespace mmh {

struct JournalCommandOptions {
  std::string run_dir;
  bool json = false;  // export records as JSON lines
  std::string kind;   // only records of this kind ("fill", "order_command", "note", ...)
};

// Exit code: 0, or 1 when the directory has no journal or a file is not one.
int run_journal_command(const JournalCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mmh
