// Feeds a text to a replay line parser (CandleLineParser, TradeLineParser) as the replay's file
// reader does: every line of csv_lines(), twice. For tests that hold the line parsers to the
// whole-text parsers.
#pragma once

#include "csv_series.hpp"

#include <string_view>
#include <vector>

namespace mmh::test {

// The records of the second pass; throws what the parser throws.
template <typename Record, typename Parser>
std::vector<Record> records_by_lines(Parser& parser, std::string_view text) {
  const std::vector<std::string_view> lines = replay::csv_lines(text);
  Record r{};
  for (size_t i = 0; i < lines.size(); ++i) parser.line(lines[i], i + 1, r);
  parser.start_second_pass(lines.size());
  std::vector<Record> out;
  for (size_t i = 0; i < lines.size(); ++i)
    if (parser.line(lines[i], i + 1, r)) out.push_back(r);
  return out;
}

}  // namespace mmh::test
