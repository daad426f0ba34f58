// `mmhost batch SCRIPT [--jobs N] [--out DIR]` runs a batch script (docs/batch.md);
// `mmhost batch --report DIR` rewrites DIR/report.html from DIR/results.sqlite.
#pragma once

#include <ostream>
#include <string>

namespace mmh {
class HostContext;
}

namespace mmh::batch {

struct BatchOptions {
  std::string script;
  unsigned jobs = 0;       // 0 = one per core
  std::string out_dir;     // default: batch/<script name>
  std::string report_dir;  // --report: only write the report of this output directory
  std::string objectives = "net_pnl:max,max_drawdown_pct:min";  // the report's Pareto front
  bool progress = true;
};

// Exit code: 0 done, 1 failed (message on `err`), 130 interrupted (finished runs kept).
int run_batch(HostContext& host, const BatchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mmh::batch
