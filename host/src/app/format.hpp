// Small text formatting helpers for command output (not logging).
#pragma once

#include <mmhost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mmh {

std::string with_commas(uint64_t value);         // 130708 -> "130,708"
std::string iso_time(int64_t ts_ns);             // "2025-05-20T00:01:00Z" (ms shown when not whole)
std::string fixed(double value, int decimals);   // printf("%.*f")
std::string human_rate(double per_second);       // "12.3M"
std::string json_escape(std::string_view text);  // contents of a JSON string, without quotes
// A positive ABI decimal of at most 8 places as text ("0.01"); empty for anything else.
std::string step_text(const mmh_decimal& d);
// The same two, written at `out` (room: kIsoTimeMaxChars; 6 bytes per byte of text) and
// returning the end: the event log writes hundreds of thousands of lines per run, and building
// them from string temporaries was a fifth of a backtest's time.
constexpr size_t kIsoTimeMaxChars = 48;
char* write_iso_time(char* out, int64_t ts_ns);
char* write_json_escaped(char* out, std::string_view text);
// "[########......]  42.0%": a progress bar for a terminal line; fraction is clamped to [0, 1].
std::string progress_bar(double fraction, int width = 30);

}  // namespace mmh
