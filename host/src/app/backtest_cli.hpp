// The options of `mmhost backtest`, defined once for the command line and for the backtest
// worker that serve keeps between the backtests of a slot (the same parse, the same errors).
#pragma once

#include "app/backtest_command.hpp"

#include <CLI/CLI.hpp>

namespace mmh {

// Adds the `backtest` subcommand to `app`, parsing into `bt` and `no_progress`.
CLI::App* add_backtest_command(CLI::App& app, BacktestOptions& bt, bool& no_progress);

}  // namespace mmh
