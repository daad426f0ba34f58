// What `POST /runs` accepts, checked field by field, and the mmhost command line a worker runs
// for it. Kinds: `backtest_mm_mtf` (the seed's {"name","kind","cli_args":[...]}), `backtest`
// (structured: strategy path or inline text, data, range, fill model, fees, latency; cli_args
// too), `batch` (a batch script) and `fetch` (candles from a venue into the server's data). Paths
// may only name files under the allowed roots (the strategies and scripts shipped with mmhost, the
// data directories): a request cannot make a worker read anything else. The job key hashes every
// input (the command line, the bytes of each file it reads, mmhost and its plugins), so the same
// job posted twice is one run.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace mmh::api {

// A 4xx answer: the field at fault ("cli_args[3]", "strategy") and what was expected.
class SpecError : public std::runtime_error {
 public:
  SpecError(std::string field, const std::string& message)
      : std::runtime_error(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

struct SpecContext {
  std::filesystem::path source_dir;               // strategies/ and scripts/ are looked up here
  std::vector<std::filesystem::path> data_roots;  // data files must lie under one of these
  std::filesystem::path inline_dir;  // where inline strategy texts are kept (by content hash)
  std::string build_hash;            // mmhost and its plugins (sha256 of their hashes)
  std::filesystem::path fetch_dir;   // where `fetch` runs write their candles (a data root)
};

struct JobSpec {
  std::string name;
  std::string kind;
  std::vector<std::string> argv;  // mmhost's arguments, without --out
  std::vector<std::string> input_files;
  nlohmann::json normalized;  // the request as understood (stored with the run)
};

JobSpec parse_job(const nlohmann::json& body, const SpecContext& context);

// A sweep (kind `sweep`): the fields of a backtest, plus `grid` ({"grid.levels": [3, 4, 5], ...},
// every combination) or `sets` ([{"grid.levels": 3}, ...]). One child backtest per parameter set
// (`mmhost backtest ... --set NAME=VALUE`); the parent is the sweep itself.
struct SweepSpec {
  JobSpec parent;
  std::vector<JobSpec> children;
};
constexpr size_t kMaxSweepRuns = 10000;
SweepSpec parse_sweep(const nlohmann::json& body, const SpecContext& context);

// The run id: SHA-256 (hex, first 32 characters) of the kind, the command line, the content of
// every input file and the build. A sweep's: of its children's.
std::string job_key(const JobSpec& spec, const SpecContext& context);
std::string sweep_key(const std::vector<std::string>& child_keys);

// The default candle file for a symbol and execution interval ("1" = 1m) under the data roots:
// of the files named <...>_spot_<SYMBOL>_<N>m_<first day>_<last day> (or <SYMBOL>_<N>m_...),
// one whose days cover [start, end) when given, then the largest; "" when none.
std::string find_candles(const SpecContext& context, const std::string& symbol,
                         const std::string& ltf_minutes, const std::string& start = "",
                         const std::string& end = "");

}  // namespace mmh::api
