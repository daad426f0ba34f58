#include "api/web_ui.hpp"

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

}  // namespace mmh::api
