# report.html embeds TradingView's lightweight-charts (Apache-2.0): the standalone production
# build from the npm registry, pinned to one version and checked against the SHA-512 the registry
# publishes for it (its dist.integrity). It is fetched at configure time into a download cache
# outside the tree (nothing fetched is committed) and compiled into the host with .incbin.
# Offline machines: -DMMHOST_LWC_TGZ=/path/to/lightweight-charts-${MMHOST_LWC_VERSION}.tgz.
# Why this library and how: docs/adr/0012-report-charts.md.
set(MMHOST_LWC_VERSION 5.2.1)
set(MMHOST_LWC_SHA512
    215c282b544b1622cfb9b68a22335bb6358b9e93ccaa20014ab4dacbac2198d6bc2f5fb5f76f7656d1c9f815b23d4b8b0b0174b5c42584459dd422c1d9ad67b1)
set(MMHOST_DOWNLOAD_DIR "$ENV{HOME}/.cache/mmhost/downloads"
    CACHE PATH "Where configure-time downloads are kept between builds")
set(MMHOST_LWC_TGZ "${MMHOST_DOWNLOAD_DIR}/lightweight-charts-${MMHOST_LWC_VERSION}.tgz"
    CACHE FILEPATH "The lightweight-charts npm tarball (downloaded when missing)")

if(EXISTS "${MMHOST_LWC_TGZ}")
  file(SHA512 "${MMHOST_LWC_TGZ}" _lwc_sha)
  if(NOT _lwc_sha STREQUAL MMHOST_LWC_SHA512)
    message(FATAL_ERROR "${MMHOST_LWC_TGZ}: SHA-512 ${_lwc_sha} is not the pinned "
                        "lightweight-charts ${MMHOST_LWC_VERSION} (${MMHOST_LWC_SHA512}); "
                        "delete it to download it again")
  endif()
else()
  set(_lwc_url
      "https://registry.npmjs.org/lightweight-charts/-/lightweight-charts-${MMHOST_LWC_VERSION}.tgz")
  message(STATUS "mmhost: downloading ${_lwc_url}")
  file(DOWNLOAD "${_lwc_url}" "${MMHOST_LWC_TGZ}.part"
       EXPECTED_HASH SHA512=${MMHOST_LWC_SHA512} TLS_VERIFY ON STATUS _lwc_status)
  list(GET _lwc_status 0 _lwc_code)
  if(NOT _lwc_code EQUAL 0)
    file(REMOVE "${MMHOST_LWC_TGZ}.part")
    message(FATAL_ERROR "downloading lightweight-charts ${MMHOST_LWC_VERSION} for report.html "
                        "failed (${_lwc_status}). The npm registry must be reachable, or pass "
                        "-DMMHOST_LWC_TGZ=FILE with that tarball.")
  endif()
  file(RENAME "${MMHOST_LWC_TGZ}.part" "${MMHOST_LWC_TGZ}")
endif()

set(MMHOST_LWC_DIR "${CMAKE_BINARY_DIR}/_deps/lightweight-charts-${MMHOST_LWC_VERSION}")
set(MMHOST_LWC_JS "${MMHOST_LWC_DIR}/package/dist/lightweight-charts.standalone.production.js")
if(NOT EXISTS "${MMHOST_LWC_JS}")
  file(ARCHIVE_EXTRACT INPUT "${MMHOST_LWC_TGZ}" DESTINATION "${MMHOST_LWC_DIR}"
       PATTERNS package/dist/lightweight-charts.standalone.production.js package/LICENSE)
endif()
message(STATUS "mmhost: report charts lightweight-charts ${MMHOST_LWC_VERSION}")
