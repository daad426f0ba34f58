// report.html of a batch: one offline page with every run of the results database in a sortable
// table, a parameter-vs-metric scatter (both chosen on the page) and the Pareto front of two
// objectives, drawn with the same embedded charting library as the backtest report.
#pragma once

#include "batch/result_store.hpp"
#include "batch/search_space.hpp"

#include <string>
#include <vector>

namespace mmh::batch {

std::string batch_report_html(const std::vector<RunRecord>& rows,
                              const std::vector<Objective>& objectives, const std::string& title);

}  // namespace mmh::batch
