// Restarting a paper or live run where it stopped (`mmhost run ... --resume RUN_DIR`): who the
// run is (run.json: its order-id prefix, start time and start wallet) and what its journal
// says it did (the ledger's start mark, every fill once, the last order id it used).
#pragma once

#include "ledger/amount.hpp"

#include <mmhost/plugin.h>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace mmh {

// RUN_DIR/run.json, written when a paper or live run starts fresh.
struct RunIdentity {
  std::string strategy;      // the script's path as given
  std::string mode;          // "paper" or "live"
  std::string order_prefix;  // every order id of the run starts with it and '-'
  int64_t started_ns = 0;    // executions before it are not the run's
  amount_e18 start_base_e18 = 0;
  amount_e18 start_quote_e18 = 0;
};

// Atomically (write, fsync, rename). Throws std::runtime_error naming the file.
void write_run_identity(const std::filesystem::path& run_dir, const RunIdentity& id);
// Throws std::runtime_error saying what is missing or wrong.
RunIdentity read_run_identity(const std::filesystem::path& run_dir);

// What the journal of a run says it did.
struct RecoveredRun {
  bool ledger_started = false;  // the ledger's start mark (the first live mid)
  int64_t start_ts_ns = 0;
  int64_t start_mid_e8 = 0;
  std::vector<mmh_fill> fills;     // every fill, once, in the order taken
  std::set<std::string> exec_ids;  // theirs
  uint64_t last_order_number = 0;  // the highest n of "<prefix>-<n>" intents
  uint64_t records = 0;
  uint64_t torn_bytes = 0;  // a tail a crash left, not read (the run cuts it when it appends)
};

RecoveredRun recover_run(const std::filesystem::path& run_dir, const std::string& order_prefix);

}  // namespace mmh
