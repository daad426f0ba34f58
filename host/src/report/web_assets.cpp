#include "report/web_assets.hpp"

// .incbin keeps the bundles out of the compiler's hands; the paths come from cmake/WebUi.cmake.
// The labels are global (hidden): with link-time optimisation the functions below may land in
// another partition than this asm.
#define MMH_INCBIN(name, file)                                                            \
  ".globl " #name "_begin\n.hidden " #name "_begin\n.globl " #name "_end\n.hidden " #name \
  "_end\n.balign 16\n" #name                                                              \
  "_begin:\n"                                                                             \
  ".incbin \"" file "\"\n" #name "_end:\n.byte 0\n"
__asm__(".section .rodata\n" MMH_INCBIN(mmh_ui_js, MMHOST_WEB_DIR "/app.js")
            MMH_INCBIN(mmh_ui_css, MMHOST_WEB_DIR "/app.css")
                MMH_INCBIN(mmh_batch_js, MMHOST_WEB_DIR "/batch_report.js")
                    MMH_INCBIN(mmh_batch_css, MMHOST_WEB_DIR "/batch_report.css")
                        MMH_INCBIN(mmh_backtest_js, MMHOST_WEB_DIR "/backtest_report.js")
                            MMH_INCBIN(mmh_backtest_css,
                                       MMHOST_WEB_DIR "/backtest_report.css") ".previous\n");

extern "C" const char mmh_ui_js_begin[], mmh_ui_js_end[], mmh_ui_css_begin[], mmh_ui_css_end[],
    mmh_batch_js_begin[], mmh_batch_js_end[], mmh_batch_css_begin[], mmh_batch_css_end[],
    mmh_backtest_js_begin[], mmh_backtest_js_end[], mmh_backtest_css_begin[],
    mmh_backtest_css_end[];

namespace mmh {

namespace {
std::string_view span(const char* begin, const char* end) {
  return {begin, static_cast<size_t>(end - begin)};
}
}  // namespace

std::string_view web_ui_js() {
  return span(mmh_ui_js_begin, mmh_ui_js_end);
}
std::string_view web_ui_css() {
  return span(mmh_ui_css_begin, mmh_ui_css_end);
}
std::string_view batch_report_js() {
  return span(mmh_batch_js_begin, mmh_batch_js_end);
}
std::string_view batch_report_css() {
  return span(mmh_batch_css_begin, mmh_batch_css_end);
}
std::string_view backtest_report_js() {
  return span(mmh_backtest_js_begin, mmh_backtest_js_end);
}
std::string_view backtest_report_css() {
  return span(mmh_backtest_css_begin, mmh_backtest_css_end);
}
std::string_view charts_library_version() {
  return MMHOST_LWC_VERSION;
}

}  // namespace mmh
