# A backtest's report.html draws with TradingView's lightweight-charts (Apache-2.0), pinned and
# checksum-verified from the npm registry (cmake/NpmPackage.cmake); the page's script bundles it
# (cmake/WebUi.cmake). Why this library and how: docs/adr/0012-report-charts.md.
include(NpmPackage)
set(MMHOST_LWC_VERSION 5.2.1)
mmhost_npm_package(lightweight-charts ${MMHOST_LWC_VERSION}
  215c282b544b1622cfb9b68a22335bb6358b9e93ccaa20014ab4dacbac2198d6bc2f5fb5f76f7656d1c9f815b23d4b8b0b0174b5c42584459dd422c1d9ad67b1
  MMHOST_LWC_DIR)
message(STATUS "mmhost: report charts lightweight-charts ${MMHOST_LWC_VERSION}")
