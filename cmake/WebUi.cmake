# The web UI `mmhost serve` serves at / (web/): preact + htm for the pages, uPlot for x/y
# charts, bundled by esbuild at build time into one script and one stylesheet that are compiled
# into the host (.incbin): no CDN, no runtime download. Every package is pinned and
# checksum-verified from the npm registry (cmake/NpmPackage.cmake); esbuild is its native
# binary package. Why these: docs/adr/0030-web-ui.md.
include(NpmPackage)
mmhost_npm_package(preact 10.29.0
  c12006ca4d9b611d5ceeddd26778c770ceb1cb495c05c0de97a94e0dcb3d304e9387ef83c76294fba0f71c3f3030c28603c5a9c3b38c777ff8446cd8469cf046
  _preact_dir)
mmhost_npm_package(htm 3.1.1
  f7cdd5ca0f0dc1413b26467a3663aaa4267eb21d5b2afda2613954933956980e490f669c2a8c5de0a5716cc9b15fff399ad7dd9c399316834a720e43180bf135
  _htm_dir)
mmhost_npm_package(uplot 1.6.32
  2883159c6ebccefbb95d751b0b82d010f9e1c0ec41b8bc96d401eda66e882935c89a46cb824332fa369b8cb8122cc6ac36e186cd09bf7a9ded3a4c93c6989023
  _uplot_dir)
if(CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  mmhost_npm_package(@esbuild/linux-arm64 0.28.2
    a56e000b43f78adf1cedda3d315338a79d45cc7cdd33f4d9adeaeeae045c1c9d964dad55435088ab5f319dc7e9049c38a23922659aca5b6c8805604ff768fa52
    _esbuild_dir)
else()
  mmhost_npm_package(@esbuild/linux-x64 0.28.2
    e314d9af5154992a105b85c85a68addedcd0ad44d933e3773f45d5f3144e298179d177c8ef178ef74fb56d9bcdc3122e7d0f610d0551247e588603d517c03f1d
    _esbuild_dir)
endif()
set(MMHOST_ESBUILD "${_esbuild_dir}/bin/esbuild")

# Three entry points: the UI (app.js) and the scripts of a backtest's and a batch's report.html,
# each with the stylesheet of what it imports. lightweight-charts (cmake/ChartsLibrary.cmake) is
# its standalone ES module: the package's main one imports a dependency of its own.
set(MMHOST_WEB_OUT "${CMAKE_BINARY_DIR}/web")
set(MMHOST_WEB_OUTPUTS "${MMHOST_WEB_OUT}/app.js;${MMHOST_WEB_OUT}/app.css;${MMHOST_WEB_OUT}/batch_report.js;${MMHOST_WEB_OUT}/batch_report.css;${MMHOST_WEB_OUT}/backtest_report.js;${MMHOST_WEB_OUT}/backtest_report.css")
file(GLOB MMHOST_WEB_SOURCES CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/web/src/*")
# esbuild finds the packages through NODE_PATH (the build directory's node_modules).
add_custom_command(
  OUTPUT ${MMHOST_WEB_OUTPUTS}
  COMMAND ${CMAKE_COMMAND} -E env "NODE_PATH=${MMHOST_NODE_MODULES}" "${MMHOST_ESBUILD}"
          "${CMAKE_SOURCE_DIR}/web/src/app.js" "${CMAKE_SOURCE_DIR}/web/src/batch_report.js"
          "${CMAKE_SOURCE_DIR}/web/src/backtest_report.js"
          "--alias:lightweight-charts=${MMHOST_LWC_DIR}/dist/lightweight-charts.standalone.production.mjs"
          --bundle --minify --format=iife --target=es2020 --log-level=warning
          "--outdir=${MMHOST_WEB_OUT}"
  DEPENDS ${MMHOST_WEB_SOURCES}
  COMMENT "Bundling the web UI (esbuild)"
  VERBATIM)
add_custom_target(mmhost_web_ui DEPENDS ${MMHOST_WEB_OUTPUTS})
message(STATUS "mmhost: web UI preact 10.29.0, htm 3.1.1, uPlot 1.6.32, esbuild 0.28.2")
