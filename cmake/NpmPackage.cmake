# Packages from the npm registry for what runs in a browser (report.html, the web UI) and the
# tools that build it (esbuild): each pinned to one version and checked against the SHA-512 the
# registry publishes for its tarball (dist.integrity). Tarballs are downloaded once into a cache
# outside the tree (nothing fetched is committed) and unpacked into the build directory as
# node_modules/<name>. Offline machines: put the tarballs in MMHOST_DOWNLOAD_DIR first.
set(MMHOST_DOWNLOAD_DIR "$ENV{HOME}/.cache/mmhost/downloads"
    CACHE PATH "Where configure-time downloads are kept between builds")
set(MMHOST_NODE_MODULES "${CMAKE_BINARY_DIR}/_deps/node_modules")

# mmhost_npm_package(NAME VERSION SHA512 OUT_DIR): <OUT_DIR> = the unpacked package directory.
function(mmhost_npm_package name version sha512 out_dir)
  string(REGEX REPLACE "^@[^/]*/" "" base "${name}")  # @esbuild/linux-x64 -> linux-x64
  string(REPLACE "/" "+" file_name "${name}-${version}.tgz")
  set(tgz "${MMHOST_DOWNLOAD_DIR}/${file_name}")
  if(EXISTS "${tgz}")
    file(SHA512 "${tgz}" got)
    if(NOT got STREQUAL sha512)
      message(FATAL_ERROR "${tgz}: SHA-512 ${got} is not the pinned ${name} ${version} "
                          "(${sha512}); delete it to download it again")
    endif()
  else()
    set(url "https://registry.npmjs.org/${name}/-/${base}-${version}.tgz")
    message(STATUS "mmhost: downloading ${url}")
    file(DOWNLOAD "${url}" "${tgz}.part" EXPECTED_HASH SHA512=${sha512} TLS_VERIFY ON
         STATUS status)
    list(GET status 0 code)
    if(NOT code EQUAL 0)
      file(REMOVE "${tgz}.part")
      message(FATAL_ERROR "downloading ${name} ${version} failed (${status}). The npm registry "
                          "must be reachable, or put ${file_name} in ${MMHOST_DOWNLOAD_DIR}.")
    endif()
    file(RENAME "${tgz}.part" "${tgz}")
  endif()
  set(dir "${MMHOST_NODE_MODULES}/${name}")
  set(unpacked "")
  if(EXISTS "${dir}/.sha512")
    file(READ "${dir}/.sha512" unpacked)
    string(STRIP "${unpacked}" unpacked)
  endif()
  if(NOT unpacked STREQUAL sha512)
    file(REMOVE_RECURSE "${dir}" "${dir}.unpack")
    file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dir}.unpack")
    get_filename_component(parent "${dir}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(RENAME "${dir}.unpack/package" "${dir}")
    file(REMOVE_RECURSE "${dir}.unpack")
    file(WRITE "${dir}/.sha512" "${sha512}\n")
  endif()
  set(${out_dir} "${dir}" PARENT_SCOPE)
endfunction()
