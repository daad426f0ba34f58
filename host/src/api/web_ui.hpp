// The web UI `mmhost serve` serves at / : a page shell, the bundled script and stylesheet built
// from web/ by esbuild (cmake/WebUi.cmake) and compiled in. The UI uses only the public API.
#pragma once

#include <string_view>

namespace mmh::api {

std::string_view web_ui_index_html();
std::string_view web_ui_js();
std::string_view web_ui_css();

}  // namespace mmh::api
