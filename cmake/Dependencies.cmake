# Every dependency comes from a Debian 12 package (tools/install-deps.sh); nothing is vendored.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.81...<1.82 REQUIRED CONFIG COMPONENTS headers)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(simdjson REQUIRED CONFIG)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED CONFIG)
# The scale-out run store of `mmhost serve` / `mmhost worker`: PostgreSQL (libpq) and Redis.
find_package(PostgreSQL REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# XXH3-64: the event hash (the bytes of events.jsonl), checkable with `xxhsum -H3`.
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

if(MMHOST_LUA54)
  pkg_check_modules(LUA REQUIRED IMPORTED_TARGET lua5.4)
  set(MMHOST_LUA_FLAVOUR "Lua 5.4")
else()
  pkg_check_modules(LUA REQUIRED IMPORTED_TARGET luajit)
  set(MMHOST_LUA_FLAVOUR "LuaJIT")
endif()
# Only the sources that include Lua's headers see them (and the link gets the library), so
# every other object is the same for LuaJIT and Lua 5.4: ccache serves the lua54 preset's build
# from the release one, and it recompiles only these.
function(mmhost_lua_sources target)
  set_source_files_properties(${ARGN} PROPERTIES INCLUDE_DIRECTORIES "${LUA_INCLUDE_DIRS}")
  target_link_libraries(${target} PRIVATE $<LINK_ONLY:PkgConfig::LUA>)
endfunction()
message(STATUS "mmhost: scripting runtime ${MMHOST_LUA_FLAVOUR}")

if(MMHOST_BUILD_TESTS)
  find_package(doctest REQUIRED CONFIG)
endif()
if(MMHOST_BUILD_BENCH)
  find_package(benchmark REQUIRED CONFIG)
endif()
