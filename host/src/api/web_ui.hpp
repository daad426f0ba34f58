// The page of the web UI `mmhost serve` serves at / ; its script and stylesheet are
// report/web_assets.hpp's. The UI uses only the public API.
#pragma once

#include <string_view>

namespace mmh::api {

std::string_view web_ui_index_html();

}  // namespace mmh::api
