// Scripts and stylesheets bundled from web/ by esbuild at build time (cmake/WebUi.cmake) and
// compiled in: the web UI that `mmhost serve` serves, and the scripts of a backtest's and a
// batch's report.html (each page one offline file).
#pragma once

#include <string_view>

namespace mmh {

std::string_view web_ui_js();
std::string_view web_ui_css();
std::string_view batch_report_js();  // uPlot and the page's code, one script
std::string_view batch_report_css();
std::string_view backtest_report_js();  // lightweight-charts and the page's code, one script
std::string_view backtest_report_css();
std::string_view charts_library_version();  // lightweight-charts', e.g. "5.2.1"

}  // namespace mmh
