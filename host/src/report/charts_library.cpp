#include "report/charts_library.hpp"

// .incbin keeps a 200 kB script out of the compiler's hands (no giant array literal); the
// path and version come from cmake/ChartsLibrary.cmake.
__asm__(
    ".section .rodata\n"
    ".balign 16\n"
    "mmh_charts_js_begin:\n"
    ".incbin \"" MMHOST_LWC_JS
    "\"\n"
    "mmh_charts_js_end:\n"
    ".byte 0\n"
    ".previous\n");

// The two labels above, by their assembler names (same translation unit).
extern "C" const char mmh_charts_js_begin_ref[] __asm__("mmh_charts_js_begin");
extern "C" const char mmh_charts_js_end_ref[] __asm__("mmh_charts_js_end");

namespace mmh {

std::string_view charts_library_js() {
  return {mmh_charts_js_begin_ref,
          static_cast<size_t>(mmh_charts_js_end_ref - mmh_charts_js_begin_ref)};
}

std::string_view charts_library_version() {
  return MMHOST_LWC_VERSION;
}

}  // namespace mmh
