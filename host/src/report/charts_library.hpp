// The charting library report.html embeds: TradingView lightweight-charts (Apache-2.0), fetched
// and checksum-verified at configure time (cmake/ChartsLibrary.cmake), compiled in here.
#pragma once

#include <string_view>

namespace mmh {

std::string_view charts_library_js();       // the standalone production build
std::string_view charts_library_version();  // e.g. "5.2.1"

}  // namespace mmh
