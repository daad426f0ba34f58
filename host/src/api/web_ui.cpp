#include "api/web_ui.hpp"

// .incbin keeps the bundle out of the compiler's hands; the paths come from cmake/WebUi.cmake.
__asm__(
    ".section .rodata\n"
    ".balign 16\n"
    "mmh_web_js_begin:\n"
    ".incbin \"" MMHOST_WEB_JS
    "\"\n"
    "mmh_web_js_end:\n"
    ".byte 0\n"
    ".balign 16\n"
    "mmh_web_css_begin:\n"
    ".incbin \"" MMHOST_WEB_CSS
    "\"\n"
    "mmh_web_css_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const char mmh_web_js_begin_ref[] __asm__("mmh_web_js_begin");
extern "C" const char mmh_web_js_end_ref[] __asm__("mmh_web_js_end");
extern "C" const char mmh_web_css_begin_ref[] __asm__("mmh_web_css_begin");
extern "C" const char mmh_web_css_end_ref[] __asm__("mmh_web_css_end");

namespace mmh::api {

std::string_view web_ui_index_html() {
  return R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mmhost</title>
<link rel="stylesheet" href="/ui/app.css">
<link rel="icon" href="data:,">
</head>
<body>
<div id="app"><noscript>The mmhost UI needs JavaScript; the API is at /runs (docs/serve.md).</noscript></div>
<script src="/ui/app.js"></script>
</body>
</html>
)";
}

std::string_view web_ui_js() {
  return {mmh_web_js_begin_ref, static_cast<size_t>(mmh_web_js_end_ref - mmh_web_js_begin_ref)};
}

std::string_view web_ui_css() {
  return {mmh_web_css_begin_ref, static_cast<size_t>(mmh_web_css_end_ref - mmh_web_css_begin_ref)};
}

}  // namespace mmh::api
